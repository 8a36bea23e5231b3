import TapWalkerCore

/// A transfer queued on an `SPIMaster`, to be awaited.
public struct SPITransfer: Equatable, Sendable {
    public let id: Int
    public init(id: Int) { self.id = id }
}

/// Board support: the SPI peripheral with TCK on its clock, TDI on MOSI and TDO on MISO, for
/// long shifts (a bitstream, a flash page) while TMS is held low. Full duplex, mode 0 (TDI
/// changes on the falling edge, TDO is sampled on the rising one, as JTAG wants), and bits go
/// out and come in least significant first, as JTAG shifts them — the ESP32's LSB-first
/// transfer flags spare a bit reversal (ESP-IDF SPI master documentation). Two transfers may be
/// in flight, so the CPU fills the next buffer while DMA clocks out the current one.
///
/// TCK hand-over (docs/firmware.md, "TCK hand-over between dedicated GPIO and SPI"): the pins
/// TCK and TDI belong to `JTAGPins` until a transfer is queued with none in flight; that `queue`
/// routes them to the SPI clock and data outputs (on the chip: the GPIO matrix, with the bus
/// acquired). The `await` that leaves none in flight routes them back to the GPIO outputs. Both
/// TCK sources are low at either switch — the GPIO shift ends with TCK low and mode 0's clock
/// idles low — so the target sees no edge. The caller keeps TMS low on its GPIO for as long as
/// transfers are in flight and clocks nothing by GPIO meanwhile.
public protocol SPIMaster: AnyObject {
    /// Transfers that may be queued before one is awaited (at least 2).
    var maximumInFlight: Int { get }
    /// Bits one transfer may hold (2^18 on the C3 and C6 with DMA).
    var maximumTransferBits: Int { get }
    /// Sets the clock (at most `ESP32Chip.maximumTCKHz` for an ECP5); returns the clock the
    /// peripheral will actually use.
    func configure(clockHz: Int) throws(TapWalkerError) -> Int
    /// Whether one transfer can move exactly `bits` bits. The C3 and C6 cannot send 8k+1 bits
    /// with DMA (docs/firmware.md, "Supported bit lengths"; `tapwalker_jtag_spi_length_supported`);
    /// the caller then clocks one bit by GPIO instead.
    func supports(bits: Int) -> Bool
    /// Queues `bits` bits from `output` (LSB first); what comes back on TDO is stored in `input`
    /// when given (nil: TDO is not captured). The buffers must stay valid and untouched until the
    /// transfer is awaited. On the chip: `tapwalker_jtag_spi_queue_buffers`.
    func queue(bits: Int, output: UnsafeRawBufferPointer, input: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) -> SPITransfer
    /// Waits until `transfer` (the oldest still queued) is done. On the chip:
    /// `tapwalker_jtag_spi_wait`.
    func await(_ transfer: SPITransfer) throws(TapWalkerError)
}
