import TapWalkerCore
import TapWalkerDevice

/// JTAGPins over the dedicated-GPIO bundle of bsp_jtag_gpio.c: TCK, TMS and TDI are bundle bits
/// 0, 1 and 2 (TAPWALKER_JTAG_BIT_*), so a bundle value goes to the C side as it is, and `shift`
/// runs the C loop that clocks whole runs of bits with interrupts masked.
///
/// The pins are claimed when first used rather than when this is made, and again after `release`
/// hands them to the board's own JTAG connector, so a wrong pin number in tapwalker.conf shows up
/// as a failed job with IDF's reason instead of a device that does not boot. On the ESP32-P4 the
/// claim must happen on the task that runs the JTAG jobs (dedicated GPIO channels belong to one
/// core; sdkconfig.defaults.esp32p4 keeps every task on core 0).
final class ESP32JTAGPins: JTAGPins {
    let tckBit = UInt32(TAPWALKER_JTAG_BIT_TCK)
    let tmsBit = UInt32(TAPWALKER_JTAG_BIT_TMS)
    let tdiBit = UInt32(TAPWALKER_JTAG_BIT_TDI)

    /// Nil: tapwalker.conf names no JTAG pins, so there is no cable to drive.
    let assignment: JTAGPinAssignment?
    private(set) var claimed = false
    /// The TCK limit of the GPIO path, applied again at every claim (claiming resets it in C).
    private var maximumHertz = UInt32(TAPWALKER_JTAG_MAX_TCK_HZ)

    init(_ assignment: JTAGPinAssignment?) {
        self.assignment = assignment
    }

    /// Makes the pins a dedicated-GPIO bundle, if they are not one already: TCK low, TMS high,
    /// TDI low.
    func claim() throws(TapWalkerError) {
        guard !claimed else { return }
        guard let a = assignment else {
            throw TapWalkerError(.usage, "no JTAG pins: set [jtag] preset, or tck, tms, tdi and tdo, in tapwalker.conf")
        }
        var pins = tapwalker_jtag_pins_t(tck: Int32(a.tck), tms: Int32(a.tms), tdi: Int32(a.tdi), tdo: Int32(a.tdo))
        try ESP32Error.check(tapwalker_jtag_gpio_init(&pins),
                             "JTAG pins TCK \(a.tck), TMS \(a.tms), TDI \(a.tdi), TDO \(a.tdo)", kind: .cable)
        claimed = true
        try ESP32Error.check(tapwalker_jtag_gpio_set_max_hz(maximumHertz), "JTAG TCK limit of \(maximumHertz) Hz", kind: .cable)
    }

    /// Bounds TCK of `shift` (at most TAPWALKER_JTAG_MAX_TCK_HZ, the ECP5's 25 MHz): each phase
    /// lasts at least half the period, counted in CPU cycles by bsp_jtag_gpio.c.
    func setMaximumFrequency(_ hertz: UInt32) throws(TapWalkerError) {
        guard hertz > 0 else { throw TapWalkerError(.usage, "JTAG TCK limit of 0 Hz") }
        maximumHertz = min(hertz, UInt32(TAPWALKER_JTAG_MAX_TCK_HZ))
        if claimed {
            try ESP32Error.check(tapwalker_jtag_gpio_set_max_hz(maximumHertz), "JTAG TCK limit of \(maximumHertz) Hz", kind: .cable)
        }
    }

    func setTCK(_ high: Bool) { writeBundle(high ? tckBit : 0, mask: tckBit) }
    func setTMS(_ high: Bool) { writeBundle(high ? tmsBit : 0, mask: tmsBit) }
    func setTDI(_ high: Bool) { writeBundle(high ? tdiBit : 0, mask: tdiBit) }

    func readTDO() -> Bool {
        guard (try? claim()) != nil else { return false }
        return tapwalker_jtag_gpio_read_tdo() == 1
    }

    /// The non-throwing calls do nothing when the pins cannot be claimed; the next `shift` throws
    /// the reason.
    func writeBundle(_ value: UInt32, mask: UInt32) {
        guard (try? claim()) != nil else { return }
        _ = tapwalker_jtag_gpio_write(mask, value)
    }

    func shift(tms: UnsafeRawBufferPointer?, tdi: UnsafeRawBufferPointer?, tdo: UnsafeMutableRawBufferPointer?,
               bits: Int) throws(TapWalkerError) {
        guard bits > 0 else { return }
        let bytes = (bits + 7) / 8
        guard (tms?.count ?? bytes) >= bytes, (tdi?.count ?? bytes) >= bytes, (tdo?.count ?? bytes) >= bytes else {
            throw TapWalkerError(.usage, "JTAG shift of \(bits) bits with a buffer shorter than \(bytes) bytes")
        }
        try claim()
        try ESP32Error.check(tapwalker_jtag_gpio_shift(tms?.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                       tdi?.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                       tdo?.baseAddress?.assumingMemoryBound(to: UInt8.self), bits),
                             "JTAG shift of \(bits) bits", kind: .cable)
    }

    func release() {
        guard claimed else { return }
        _ = tapwalker_jtag_gpio_deinit()
        claimed = false
    }
}
