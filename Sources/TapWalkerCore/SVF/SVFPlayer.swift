/// Plays SVF statements from an `SVFParser` on a cable through the TAP walker: scans in chunks of
/// `chunkBits` with their TDO compared as they come back, RUNTEST clocks and waits, STATE moves
/// (docs/svf.md). Stops at the first TDO mismatch (a `.data` error naming the line and the
/// expected and actual masked bits) or malformed statement (`.input`, its line).
public final class SVFPlayer {
    public struct Report: Sendable {
        public var statements = 0
        /// Scans whose TDO was compared, all of them matching unless the play failed.
        public var checkedScans = 0
        public var bitsShifted: UInt64 = 0
        public var tckCycles: UInt64 = 0
        /// The line of the statement being played when the play stopped (or the last one).
        public var line = 0
        /// False until the first TCK: a file refused before it leaves the board untouched.
        public var boardTouched = false
        public init() {}
    }

    /// Bits per cable call: long vectors (a bitstream in one SDR) stream through this much.
    public static let chunkBits = 4096

    public let walker: TapWalker
    public private(set) var report = Report()
    private var tdoChunk = [UInt8](repeating: 0, count: SVFPlayer.chunkBits / 8)

    public init(walker: TapWalker) {
        self.walker = walker
    }

    private var cable: any Cable { walker.cable }

    /// Plays every statement of `parser` from Test-Logic-Reset, and leaves the cable at the
    /// frequency it had, whatever FREQUENCY said.
    public func play(_ parser: SVFParser, progress: ProgressHandler? = nil) throws(TapWalkerError) {
        let startCycles = cable.statistics.tckCycles
        let startFrequency = cable.frequency
        var reported = 0
        defer {
            if cable.frequency != startFrequency { _ = try? cable.setFrequency(startFrequency) }
            report.tckCycles = cable.statistics.tckCycles - startCycles
        }
        report.boardTouched = true
        try walker.reset()
        while let statement = try parser.next() {
            report.line = parser.line
            report.statements += 1
            try execute(statement, frequency: startFrequency)
            if parser.bytesRead - reported >= 32768 {
                reported = parser.bytesRead
                progress?(Progress(phase: "playing", done: reported, total: parser.totalBytes))
            }
        }
        try cable.flush()
        progress?(Progress(phase: "playing", done: parser.bytesRead, total: parser.totalBytes))
    }

    private func execute(_ statement: SVFStatement, frequency: UInt32) throws(TapWalkerError) {
        switch statement {
        case .scan(let scan): try play(scan)
        case .state(let path, let explicit):
            if explicit {
                for s in path { try walker.clockConstant(bits: 1, tms: walker.state.next(tms: false) != s, tdi: false) }
            } else if path[0] == .testLogicReset {
                try walker.reset()  // SVF's STATE RESET resets whatever the TAP state was thought to be
            } else {
                try walker.move(to: path[0])
            }
        case .runTest(let run): try runTest(run)
        case .frequency(let hz): _ = try cable.setFrequency(hz ?? frequency)
        case .setting: break
        }
    }

    private func play(_ scan: SVFScan) throws(TapWalkerError) {
        let shiftState: TAPState = scan.instruction ? .shiftIR : .shiftDR
        try walker.move(to: shiftState)
        let total = scan.tdi.count
        guard total > 0 else { return try walker.move(to: scan.end) }
        var at = 0
        while at < total {
            let n = min(SVFPlayer.chunkBits, total - at)
            let end = at + n == total ? scan.end : shiftState
            try scan.tdi.bytes.withBytes { (t) throws(TapWalkerError) in
                let tdi = UnsafeRawBufferPointer(rebasing: t[(at >> 3)...])
                if scan.tdo == nil {
                    try walker.shift(bits: n, tdi: tdi, end: end)
                } else {
                    try tdoChunk.withMutableBytes { (o) throws(TapWalkerError) in try walker.shift(bits: n, tdi: tdi, tdo: o, end: end) }
                }
            }
            if let expected = scan.tdo { try compare(expected, scan, at: at, count: n) }
            at += n
        }
        report.bitsShifted += UInt64(total)
        if scan.tdo != nil { report.checkedScans += 1 }
    }

    /// Compares the chunk just shifted (bits `at..<at + count`, `at` a multiple of 8) under MASK.
    private func compare(_ expected: SVFBits, _ scan: SVFScan, at: Int, count: Int) throws(TapWalkerError) {
        for i in 0..<((count + 7) / 8) {
            let k = (at >> 3) + i
            let diff = (tdoChunk[i] ^ expected.bytes[k]) & scan.mask.bytes[k]
            guard diff != 0 else { continue }
            let first = at + 8 * i + diff.trailingZeroBitCount
            // The whole vector when short (it is one chunk), else up to 64 bits of this chunk
            // around the first difference: the chunks before it are gone.
            let whole = scan.tdi.count <= 64
            let width = whole ? scan.tdi.count : min(64, count)
            let from = whole ? 0 : max(at, min(first & ~31, at + count - width))
            var actual = SVFBits.zeros(scan.tdi.count)
            for b in from..<(from + width) where b < at + count && tdoChunk[(b - at) >> 3] & UInt8(1 << ((b - at) & 7)) != 0 {
                actual.bytes[b >> 3] |= UInt8(1 << (b & 7))
            }
            let masked = { (v: SVFBits) -> String in
                var m = v
                for j in 0..<m.bytes.count { m.bytes[j] &= scan.mask.bytes[j] }
                return m.hex(from: from, width: width)
            }
            let register = scan.instruction ? "SIR" : "SDR"
            let place = width == scan.tdi.count ? "" : " bits \(from + width - 1)..\(from) of"
            throw TapWalkerError(.data, """
                line \(report.line): TDO mismatch in\(place) \(register) of \(scan.tdi.count) bits: expected \(masked(expected)), \
                got \(masked(actual)) (MASK \(scan.mask.hex(from: from, width: width)), first differing bit \(first))
                """)
        }
    }

    private func runTest(_ run: SVFRunTest) throws(TapWalkerError) {
        try walker.move(to: run.runState)
        var left = run.clocks
        while left > 0 {
            let n = Int(min(left, 4096))
            // TMS holds the state: high in Test-Logic-Reset, low in Run-Test/Idle and the pauses.
            try walker.clockConstant(bits: n, tms: run.runState == .testLogicReset, tdi: false)
            left -= UInt64(n)
        }
        // The minimum time counts from the first clock: wait only what the clocks did not take.
        let hz = UInt64(max(cable.frequency, 1))
        let clocked = run.clocks / hz * 1_000_000 + run.clocks % hz * 1_000_000 / hz
        var wait = run.minimumMicroseconds > clocked ? run.minimumMicroseconds - clocked : 0
        while wait > 0 {
            let n = UInt32(min(wait, UInt64(UInt32.max)))
            try cable.wait(microseconds: n)
            wait -= UInt64(n)
        }
        try walker.move(to: run.end)
    }
}
