import TapWalkerCore
import TapWalkerDevice
import TapWalkerVirtualBoard

/// The firmware's `PinJTAGCable` as the virtual ESP32 runs it, reporting the wire's counts: the
/// TCK cycles the simulated board saw and the simulated time they took (SPI gaps, GPIO bit time
/// and the board's BUSY waits included; docs/virtual-device.md). On the chip the cable has no such
/// time; here it lets job results (`tck_cycles`, `sim_time_us`) and the benchmarks show what the
/// same job would take on the wire. Every call is the inner cable's.
final class TimedCable: TDOSampling {
    let inner: PinJTAGCable
    let board: SimulatedBoard

    init(_ inner: PinJTAGCable, board: SimulatedBoard) {
        self.inner = inner
        self.board = board
    }

    func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer,
               tdo: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) {
        try inner.clock(bits: bits, tms: tms, tdi: tdi, tdo: tdo)
    }

    func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try inner.shiftBytesMSBFirst(bytes)
    }

    func wait(microseconds: UInt32) throws(TapWalkerError) { try inner.wait(microseconds: microseconds) }
    func flush() throws(TapWalkerError) { try inner.flush() }
    func releaseBuffers() { inner.releaseBuffers() }
    var frequency: UInt32 { inner.frequency }
    func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 { try inner.setFrequency(hertz) }
    func sampleTDO() throws(TapWalkerError) -> Bool { try inner.sampleTDO() }

    var statistics: CableStatistics { board.run { board.wire.statistics } }
}
