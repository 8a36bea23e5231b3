/// Drives a cable through the TAP state machine: tracks the state, takes shortest TMS paths, and
/// offers IR/DR scans, Run-Test/Idle with a clock count and minimum time, and chunked Shift-DR.
public final class TapWalker {
    public let cable: any Cable
    /// The TAP state as far as the walker knows; only trustworthy after `reset()`.
    public private(set) var state: TAPState = .testLogicReset

    private var tmsScratch: [UInt8] = []
    private var tdiScratch: [UInt8] = []

    public init(cable: any Cable) {
        self.cable = cable
    }

    /// Five clocks with TMS high reach Test-Logic-Reset from any state, whatever the walker believed.
    public func reset() throws(TapWalkerError) {
        try clockTMS(TMSPath(bits: 0x1F, count: 5))
        state = .testLogicReset
    }

    /// Moves to `target` by the shortest path.
    public func move(to target: TAPState) throws(TapWalkerError) {
        try clockTMS(state.path(to: target))
        state = target
    }

    /// Goes to Run-Test/Idle, clocks `clocks` times there, then lets `microseconds` pass.
    public func idle(clocks: Int = 0, microseconds: UInt32 = 0) throws(TapWalkerError) {
        try move(to: .runTestIdle)
        var left = clocks
        while left > 0 {
            let n = min(left, 4096)
            try clockConstant(bits: n, tms: false, tdi: false)
            left -= n
        }
        if microseconds > 0 { try cable.wait(microseconds: microseconds) }
    }

    /// Shifts an instruction of `length` bits (≤ 32) and returns the captured IR bits.
    @discardableResult
    public func shiftIR(_ instruction: UInt32, length: Int, end: TAPState = .runTestIdle) throws(TapWalkerError)
        -> UInt32
    {
        try move(to: .shiftIR)
        return UInt32(truncatingIfNeeded: try shiftSmall(UInt64(instruction), length: length, end: end))
    }

    /// Shifts a data register of `length` bits (≤ 64) and returns the bits that came out.
    @discardableResult
    public func scanDR(_ value: UInt64, length: Int, end: TAPState = .runTestIdle) throws(TapWalkerError) -> UInt64 {
        try move(to: .shiftDR)
        return try shiftSmall(value, length: length, end: end)
    }

    /// Shifts `bits` bits of `tdi` (LSB first) through the data register. With `end: .shiftDR` the TAP
    /// stays in Shift-DR so the next call continues the same register; with `.pauseDR` the next call
    /// resumes through Exit2-DR without a new capture. TDO goes to `tdo` when given.
    public func shiftDR(
        bits: Int, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer? = nil,
        end: TAPState = .runTestIdle
    ) throws(TapWalkerError) {
        try move(to: .shiftDR)
        try shiftLarge(bits: bits, tdi: tdi, tdo: tdo, end: end)
    }

