import TapWalkerCore

/// The cable to a simulated board, in process. Counts TCK cycles and keeps simulated time.
public final class SimCable: Cable {
    public let board: SimulatedECP5

    public init(options: SimOptions = SimOptions()) {
        board = SimulatedECP5(part: options.part)
        board.tckPeriodNanoseconds = SimCable.period(options.tck)
        frequency = options.tck
    }

    public private(set) var frequency: UInt32

    public func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 {
        // A real ECP5 misreads above 25 MHz; the simulated one clamps to what it can take.
        frequency = max(1, min(hertz, SimOptions.maximumTCK))
        board.tckPeriodNanoseconds = SimCable.period(frequency)
        return frequency
    }

    public var statistics: CableStatistics {
        CableStatistics(tckCycles: board.cycles, simulatedMicroseconds: board.timeNanoseconds / 1000)
    }

    public func clock(
        bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError) {
        if let tdo { for i in 0..<((bits + 7) / 8) { tdo[i] = 0 } }
        for i in 0..<bits {
            let m = tms[i >> 3] >> UInt8(i & 7) & 1 == 1
            let d = tdi[i >> 3] >> UInt8(i & 7) & 1 == 1
            let o = board.clock(tms: m, tdi: d)
            if o, let tdo { tdo[i >> 3] |= UInt8(1 << (i & 7)) }
        }
    }

    public func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        if board.shiftBurstBytes(bytes) { return }
        for b in bytes {
            for k in 0..<8 { _ = board.clock(tms: false, tdi: (b >> UInt8(7 - k)) & 1 == 1) }
        }
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        board.wait(nanoseconds: UInt64(microseconds) * 1000)
    }

    private static func period(_ hz: UInt32) -> UInt64 {
        (1_000_000_000 + UInt64(hz) / 2) / UInt64(hz)
    }
}
