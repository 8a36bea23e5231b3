import TapWalkerCore
import TapWalkerSim

/// The simulated cable with every call into it bracketed by the meters (meter.h), so that the
/// simulated board's instructions and heap are kept apart from TapWalker's own.
final class MeteredCable: TDOSampling {
    let sim: SimCable

    init(options: SimOptions = SimOptions()) {
        meter_simulator_enter()
        sim = SimCable(options: options)
        meter_simulator_leave()
    }

    var board: SimulatedECP5 { sim.board }

    var frequency: UInt32 {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        return sim.frequency
    }

    var statistics: CableStatistics {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        return sim.statistics
    }

    func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        return try sim.setFrequency(hertz)
    }

    func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        try sim.clock(bits: bits, tms: tms, tdi: tdi, tdo: tdo)
    }

    func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        try sim.shiftBytesMSBFirst(bytes)
    }

    func wait(microseconds: UInt32) throws(TapWalkerError) {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        try sim.wait(microseconds: microseconds)
    }

    func flush() throws(TapWalkerError) {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        try sim.flush()
    }

    func sampleTDO() throws(TapWalkerError) -> Bool {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        return try sim.sampleTDO()
    }
}
