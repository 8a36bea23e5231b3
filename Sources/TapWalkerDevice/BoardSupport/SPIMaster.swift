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
public protocol SPIMaster: AnyObject {
    /// Transfers that may be queued before one is awaited (at least 2).
    var maximumInFlight: Int { get }
    /// Bits one transfer may hold (2^18 on the C3 and C6 with DMA).
    var maximumTransferBits: Int { get }
    /// Sets the clock (at most `ESP32Chip.maximumTCKHz` for an ECP5); returns the clock the
    /// peripheral will actually use.
    func configure(clockHz: Int) throws(TapWalkerError) -> Int
    /// Queues `bits` bits from `output`; what comes back is stored in `input` when given. The
    /// buffers must stay valid and untouched until the transfer is awaited.
    func queue(bits: Int, output: UnsafeRawBufferPointer, input: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) -> SPITransfer
    /// Waits until `transfer` (the oldest still queued) is done.
    func await(_ transfer: SPITransfer) throws(TapWalkerError)
}