    /// Shifts whole bytes MSB first through the data register, by the cable's bulk path where it can.
    public func shiftDRBytesMSBFirst(_ bytes: UnsafeRawBufferPointer, end: TAPState = .shiftDR)
        throws(TapWalkerError)
    {
        guard bytes.count > 0 else { return }
        try move(to: .shiftDR)
        if end == .shiftDR {
            try cable.shiftBytesMSBFirst(bytes)
            return
        }
        // All but the last byte in bulk; the last byte's final bit leaves Shift-DR.
        try cable.shiftBytesMSBFirst(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 1)]))
        var last = BitOrder.reversed(bytes[bytes.count - 1])
        try withUnsafeBytes(of: &last) { (p) throws(TapWalkerError) in
            try shiftLarge(bits: 8, tdi: p, tdo: nil, end: end)
        }
    }

    /// In Shift-IR or Shift-DR: shifts `bits` bits of `tdi` (LSB first) through the register, TDO to
    /// `tdo` when given. With `end` the same Shift state the TAP stays there, so a long register
    /// goes in chunks (the SVF player's vectors, docs/svf.md §7).
    public func shift(
        bits: Int, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer? = nil, end: TAPState
    ) throws(TapWalkerError) {
        try shiftLarge(bits: bits, tdi: tdi, tdo: tdo, end: end)
    }

    // MARK: - Internals

    private func shiftSmall(_ value: UInt64, length: Int, end: TAPState) throws(TapWalkerError) -> UInt64 {
        precondition(length > 0 && length <= 64)
        var tdi = value
        var tdo: UInt64 = 0
        try withUnsafeBytes(of: &tdi) { (t) throws(TapWalkerError) in
            try withUnsafeMutableBytes(of: &tdo) { (o) throws(TapWalkerError) in
                try shiftLarge(bits: length, tdi: t, tdo: o, end: end)
            }
        }
        return length == 64 ? tdo : tdo & ((1 << UInt64(length)) - 1)
    }

    /// In a Shift state: shifts `bits` bits; leaves on the last one unless `end` is the Shift state.
    private func shiftLarge(
        bits: Int, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?, end: TAPState
    ) throws(TapWalkerError) {
        precondition(state.isShift)
        guard bits > 0 else { return try move(to: end) }
        let staying = end == state
        // Leaving: the last data bit goes with TMS high into Exit1, then the shortest path to `end`.
        let exit1: TAPState = state == .shiftDR ? .exit1DR : .exit1IR
        let tailPath = staying ? TMSPath(bits: 0, count: 0) : exit1.path(to: end)
        let total = bits + tailPath.count
        let bytes = (total + 7) / 8
        if tmsScratch.count < bytes {
            tmsScratch = [UInt8](repeating: 0, count: bytes)
            tdiScratch = [UInt8](repeating: 0, count: bytes)
        }
        // Copy TDI; the tail's TDI bits are zero and no register sees them.
        let dataBytes = (bits + 7) / 8
        tmsScratch.withUnsafeMutableBytes { m in
            UnsafeMutableRawBufferPointer(rebasing: m[0..<bytes]).initializeMemory(as: UInt8.self, repeating: 0)
        }
        tdiScratch.withUnsafeMutableBytes { t in
            UnsafeMutableRawBufferPointer(rebasing: t[0..<dataBytes]).copyMemory(from: UnsafeRawBufferPointer(rebasing: tdi[0..<dataBytes]))
            UnsafeMutableRawBufferPointer(rebasing: t[dataBytes..<bytes]).initializeMemory(as: UInt8.self, repeating: 0)
        }
        if !staying { setBit(&tmsScratch, bits - 1) }
        for k in 0..<tailPath.count where tailPath.bits & (1 << k) != 0 {
            setBit(&tmsScratch, bits + k)
        }
        try tmsScratch.withBytes { (m) throws(TapWalkerError) in
            try tdiScratch.withBytes { (t) throws(TapWalkerError) in
                if let tdo {
                    // TDO of the data bits only; the tail's TDO bits are not the register's.
                    var out = [UInt8](repeating: 0, count: bytes)
                    try out.withMutableBytes { (o) throws(TapWalkerError) in
                        try cable.clock(bits: total, tms: m, tdi: t, tdo: o)
                    }
                    for i in 0..<dataBytes { tdo[i] = out[i] }
                    if bits % 8 != 0 { tdo[dataBytes - 1] &= UInt8((1 << (bits % 8)) - 1) }
                } else {
                    try cable.clock(bits: total, tms: m, tdi: t, tdo: nil)
                }
            }
        }
        state = end
    }

    private func clockTMS(_ path: TMSPath) throws(TapWalkerError) {
        guard path.count > 0 else { return }
        var tms = path.bits
        var tdi: UInt16 = 0
        try withUnsafeBytes(of: &tms) { (m) throws(TapWalkerError) in
            try withUnsafeBytes(of: &tdi) { (t) throws(TapWalkerError) in
                try cable.clock(bits: path.count, tms: m, tdi: t, tdo: nil)
            }
        }
    }

    /// Clocks `bits` cycles with constant TMS and TDI (state must already allow it).
    public func clockConstant(bits: Int, tms: Bool, tdi: Bool) throws(TapWalkerError) {
        let bytes = (bits + 7) / 8
        let m = [UInt8](repeating: tms ? 0xFF : 0, count: bytes)
        let t = [UInt8](repeating: tdi ? 0xFF : 0, count: bytes)
        try m.withBytes { (mp) throws(TapWalkerError) in
            try t.withBytes { (tp) throws(TapWalkerError) in
                try cable.clock(bits: bits, tms: mp, tdi: tp, tdo: nil)
            }
        }
        for _ in 0..<min(bits, 5) { state = state.next(tms: tms) }
    }

    @inline(__always)
    private func setBit(_ a: inout [UInt8], _ i: Int) { a[i >> 3] |= UInt8(1 << (i & 7)) }
}
