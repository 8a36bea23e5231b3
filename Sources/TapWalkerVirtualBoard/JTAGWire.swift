import TapWalkerCore
import TapWalkerSim

/// The four JTAG signals between a virtual ESP32 and a simulated ECP5, at pin level, and which of
/// the ESP32's peripherals drives TCK (the dedicated-GPIO bundle or the SPI master).
///
/// A rising edge of TCK clocks the simulator one bit with the TMS and TDI levels of that moment;
/// TDO shows what the simulator drives since the last falling edge. Strict where the chip is
/// (docs/firmware.md, "TCK hand-over between dedicated GPIO and SPI"): the SPI master may clock
/// only while TMS is held low; TCK may change hands only while it is low; no edge may come from the
/// peripheral that does not own TCK. A violation by a call that cannot throw (a pin write) is kept
/// in `violation` and thrown by the next call that can; the first one wins.
///
/// Time model (`statistics.simulatedMicroseconds`, for benchmarks): a bit clocked by the SPI master
/// takes one TCK period at the SPI clock; each SPI transfer adds `spiTransferGapNanoseconds` of
/// set-up, hidden behind the previous transfer's shifting when that one is still in flight; a bit
/// clocked by GPIO takes `gpioBitNanoseconds` (the dedicated-GPIO loop's bit time) or the period of
/// the GPIO's maximum frequency, whichever is longer. The simulator's own clock is this time.
public final class JTAGWire {
    public enum TCKOwner: Sendable, Equatable {
        case gpio
        case spi
    }

    public let board: SimulatedECP5

    /// Who drives TCK (and TDI) now.
    public internal(set) var owner: TCKOwner = .gpio
    /// Levels the GPIO outputs drive. After `tapwalker_jtag_gpio_init`: TCK low, TMS high, TDI low.
    public internal(set) var gpioTCK = false
    public internal(set) var tms = true
    public internal(set) var tdi = false
    /// The TDO pin: what the target drove since the last falling edge of TCK.
    public internal(set) var tdo = false
    /// The first rule broken by a call that could not throw; nil while everything was legal.
    public internal(set) var violation: TapWalkerError?

    /// The dedicated-GPIO loop's time per bit: 200 ns, i.e. 5 MHz (derivation in docs/firmware.md,
    /// "Time model of the virtual ESP32"; not measured on hardware).
    public var gpioBitNanoseconds: UInt64 = 200
    /// Set-up time of one SPI transfer: ESP32-C3, interrupt transactions with DMA, 28 µs
    /// (docs/firmware.md, SPI master, "Transaction duration").
    public var spiTransferGapNanoseconds: UInt64 = 28_000

    /// The SPI clock in Hz and the GPIO loop's upper bound in Hz (both the ECP5's 25 MHz at first).
    public internal(set) var spiHz: UInt32 = 25_000_000
    public internal(set) var gpioMaximumHz: UInt32 = 25_000_000

    /// The CPU's time: where the program is (it runs ahead of the SPI master while transfers are in
    /// flight). The board's time is the TCK's.
    var cpuNanoseconds: UInt64 = 0
    /// When the last queued SPI transfer ends, in the board's time.
    var spiBusyUntil: UInt64 = 0
    let buffers = JTAGWireBuffers()

    public init(board: SimulatedECP5) {
        self.board = board
        board.tckPeriodNanoseconds = JTAGWire.period(spiHz)
    }

    /// A wire to a simulated board made as the `sim` cable makes it (part, TCK, flash chip).
    public convenience init(options: SimOptions) {
        let board = SimulatedECP5(part: options.part)
        board.flash = SimulatedFlash(chip: options.flash)
        self.init(board: board)
        spiHz = min(options.tck, SimOptions.maximumTCK)
        board.tckPeriodNanoseconds = JTAGWire.period(spiHz)
    }

    /// TCK cycles so far and the simulated time (the later of the CPU's and the TCK's).
    public var statistics: CableStatistics {
        CableStatistics(tckCycles: board.cycles, simulatedMicroseconds: nowNanoseconds / 1000)
    }

    var nowNanoseconds: UInt64 { max(cpuNanoseconds, board.timeNanoseconds) }

    /// Lets time pass with TCK idle (the CPU sleeping): the board sees it.
    public func sleep(nanoseconds: UInt64) {
        cpuNanoseconds = nowNanoseconds &+ nanoseconds
        board.wait(nanoseconds: cpuNanoseconds - board.timeNanoseconds)
    }

    // MARK: - Rules

    func record(_ message: String) {
        if violation == nil { violation = TapWalkerError(.cable, "virtual ESP32 JTAG: " + message) }
    }

    func check() throws(TapWalkerError) {
        if let violation { throw violation }
    }

    // MARK: - Clocking by GPIO

    var gpioPeriod: UInt64 { max(gpioBitNanoseconds, JTAGWire.period(gpioMaximumHz)) }

    /// The TCK line driven by the GPIO bundle to `high`.
    func gpioSetTCK(_ high: Bool) {
        if owner != .gpio {
            if high != gpioTCK { record("the GPIO bundle moved TCK while the SPI master owns it (an edge from a peripheral that does not drive the pin)") }
            gpioTCK = high
            return
        }
        if high && !gpioTCK {
            // The time since the last edge is one GPIO bit.
            catchUpForGPIO()
            board.tckPeriodNanoseconds = gpioPeriod
            tdo = board.clock(tms: tms, tdi: tdi)
            board.tckPeriodNanoseconds = JTAGWire.period(spiHz)
            cpuNanoseconds = board.timeNanoseconds
        } else if !high && gpioTCK {
            tdo = board.tdo
        }
        gpioTCK = high
    }

    /// GPIO clocking starts no earlier than the CPU is (after a sleep).
    func catchUpForGPIO() {
        if cpuNanoseconds > board.timeNanoseconds { board.wait(nanoseconds: cpuNanoseconds - board.timeNanoseconds) }
    }

    static func period(_ hz: UInt32) -> UInt64 {
        (1_000_000_000 + UInt64(hz) / 2) / UInt64(max(1, hz))
    }
}

extension JTAGWire {
    /// FNV-1a of the first `count` bytes: a transfer's buffer as it was queued.
    static func digest(_ b: UnsafeRawBufferPointer, _ count: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<count { h = (h ^ UInt64(b[i])) &* 0x100_0000_01b3 }
        return h
    }
}
