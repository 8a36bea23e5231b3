import TapWalkerCore
import TapWalkerDevice

/// SPIMaster over bsp_jtag_spi.c: SPI2 with DMA, mode 0, LSB first, TCK on its clock. Transfers
/// go straight from the caller's buffers (tapwalker_jtag_spi_queue_buffers; the driver copies a
/// buffer that is not DMA-capable), two at a time, one per DMA slot. The first queued transfer
/// hands TCK and TDI from dedicated GPIO to SPI2 and the last awaited one hands them back, with
/// TCK low on both sides (the C file explains why no edge reaches the target).
final class ESP32SPIMaster: SPIMaster {
    let maximumInFlight = Int(TAPWALKER_JTAG_SPI_SLOTS)
    /// One DMA slot's worth: bsp_jtag_spi.c refuses longer transactions.
    let maximumTransferBits = Int(TAPWALKER_JTAG_SPI_SLOT_BYTES) * 8

    /// TCK falling edge to TDO valid at the ESP32's pin: the ECP5's output delay (at most 10 ns,
    /// tTVO in the ECP5 family data sheet's JTAG port timing) plus 5 ns for the board's wiring.
    /// The SPI driver takes it as input_delay_ns to place its MISO sampling (docs/firmware.md).
    static let tdoValidNanoseconds: Int32 = 15

    private let pins: ESP32JTAGPins
    private var configured = false
    /// Identifiers of the transfers queued and not yet awaited: oldest ..< next.
    private var oldest = 0
    private var next = 0

    init(pins: ESP32JTAGPins) {
        self.pins = pins
    }

    func configure(clockHz: Int) throws(TapWalkerError) -> Int {
        guard oldest == next else { throw TapWalkerError(.usage, "SPI clock change while transfers are in flight") }
        guard clockHz > 0 else { throw TapWalkerError(.usage, "SPI clock of \(clockHz) Hz") }
        try pins.claim()  // the SPI device takes TCK/TDI/TDO over from the claimed bundle
        if configured {
            _ = tapwalker_jtag_spi_deinit()
            configured = false
        }
        let hz = UInt32(min(clockHz, ESP32Chip.maximumTCKHz))
        try ESP32Error.check(tapwalker_jtag_spi_init(hz, Self.tdoValidNanoseconds), "SPI master for JTAG at \(hz) Hz", kind: .cable)
        configured = true
        return Int(tapwalker_jtag_spi_actual_hz())
    }

    /// The ESP32-C3 and C6 cannot send 8k+1 bits with DMA (tapwalker_jtag_spi_length_supported).
    func supports(bits: Int) -> Bool {
        bits > 0 && bits <= maximumTransferBits && tapwalker_jtag_spi_length_supported(bits)
    }

    func queue(bits: Int, output: UnsafeRawBufferPointer, input: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) -> SPITransfer {
        guard configured else { throw TapWalkerError(.usage, "SPI transfer before the SPI clock is configured") }
        let bytes = (bits + 7) / 8
        guard supports(bits: bits), output.count >= bytes, (input?.count ?? bytes) >= bytes else {
            throw TapWalkerError(.usage, "SPI transfer of \(bits) bits (the SPI master cannot send that length, or a buffer is shorter than \(bytes) bytes)")
        }
        guard next - oldest < maximumInFlight else {
            throw TapWalkerError(.usage, "SPI transfer queued with \(maximumInFlight) already in flight")
        }
        try pins.claim()
        try ESP32Error.check(tapwalker_jtag_spi_queue_buffers(output.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                              input?.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                              bits, nil),
                             "SPI transfer of \(bits) bits", kind: .cable)
        next += 1
        return SPITransfer(id: next - 1)
    }

    /// Waits for every transfer up to `transfer`: the driver completes them in queue order.
    func await(_ transfer: SPITransfer) throws(TapWalkerError) {
        guard transfer.id >= oldest, transfer.id < next else {
            throw TapWalkerError(.usage, "SPI transfer \(transfer.id) is not in flight")
        }
        while oldest <= transfer.id {
            let code = tapwalker_jtag_spi_wait(nil)
            oldest += 1
            try ESP32Error.check(code, "SPI transfer", kind: .cable)
        }
    }
}
