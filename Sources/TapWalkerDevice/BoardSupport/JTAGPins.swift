import TapWalkerCore

/// Board support: the four JTAG signals as GPIOs, for the bit-level path (TAP state moves, short
/// shifts) that the SPI peripheral cannot do because TMS must change with TDI on each clock.
/// On the chip, the pins are one dedicated-GPIO bundle (ESP-IDF "Dedicated GPIO"), so that
/// `writeBundle` sets TCK, TMS and TDI in a single CPU instruction.
///
/// While `SPIMaster` transfers are in flight, TCK and TDI are the SPI master's (see its TCK
/// hand-over): nothing here may move TCK or clock, and TMS stays low.
public protocol JTAGPins: AnyObject {
    /// Bit positions of the signals in a bundle value for `writeBundle`.
    var tckBit: UInt32 { get }
    var tmsBit: UInt32 { get }
    var tdiBit: UInt32 { get }

    func setTCK(_ high: Bool)
    func setTMS(_ high: Bool)
    func setTDI(_ high: Bool)
    /// TDO as it is now; sampled by the caller after the rising edge of TCK.
    func readTDO() -> Bool
    /// Drives the bundle pins selected by `mask` to the matching bits of `value`, all at once.
    func writeBundle(_ value: UInt32, mask: UInt32)
    /// Clocks `bits` TCK cycles in a loop below Swift: before rising edge i, TMS and TDI take bit
    /// i (LSB first) of `tms` and `tdi` (nil holds the line low); TDO read just after that edge
    /// goes to bit i of `tdo` (nil discards it). Ends with TCK low. For TAP moves and shifts too
    /// short for the SPI master; the clock never exceeds the configured TCK.
    func shift(tms: UnsafeRawBufferPointer?, tdi: UnsafeRawBufferPointer?, tdo: UnsafeMutableRawBufferPointer?,
               bits: Int) throws(TapWalkerError)
    /// Upper bound for TCK on this path in Hz (at most the ECP5's 25 MHz); `shift` never clocks
    /// faster. On the chip: `tapwalker_jtag_gpio_set_max_hz`, which times each phase in CPU cycles.
    func setMaximumFrequency(_ hertz: UInt32) throws(TapWalkerError)
    /// Turns TCK, TMS and TDI into inputs again, so the board's own JTAG connector can be used
    /// (the original released the pins after every job).
    func release()
}
