import TapWalkerCore
import TapWalkerDevice
import TapWalkerSim

/// The ESP32's dedicated-GPIO bundle on a `JTAGWire`: TCK bit 0, TMS bit 1, TDI bit 2, as
/// `tapwalker_bsp.h` numbers them. `shift` is the model of the C loop `tapwalker_jtag_gpio_shift`.
public final class VirtualJTAGPins: JTAGPins {
    public let wire: JTAGWire
    /// Pins handed back with `release`; the next use claims them again as the C glue's init does.
    public private(set) var released = false

    public init(wire: JTAGWire) {
        self.wire = wire
    }

    public var tckBit: UInt32 { 1 << 0 }
    public var tmsBit: UInt32 { 1 << 1 }
    public var tdiBit: UInt32 { 1 << 2 }

    public func setTCK(_ high: Bool) {
        claim()
        wire.gpioSetTCK(high)
    }

    public func setTMS(_ high: Bool) {
        claim()
        if high && wire.owner == .spi && !wire.tms {
            wire.record("TMS went high while the SPI master was clocking (a transfer in flight shifts with TMS low only)")
        }
        wire.tms = high
    }

    public func setTDI(_ high: Bool) {
        claim()
        wire.tdi = high
    }

    public func readTDO() -> Bool { wire.tdo }

    public func writeBundle(_ value: UInt32, mask: UInt32) {
        claim()
        let changesData = (mask & tmsBit != 0 && (value & tmsBit != 0) != wire.tms)
            || (mask & tdiBit != 0 && (value & tdiBit != 0) != wire.tdi)
        if mask & tckBit != 0 && value & tckBit != 0 && !wire.gpioTCK && changesData {
            wire.record("TMS or TDI changed in the same bundle write as a rising TCK edge (no set-up time)")
        }
        if mask & tmsBit != 0 { setTMS(value & tmsBit != 0) }
        if mask & tdiBit != 0 { wire.tdi = value & tdiBit != 0 }
        if mask & tckBit != 0 { wire.gpioSetTCK(value & tckBit != 0) }
    }

    public func setMaximumFrequency(_ hertz: UInt32) throws(TapWalkerError) {
        guard hertz > 0 else { throw TapWalkerError(.cable, "virtual ESP32 JTAG: a GPIO TCK limit of 0 Hz") }
        wire.gpioMaximumHz = min(hertz, SimOptions.maximumTCK)
    }

    public func shift(tms: UnsafeRawBufferPointer?, tdi: UnsafeRawBufferPointer?, tdo: UnsafeMutableRawBufferPointer?,
                      bits: Int) throws(TapWalkerError) {
        claim()
        try wire.check()
        guard wire.owner == .gpio else {
            throw TapWalkerError(.cable, "virtual ESP32 JTAG: GPIO shift of \(bits) bits while the SPI master owns TCK (await every transfer first)")
        }
        guard bits > 0 else { return }
        if wire.gpioTCK { wire.gpioSetTCK(false) }
        let board = wire.board
        wire.catchUpForGPIO()
        board.tckPeriodNanoseconds = wire.gpioPeriod
        defer {
            board.tckPeriodNanoseconds = JTAGWire.period(wire.spiHz)
            wire.cpuNanoseconds = board.timeNanoseconds
        }
        let bytes = (bits + 7) / 8
        if let tdo { for i in 0..<bytes { tdo[i] = 0 } }
        var i = 0
        // The same edges as the loop below, taken in bulk by the simulator where it can: a run of
        // Shift-DR bits with TMS low into the burst register or the SPI bridge.
        if tms == nil, let tdi {
            if tdo == nil, bits & 7 == 0, board.state == .shiftDR {
                let done = wire.burstFromLSBFirst(tdi, bytes: bytes)
                if done { i = bits }
            }
            if i < bits, board.spiShifting {
                i = board.shiftSPI(bits: bits, tms: wire.zeros(bytes), tdi: tdi, tdo: tdo, from: 0)
            }
        }
        var m = false, d = false
        while i < bits {
            m = tms.map { $0[i >> 3] >> UInt8(i & 7) & 1 == 1 } ?? false
            d = tdi.map { $0[i >> 3] >> UInt8(i & 7) & 1 == 1 } ?? false
            if board.spiShifting && !m, let tdi, let tms {
                let n = board.shiftSPI(bits: bits, tms: tms, tdi: tdi, tdo: tdo, from: i)
                if n > 0 { i += n; continue }
            }
            if board.clock(tms: m, tdi: d), let tdo { tdo[i >> 3] |= UInt8(1 << (i & 7)) }
            i += 1
        }
        let last = bits - 1
        wire.tms = tms.map { $0[last >> 3] >> UInt8(last & 7) & 1 == 1 } ?? false
        wire.tdi = tdi.map { $0[last >> 3] >> UInt8(last & 7) & 1 == 1 } ?? false
        // Ends with TCK low: TDO shows what the target drives after the last falling edge.
        wire.gpioTCK = false
        wire.tdo = board.tdo
    }

    public func release() {
        released = true
    }

    /// After `release`, the C glue's init claims the pins again: TCK low, TMS high, TDI low.
    private func claim() {
        guard released else { return }
        released = false
        wire.gpioTCK = false
        wire.tms = true
        wire.tdi = false
    }
}
