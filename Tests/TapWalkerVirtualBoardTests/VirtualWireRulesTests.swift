import TapWalkerCore
import TapWalkerDevice
import TapWalkerSim
import TapWalkerVirtualBoard
import Testing

/// Each rule of the virtual pins and SPI master fires for a sequence that breaks it.
@Suite("Virtual JTAG wire rules")
struct VirtualWireRulesTests {
    let wire = JTAGWire(options: SimOptions())
    var pins: VirtualJTAGPins { VirtualJTAGPins(wire: wire) }
    var spi: VirtualSPIMaster { VirtualSPIMaster(wire: wire) }
    let data = [UInt8](repeating: 0xA5, count: 64)

    private func queue(_ spi: VirtualSPIMaster, bits: Int = 256) throws(TapWalkerError) -> SPITransfer {
        try data.withBytes { (d) throws(TapWalkerError) in try spi.queue(bits: bits, output: d, input: nil) }
    }

    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as TapWalkerError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test("the SPI master refuses to clock while TMS is high")
    func tmsHigh() {
        let spi = spi
        // After the GPIO's init TMS is high.
        #expect(message { _ = try queue(spi) }?.contains("TMS is high") == true)
    }

    @Test("TCK high on the GPIO at the hand-over is refused")
    func glitchAtHandOver() {
        let (pins, spi) = (pins, spi)
        pins.setTMS(false)
        pins.setTCK(true)
        #expect(message { _ = try queue(spi) }?.contains("TCK is high") == true)
    }

    @Test("a TCK edge from the GPIO while the SPI master owns TCK is reported at the next call")
    func edgeFromNonOwner() throws {
        let (pins, spi) = (pins, spi)
        pins.setTMS(false)
        let t = try queue(spi)
        #expect(wire.owner == .spi)
        pins.setTCK(true)
        #expect(wire.violation?.message.contains("does not drive the pin") == true)
        #expect(message { try spi.await(t) }?.contains("does not drive the pin") == true)
    }

    @Test("a GPIO shift while a transfer is in flight is refused")
    func gpioShiftDuringSPI() throws {
        let (pins, spi) = (pins, spi)
        pins.setTMS(false)
        let t = try queue(spi)
        #expect(message { try pins.shift(tms: nil, tdi: nil, tdo: nil, bits: 3) }?.contains("owns TCK") == true)
        try spi.await(t)
        try pins.shift(tms: nil, tdi: nil, tdo: nil, bits: 3)
    }

    @Test("TMS raised while a transfer is in flight is reported")
    func tmsRaisedDuringSPI() throws {
        let (pins, spi) = (pins, spi)
        pins.setTMS(false)
        let t = try queue(spi)
        pins.setTMS(true)
        #expect(message { try spi.await(t) }?.contains("TMS went high") == true)
    }

    @Test("no more than maximumInFlight transfers, none longer than maximumTransferBits, none of 8k+1 bits")
    func limits() throws {
        let (pins, spi) = (pins, spi)
        pins.setTMS(false)
        let big = [UInt8](repeating: 0, count: spi.maximumTransferBits / 8 + 1)
        #expect(message {
            _ = try big.withBytes { (d) throws(TapWalkerError) in try spi.queue(bits: spi.maximumTransferBits + 8, output: d, input: nil) }
        }?.contains("per transfer") == true)
        #expect(message { _ = try queue(spi, bits: 257) }?.contains("8k+1") == true)
        for _ in 0..<spi.maximumInFlight { _ = try queue(spi) }
        #expect(message { _ = try queue(spi) }?.contains("at most \(spi.maximumInFlight)") == true)
    }

    @Test("awaits must take the oldest transfer first, and only one that is in flight")
    func awaitOrder() throws {
        let (pins, spi) = (pins, spi)
        pins.setTMS(false)
        let a = try queue(spi), b = try queue(spi)
        #expect(message { try spi.await(b) }?.contains("out of order") == true)
        try spi.await(a)
        try spi.await(b)
        #expect(message { try spi.await(b) }?.contains("none in flight") == true)
        #expect(wire.owner == .gpio)
    }

    @Test("an output buffer changed while its transfer is in flight is caught at the await")
    func bufferTouched() throws {
        let (pins, spi) = (pins, spi)
        pins.setTMS(false)
        var buffer = [UInt8](repeating: 0x3C, count: 32)
        let t = try buffer.withBytes { (d) throws(TapWalkerError) in try spi.queue(bits: 256, output: d, input: nil) }
        buffer[5] = 0
        #expect(message { try spi.await(t) }?.contains("changed while it was in flight") == true)
    }

    @Test("setup time: TMS or TDI changing in the same bundle write as TCK's rising edge is reported")
    func setupTime() {
        let pins = pins
        pins.writeBundle(pins.tckBit | pins.tdiBit, mask: pins.tckBit | pins.tdiBit)
        #expect(wire.violation?.message.contains("set-up") == true)
    }

    @Test("a legal sequence leaves no violation and counts the edges")
    func legal() throws {
        let (pins, spi) = (pins, spi)
        pins.writeBundle(0, mask: pins.tmsBit | pins.tdiBit)
        pins.setTCK(true)
        pins.setTCK(false)
        let t = try queue(spi, bits: 256)
        try spi.await(t)
        #expect(wire.violation == nil && wire.statistics.tckCycles == 257)
    }
}
