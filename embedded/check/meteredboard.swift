import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices
import TapWalkerSim
import TapWalkerVirtualBoard

/// The virtual ESP32's GPIO bundle, SPI master and clock with every call bracketed by the meters
/// (meter.h), as `MeteredCable` brackets the simulated cable: the wire and the simulated board
/// behind it stand for the chip's peripherals and the FPGA, so their instructions and heap are not
/// TapWalker's. (On the chip the GPIO loop `shift` models is C in IRAM, docs/firmware.md.)
final class MeteredBoard {
    let wire: JTAGWire
    let pins: MeteredPins
    let spi: MeteredSPI?
    let clock: MeteredClock

    init(options: SimOptions, spi withSPI: Bool) {
        meter_simulator_enter()
        wire = JTAGWire(options: options)
        pins = MeteredPins(VirtualJTAGPins(wire: wire))
        spi = withSPI ? MeteredSPI(VirtualSPIMaster(wire: wire)) : nil
        clock = MeteredClock(JTAGWireClock(wire: wire))
        meter_simulator_leave()
    }

    var board: SimulatedECP5 { wire.board }
}

final class MeteredPins: JTAGPins {
    let inner: VirtualJTAGPins
    init(_ inner: VirtualJTAGPins) { self.inner = inner }

    var tckBit: UInt32 { inner.tckBit }
    var tmsBit: UInt32 { inner.tmsBit }
    var tdiBit: UInt32 { inner.tdiBit }

    func setTCK(_ high: Bool) {
        meter_simulator_enter()
        inner.setTCK(high)
        meter_simulator_leave()
    }

    func setTMS(_ high: Bool) {
        meter_simulator_enter()
        inner.setTMS(high)
        meter_simulator_leave()
    }

    func setTDI(_ high: Bool) {
        meter_simulator_enter()
        inner.setTDI(high)
        meter_simulator_leave()
    }

    func readTDO() -> Bool {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        return inner.readTDO()
    }

    func writeBundle(_ value: UInt32, mask: UInt32) {
        meter_simulator_enter()
        inner.writeBundle(value, mask: mask)
        meter_simulator_leave()
    }

    func setMaximumFrequency(_ hertz: UInt32) throws(TapWalkerError) {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        try inner.setMaximumFrequency(hertz)
    }

    func shift(tms: UnsafeRawBufferPointer?, tdi: UnsafeRawBufferPointer?, tdo: UnsafeMutableRawBufferPointer?,
               bits: Int) throws(TapWalkerError) {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        try inner.shift(tms: tms, tdi: tdi, tdo: tdo, bits: bits)
    }

    func release() {
        meter_simulator_enter()
        inner.release()
        meter_simulator_leave()
    }
}

final class MeteredSPI: SPIMaster {
    let inner: VirtualSPIMaster
    init(_ inner: VirtualSPIMaster) { self.inner = inner }

    var maximumInFlight: Int { inner.maximumInFlight }
    var maximumTransferBits: Int { inner.maximumTransferBits }

    func configure(clockHz: Int) throws(TapWalkerError) -> Int {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        return try inner.configure(clockHz: clockHz)
    }

    func supports(bits: Int) -> Bool { inner.supports(bits: bits) }

    func queue(bits: Int, output: UnsafeRawBufferPointer, input: UnsafeMutableRawBufferPointer?)
        throws(TapWalkerError) -> SPITransfer
    {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        return try inner.queue(bits: bits, output: output, input: input)
    }

    func await(_ transfer: SPITransfer) throws(TapWalkerError) {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        try inner.await(transfer)
    }
}

final class MeteredClock: DeviceClock {
    let inner: JTAGWireClock
    init(_ inner: JTAGWireClock) { self.inner = inner }

    func microseconds() -> UInt64 {
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        return inner.microseconds()
    }

    func sleep(microseconds: UInt32) {
        meter_simulator_enter()
        inner.sleep(microseconds: microseconds)
        meter_simulator_leave()
    }
}
