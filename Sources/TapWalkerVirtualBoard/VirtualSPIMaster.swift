import TapWalkerCore
import TapWalkerDevice
import TapWalkerSim

/// The ESP32-C3's SPI2 with DMA on a `JTAGWire`: SCLK on TCK, MOSI on TDI, MISO on TDO, mode 0,
/// LSB first, as `bsp_jtag_spi.c` sets it up.
///
/// Strict where the chip or its driver is (docs/firmware.md, SPI master and the TCK hand-over):
/// a transfer is refused when TMS is high, when TCK is high on the GPIO side at the hand-over,
/// when `maximumInFlight` are already queued, when it is longer than `maximumTransferBits` or of a
/// length the C3 cannot send (8k+1 bits), and an await must name the oldest transfer in flight.
/// The output buffer must not change while its transfer is in flight (checked at the await by a
/// digest taken at the queue); captured TDO reaches `input` only at the await, as DMA leaves it
/// there only once the transfer is done.
///
/// For speed the whole transfer is fed to the simulator when it is queued: it is the same run of
/// rising edges with TMS low, and the preconditions are checked first.
public final class VirtualSPIMaster: SPIMaster {
    public let wire: JTAGWire

    /// Two DMA slots (`TAPWALKER_JTAG_SPI_SLOTS`).
    public let maximumInFlight = 2
    /// One slot of 4096 bytes, the bus's `max_transfer_sz` (the hardware's own limit, 2^18 bits on
    /// the C3, is higher).
    public let maximumTransferBits = 4096 * 8
    /// Transfers queued so far, and the most that were in flight at once.
    public private(set) var transfersQueued = 0
    public private(set) var peakInFlight = 0

    private struct InFlight {
        var id: Int
        var bits: Int
        var output: UnsafeRawBufferPointer
        var outputDigest: UInt64
        var input: UnsafeMutableRawBufferPointer?
        /// TDO as the simulator gave it, held until the await.
        var captured: [UInt8]
        var endNanoseconds: UInt64
    }
    private var inFlight: [InFlight] = []
    private var nextID = 1

    public init(wire: JTAGWire) {
        self.wire = wire
    }

    /// The clock the divider gives. The model takes the request (at most the ECP5's 25 MHz) as it
    /// is; on the C3 the 80 MHz source divides to 20 MHz for a 25 MHz request (docs/firmware.md).
    public func configure(clockHz: Int) throws(TapWalkerError) -> Int {
        guard clockHz > 0 else { throw TapWalkerError(.cable, "virtual ESP32 SPI: a clock of \(clockHz) Hz") }
        guard inFlight.isEmpty else {
            throw TapWalkerError(.cable, "virtual ESP32 SPI: clock changed with \(inFlight.count) transfer(s) in flight")
        }
        wire.spiHz = UInt32(min(clockHz, Int(SimOptions.maximumTCK)))
        wire.board.tckPeriodNanoseconds = JTAGWire.period(wire.spiHz)
        return Int(wire.spiHz)
    }

    public func supports(bits: Int) -> Bool { bits > 0 && bits & 7 != 1 }

