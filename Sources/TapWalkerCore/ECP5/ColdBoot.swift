/// What the ECP5 does at power-up and on PROGRAMN or LSC_REFRESH when it boots from its SPI flash
/// (docs/ecp5.md §6), written once for the simulated chip and for `flash boot-check`, so the two
/// cannot disagree:
///
/// 1. The primary path: master SPI READ from address 0; the first `preambleSearchBytes` must hold
///    the preamble. The stream goes through the same `ConfigurationEngine` as a JTAG load (every
///    CRC, VERIFY_ID against the part, frame counts, compression). SPI_MODE is recorded; a JUMP
///    sends the read on at its address, where a new stream must begin.
/// 2. When the primary path does not load, the fall-back path: the jump table in the last
///    `jumpTableBytes` of the flash (a short stream holding a JUMP to the golden image), then the
///    golden image, checked the same way.
///
/// Stricter than the chip may be, where Lattice does not say (docs/ecp5.md §6): one JUMP per path
/// (a jump to a stream that jumps again fails), each path is tried once, and after both fail the
/// FPGA stays unconfigured until the next PROGRAMN, REFRESH or power cycle.
public final class ColdBoot {
    /// (?) How far the FPGA reads looking for the preamble before it gives up on a path.
    public static let preambleSearchBytes = 64 * 1024
    /// The jump table at the top of the flash: the ECP5 reads it after the primary path fails.
    public static let jumpTableBytes = 256
    /// (?) JUMPs followed per path.
    public static let jumpsPerPath = 1

    public let flash: any BootFlash
    public let part: Part
    /// Receives each configuration frame of the path being read (the simulator's SRAM).
    public var frameSink: ((Int, UnsafeRawBufferPointer) -> Void)?
    /// Called when a path starts reading: what an earlier path wrote to the SRAM is gone.
    public var pathStarted: (() -> Void)?

    public init(flash: any BootFlash, part: Part) {
        self.flash = flash
        self.part = part
    }

    /// The chip's boot: the primary path, and the fall-back path only when the primary fails.
    public func boot() throws(TapWalkerError) -> ColdBootOutcome {
        let primary = try follow(from: 0, searchLimit: ColdBoot.preambleSearchBytes)
        if primary.loads { return ColdBootOutcome(part: part, primary: primary, fallback: nil, fallbackTried: false) }
        let fallback = try fallbackPath()
        return ColdBootOutcome(part: part, primary: primary, fallback: fallback, fallbackTried: true)
    }

    /// The boot check: both paths, whether or not the chip would need the second.
    public func check() throws(TapWalkerError) -> ColdBootOutcome {
        let primary = try follow(from: 0, searchLimit: ColdBoot.preambleSearchBytes)
        let fallback = try fallbackPath()
        return ColdBootOutcome(part: part, primary: primary, fallback: fallback, fallbackTried: !primary.loads)
    }

    /// The golden path through the jump table, or nil when the table holds no JUMP.
    private func fallbackPath() throws(TapWalkerError) -> BootPath? {
        let table = flash.bootFlashSize - ColdBoot.jumpTableBytes
        let path = try follow(from: table, searchLimit: ColdBoot.jumpTableBytes)
        return path.jumps.isEmpty ? nil : path
    }

    /// Reads one path from `start`, following at most `jumpsPerPath` JUMPs.
    private func follow(from start: Int, searchLimit: Int) throws(TapWalkerError) -> BootPath {
        var path = BootPath(start: start)
        var address = start
        var limit = searchLimit
        while true {
            pathStarted?()
            let read = try readStream(at: address, searchLimit: limit)
            path.bytesRead += read.consumed
            path.imageAddress = address
            path.spiReadMode = read.engine.spiReadMode ?? path.spiReadMode
            guard let target = read.engine.jumpTarget else {
                path.settle(read, part: part, flashSize: flash.bootFlashSize)
                return path
            }
            path.jumps.append(target)
            if path.jumps.count > ColdBoot.jumpsPerPath {
                path.fail(.illegalCommand, "the stream at \(ASCII.hex(UInt32(address), digits: 6)) jumps again, to \(ASCII.hex(UInt32(target), digits: 6)); the FPGA follows one JUMP")
                return path
            }
            guard target < flash.bootFlashSize else {
                path.fail(.preamble, "JUMP to \(ASCII.hex(UInt32(target), digits: 6)), past the end of the \(flash.bootFlashSize >> 20) MB flash")
                return path
            }
            address = target
            limit = ColdBoot.preambleSearchBytes
        }
    }

    struct StreamRead {
        let engine: ConfigurationEngine
        var consumed = 0
        var sawData = false
    }

