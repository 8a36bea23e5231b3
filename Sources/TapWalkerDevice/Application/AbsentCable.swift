import TapWalkerCore

/// Stands in for a cable that could not be made: every board job fails with `reason`, while the
/// file store, the console and the WiFi keep working.
final class AbsentCable: TDOSampling {
    let reason: TapWalkerError

    init(_ reason: TapWalkerError) { self.reason = reason }

    func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) {
        throw reason
    }
    func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) { throw reason }
    func wait(microseconds: UInt32) throws(TapWalkerError) { throw reason }
    func flush() throws(TapWalkerError) { throw reason }
    var frequency: UInt32 { 0 }
    func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 { throw reason }
    var statistics: CableStatistics { CableStatistics() }
    func sampleTDO() throws(TapWalkerError) -> Bool { throw reason }
}
