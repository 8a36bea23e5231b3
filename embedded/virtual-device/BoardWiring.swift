import TapWalkerCore
import TapWalkerDevice
import TapWalkerVirtualBoard

// The ESP32's JTAG peripherals as the virtual board models them, each call made through
// `SimulatedBoard.use`: alone with the board (the flash image may be saved from another thread)
// and outside the device's heap meter (the models are the chip's peripherals and the board, not
// memory the firmware allocates).

/// The dedicated-GPIO bundle.
final class BoardPins: JTAGPins {
    let board: SimulatedBoard
    var pins: VirtualJTAGPins { board.pins }

    init(_ board: SimulatedBoard) { self.board = board }

    var tckBit: UInt32 { pins.tckBit }
    var tmsBit: UInt32 { pins.tmsBit }
    var tdiBit: UInt32 { pins.tdiBit }

    func setTCK(_ high: Bool) { board.run { pins.setTCK(high) } }
    func setTMS(_ high: Bool) { board.run { pins.setTMS(high) } }
    func setTDI(_ high: Bool) { board.run { pins.setTDI(high) } }
    func readTDO() -> Bool { board.run { pins.readTDO() } }
    func writeBundle(_ value: UInt32, mask: UInt32) { board.run { pins.writeBundle(value, mask: mask) } }

    func shift(tms: UnsafeRawBufferPointer?, tdi: UnsafeRawBufferPointer?, tdo: UnsafeMutableRawBufferPointer?,
               bits: Int) throws(TapWalkerError) {
        try board.use { () throws(TapWalkerError) in try pins.shift(tms: tms, tdi: tdi, tdo: tdo, bits: bits) }
    }

    func setMaximumFrequency(_ hertz: UInt32) throws(TapWalkerError) {
        try board.use { () throws(TapWalkerError) in try pins.setMaximumFrequency(hertz) }
    }

    func release() { board.run { pins.release() } }
}

/// The SPI master with TCK on its clock.
final class BoardSPI: SPIMaster {
    let board: SimulatedBoard
    var spi: VirtualSPIMaster { board.spi }

    init(_ board: SimulatedBoard) { self.board = board }

    var maximumInFlight: Int { spi.maximumInFlight }
    var maximumTransferBits: Int { spi.maximumTransferBits }

    func configure(clockHz: Int) throws(TapWalkerError) -> Int {
        try board.use { () throws(TapWalkerError) in try spi.configure(clockHz: clockHz) }
    }

    func supports(bits: Int) -> Bool { spi.supports(bits: bits) }

    func queue(bits: Int, output: UnsafeRawBufferPointer, input: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) -> SPITransfer {
        try board.use { () throws(TapWalkerError) in try spi.queue(bits: bits, output: output, input: input) }
    }

    func await(_ transfer: SPITransfer) throws(TapWalkerError) {
        try board.use { () throws(TapWalkerError) in try spi.await(transfer) }
    }
}

/// The clock the JTAG cable waits on: the wire's simulated time, so that the board's BUSY and
/// boot times pass for it as on the chip without the host waiting them out.
final class BoardClock: DeviceClock {
    let board: SimulatedBoard

    init(_ board: SimulatedBoard) { self.board = board }

    func microseconds() -> UInt64 { board.run { board.wireClock.microseconds() } }
    func sleep(microseconds: UInt32) { board.run { board.wireClock.sleep(microseconds: microseconds) } }
}