    /// Feeds the engine from `address` until the stream completes, fails, jumps, or shows no preamble
    /// within `searchLimit`. Bytes after the end are never fed: the FPGA stops reading there.
    private func readStream(at address: Int, searchLimit: Int) throws(TapWalkerError) -> StreamRead {
        let e = ConfigurationEngine(part: part, source: .flash)
        e.frameSink = frameSink
        var r = StreamRead(engine: e)
        let size = flash.bootFlashSize
        var buffer = [UInt8](repeating: 0xFF, count: 4096)
        var pos = 0, fill = 0
        while r.consumed < size && e.problem == nil && !e.isComplete && e.jumpTarget == nil {
            if e.preambleOffset == nil && r.consumed >= searchLimit { break }
            if pos == fill {
                fill = min(buffer.count, size - r.consumed)
                let from = (address + r.consumed) % size, count = fill
                try buffer.withMutableBytes { (p) throws(TapWalkerError) in
                    try flash.bootRead(from: from, into: UnsafeMutableRawBufferPointer(rebasing: p[0..<count]))
                }
                pos = 0
            }
            // Whole runs only while they cannot reach past the last frame (a frame takes at least
            // 13 bytes even compressed), and never past the preamble search.
            var n = min(fill - pos, max(part.frames - e.framesWritten - 1, 0) * 13)
            if e.preambleOffset == nil { n = min(n, searchLimit - r.consumed) }
            n = max(n, 1)
            buffer.withUnsafeBytes { p in
                let run = UnsafeRawBufferPointer(rebasing: p[pos..<pos + n])
                if !r.sawData, run.contains(where: { $0 != 0xFF }) { r.sawData = true }
                if n > 1 { e.consume(run) } else { e.consume(run[0]) }
            }
            pos += n
            r.consumed += n
        }
        return r
    }
}

/// One way through the flash: where it started, the image it reached, and whether it loads.
public struct BootPath: Sendable {
    /// Where the FPGA began reading: 0, or the jump table at the top of the flash.
    public let start: Int
    /// Where the last stream on the path begins (after any JUMP).
    public var imageAddress = 0
    /// The bytes the FPGA reads for that image, when it loads.
    public var size: Int?
    public var userCode: UInt32?
    /// The addresses JUMP commands sent the FPGA to, in order.
    public var jumps: [Int] = []
    public var spiReadMode: UInt8?
    public var compressed = false
    /// Why nothing loads on this path (nil: it loads), and the BSE code the chip reports for it.
    public var reason: String?
    public var code = BSECode.none
    /// The first stream held a preamble.
    public var preambleSeen = false
    public var bytesRead = 0

    public init(start: Int) { self.start = start }

    public var loads: Bool { reason == nil }

    mutating func fail(_ code: BSECode, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    mutating func settle(_ read: ColdBoot.StreamRead, part: Part, flashSize: Int) {
        let e = read.engine
        let at = ASCII.hex(UInt32(imageAddress), digits: 6)
        if e.preambleOffset != nil { preambleSeen = true }
        compressed = e.compressed
        if e.isComplete {
            size = read.consumed
            userCode = e.userCode ?? 0
        } else if let problem = e.problem {
            let what = problem.code == .crc ? "CRC error at byte \(problem.offset) of the image at \(at)" : "the image at \(at) fails at byte \(problem.offset)"
            fail(problem.code, "\(what): \(problem.message)")
        } else if e.preambleOffset == nil {
            let blank = read.sawData ? "no bitstream preamble" : "blank (all 0xFF)"
            if let from = jumps.last, jumps.count > 0 {
                fail(.preamble, "JUMP to \(ASCII.hex(UInt32(from), digits: 6)) finds nothing there: \(blank)")
            } else {
                fail(.preamble, "\(blank) at \(at)")
            }
        } else {
            // (?) A stream cut short: FAIL without a BSE code, as for a JTAG load that stops early.
            fail(.none, "the image at \(at) ends after \(read.consumed) bytes without completing (\(e.framesWritten) of \(part.frames) frames)")
        }
    }
}

/// The cold boot's outcome: both paths, which image the FPGA runs, and its status register.
public struct ColdBootOutcome: Sendable {
    public let part: Part
    public let primary: BootPath
    /// The golden path, when the flash holds a jump table (nil: none).
    public let fallback: BootPath?
    /// The chip went on to the fall-back path (the primary failed).
    public let fallbackTried: Bool

    /// The path whose image the FPGA runs, if any.
    public var loaded: BootPath? {
        if primary.loads { return primary }
        if let fallback, fallback.loads { return fallback }
        return nil
    }

    /// Images the FPGA tried to load: the primary, then the golden one when the primary failed.
    public var tries: Int { fallbackTried && fallback != nil ? 2 : 1 }

    /// Bytes the chip reads from the flash on its way (the fall-back path only when taken).
    public var bytesRead: Int {
        primary.bytesRead + (fallbackTried ? (fallback?.bytesRead ?? ColdBoot.jumpTableBytes) : 0)
    }

    /// What LSC_READ_STATUS shows afterwards (docs/ecp5.md §6): DONE after a load; "SPIm fail 1"
    /// once the primary failed; when nothing loads, the BSE code of the last image tried (the
    /// primary's when there is no jump table) with FAIL and the execution error, as
    /// openFPGALoader shows for a board that did not boot.
    public var status: StatusRegister {
        var s = StatusRegister(raw: 0)
        if primary.preambleSeen || (fallbackTried && fallback?.preambleSeen == true) { s.set(.standardPreamble) }
        if fallbackTried { s.set(.spiMasterFail) }
        if loaded != nil {
            s.set(.done)
            return s
        }
        // (?) With no jump table the primary's code stays: the top of the flash added nothing.
        let last = fallbackTried ? (fallback ?? primary) : primary
        s.bse = last.code
        if last.code != .preamble { s.set(.fail) }
        if fallbackTried { s.set(.executionError) }
        if last.code == .id { s.set(.idError) }
        if last.code == .illegalCommand { s.set(.invalidCommand) }
        return s
    }
}