    public func queue(bits: Int, output: UnsafeRawBufferPointer, input: UnsafeMutableRawBufferPointer?)
        throws(TapWalkerError) -> SPITransfer
    {
        try wire.check()
        let bytes = (bits + 7) / 8
        guard bits > 0, bits <= maximumTransferBits else {
            throw TapWalkerError(.cable, "virtual ESP32 SPI: a transfer of \(bits) bits (1 to \(maximumTransferBits) per transfer)")
        }
        guard supports(bits: bits) else {
            throw TapWalkerError(.cable, "virtual ESP32 SPI: \(bits) bits is 8k+1, which the C3's SPI cannot send with DMA")
        }
        guard output.count >= bytes, input.map({ $0.count >= bytes }) ?? true else {
            throw TapWalkerError(.cable, "virtual ESP32 SPI: buffers shorter than \(bytes) bytes for \(bits) bits")
        }
        guard inFlight.count < maximumInFlight else {
            throw TapWalkerError(.cable, "virtual ESP32 SPI: a transfer queued with \(inFlight.count) in flight (at most \(maximumInFlight); await one first)")
        }
        guard !wire.tms else {
            throw TapWalkerError(.cable, "virtual ESP32 SPI: a transfer queued while TMS is high (the SPI master clocks only with TMS held low)")
        }
        if wire.owner == .gpio {
            // The hand-over: TCK must be low on the GPIO side as the SPI's idle clock is.
            guard !wire.gpioTCK else {
                throw TapWalkerError(.cable, "virtual ESP32 SPI: TCK is high on the GPIO when the SPI master takes it (the switch would make an edge)")
            }
            wire.owner = .spi
        }
        let board = wire.board
        // Time: the set-up starts now (CPU time), the bits after the previous transfer's.
        let start = max(wire.cpuNanoseconds &+ wire.spiTransferGapNanoseconds, max(wire.spiBusyUntil, board.timeNanoseconds))
        if start > board.timeNanoseconds { board.wait(nanoseconds: start - board.timeNanoseconds) }
        var captured = [UInt8](repeating: 0, count: input == nil ? 0 : bytes)
        captured.withUnsafeMutableBytes { c in
            feed(bits: bits, output: output, tdo: input == nil ? nil : c)
        }
        wire.spiBusyUntil = board.timeNanoseconds
        let id = nextID
        nextID += 1
        transfersQueued += 1
        inFlight.append(InFlight(id: id, bits: bits, output: output, outputDigest: JTAGWire.digest(output, bytes),
                                 input: input, captured: captured, endNanoseconds: board.timeNanoseconds))
        peakInFlight = max(peakInFlight, inFlight.count)
        return SPITransfer(id: id)
    }

    public func await(_ transfer: SPITransfer) throws(TapWalkerError) {
        try wire.check()
        guard let first = inFlight.first else {
            throw TapWalkerError(.cable, "virtual ESP32 SPI: await of transfer \(transfer.id) with none in flight")
        }
        guard first.id == transfer.id else {
            throw TapWalkerError(.cable, "virtual ESP32 SPI: await of transfer \(transfer.id) out of order (the oldest in flight is \(first.id))")
        }
        inFlight.removeFirst()
        let bytes = (first.bits + 7) / 8
        guard JTAGWire.digest(first.output, bytes) == first.outputDigest else {
            throw TapWalkerError(.cable, "virtual ESP32 SPI: the output buffer of transfer \(first.id) changed while it was in flight")
        }
        if let input = first.input {
            for i in 0..<bytes { input[i] = first.captured[i] }
        }
        wire.cpuNanoseconds = max(wire.cpuNanoseconds, first.endNanoseconds)
        if inFlight.isEmpty {
            // TCK and TDI go back to the GPIO bundle, both sides low; TDO shows the last bit's.
            wire.owner = .gpio
            wire.tdo = wire.board.tdo
        }
    }

    /// The transfer's rising edges, TMS low, TDI from `output` LSB first, TDO into `tdo`.
    private func feed(bits: Int, output: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?) {
        let board = wire.board
        var i = 0
        if tdo == nil, bits & 7 == 0, board.state == .shiftDR, wire.burstFromLSBFirst(output, bytes: bits / 8) {
            i = bits
        }
        let tms = wire.zeros((bits + 7) / 8)
        while i < bits {
            if board.spiShifting {
                let n = board.shiftSPI(bits: bits, tms: tms, tdi: output, tdo: tdo, from: i)
                i += n
                if i == bits { break }
            }
            let d = output[i >> 3] >> UInt8(i & 7) & 1 == 1
            if board.clock(tms: false, tdi: d), let tdo { tdo[i >> 3] |= UInt8(1 << (i & 7)) }
            i += 1
        }
    }
}
