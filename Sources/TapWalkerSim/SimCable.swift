import TapWalkerCore

/// The cable to a simulated board, in process. Counts TCK cycles and keeps simulated time.
/// The board always carries a SPI flash (`options.flash`, blank until the host loads an image).
public final class SimCable: TDOSampling {
    public let board: SimulatedECP5

    public init(options: SimOptions = SimOptions()) {
        board = SimulatedECP5(part: options.part)
        board.tckPeriodNanoseconds = SimCable.period(options.tck)
        board.flash = SimulatedFlash(chip: options.flash)
        frequency = options.tck
    }

    /// A power-cut fault fired: the board is off and answers nothing.
    private func checkPower() throws(TapWalkerError) {
        if board.poweredOff {
            throw TapWalkerError(.cable, "the simulated board lost power (a power-cut fault hit a flash program/erase operation, which was left half done); nothing more reaches the board until its flash is power-cycled")
        }
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
        try checkPower()
        if let tdo { for i in 0..<((bits + 7) / 8) { tdo[i] = 0 } }
        var i = 0
        while i < bits {
            // SPI transactions through the bridge: a run of Shift-DR bits at once.
            if board.spiShifting {
                let n = board.shiftSPI(bits: bits, tms: tms, tdi: tdi, tdo: tdo, from: i)
                i += n
                if i == bits { break }
            }
            let m = tms[i >> 3] >> UInt8(i & 7) & 1 == 1
            let d = tdi[i >> 3] >> UInt8(i & 7) & 1 == 1
            let o = board.clock(tms: m, tdi: d)
            if o, let tdo { tdo[i >> 3] |= UInt8(1 << (i & 7)) }
            i += 1
        }
        try checkPower()
    }

    public func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try checkPower()
        if board.shiftBurstBytes(bytes) { return }
        for b in bytes {
            for k in 0..<8 { _ = board.clock(tms: false, tdi: (b >> UInt8(7 - k)) & 1 == 1) }
        }
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        board.wait(nanoseconds: UInt64(microseconds) * 1000)
    }

    public func sampleTDO() throws(TapWalkerError) -> Bool {
        try checkPower()
        return board.tdo
    }

    private static func period(_ hz: UInt32) -> UInt64 {
        (1_000_000_000 + UInt64(hz) / 2) / UInt64(hz)
    }
}
