/// The seam between TapWalker and hardware: something that moves bits on TCK/TMS/TDI/TDO.
///
/// Implemented by the simulated board, network cables and, on the ESP32, GPIO and SPI. A cable does
/// not track the TAP state; `TapWalker` does. Class-bound so that `any Cable` is allowed in
/// Embedded Swift.
public protocol Cable: AnyObject {
    /// Clocks `bits` TCK cycles. Bit i of the vectors is bit (i % 8) of byte (i / 8), LSB first.
    /// If `tdo` is given it receives TDO as sampled before each rising edge, packed the same way.
    func clock(
        bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer,
        tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError)

    /// Bulk fast path for Shift-DR: clocks 8 × count bits with TMS low, each byte MSB first
    /// (as the ESP32's SPI peripheral does), discarding TDO. The TAP must be in Shift-DR and stays there.
    func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError)

    /// Lets at least `microseconds` pass without requiring TCK activity.
    func wait(microseconds: UInt32) throws(TapWalkerError)

    /// Delivers anything the cable has buffered and waits for it to be done.
    func flush() throws(TapWalkerError)

    /// The TCK frequency in Hz.
    var frequency: UInt32 { get }

    /// Asks for a TCK frequency; returns the one the cable will use.
    func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32

    /// Counters for reports and benchmarks.
    var statistics: CableStatistics { get }

    /// Gives back memory the cable keeps between jobs (transfer buffers it allocates again when
    /// next needed). Called when a job ends, with the board still held; nothing by default.
    func releaseBuffers()
}

/// A cable that can read the TDO pin without clocking (pins it drives itself, or a simulator).
/// The remote_bitbang server needs it for a client that asks for TDO and waits for the answer
/// before it sends the next rising edge.
public protocol TDOSampling: Cable {
    /// TDO as the next rising edge of TCK would sample it.
    func sampleTDO() throws(TapWalkerError) -> Bool
}

/// What a cable has done so far. `simulatedMicroseconds` is nil unless the cable is a simulator.
public struct CableStatistics: Sendable {
    public var tckCycles: UInt64
    public var simulatedMicroseconds: UInt64?

    public init(tckCycles: UInt64 = 0, simulatedMicroseconds: UInt64? = nil) {
        self.tckCycles = tckCycles
        self.simulatedMicroseconds = simulatedMicroseconds
    }
}

extension Cable {
    public func releaseBuffers() {}

    /// Default bulk path: reverse each byte and clock it LSB first with TMS low.
    public func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        let chunk = 512
        var tdi = [UInt8](repeating: 0, count: chunk)
        let tms = [UInt8](repeating: 0, count: chunk)
        var offset = 0
        while offset < bytes.count {
            let n = min(chunk, bytes.count - offset)
            tdi.withUnsafeMutableBufferPointer { t in
                BitOrder.reverse(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]), into: t.baseAddress!)
            }
            try tdi.withBytes { (t) throws(TapWalkerError) in
                try tms.withBytes { (m) throws(TapWalkerError) in
                    try clock(bits: n * 8, tms: m, tdi: t, tdo: nil)
                }
            }
            offset += n
        }
    }

    public func flush() throws(TapWalkerError) {}
}
