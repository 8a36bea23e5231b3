import TapWalkerCore
import TapWalkerDevice

/// JTAG pins connected to nothing: the board-support value needs pins, and until the pin-level
/// models of the ECP5 are wired in, the virtual ESP32 reaches its simulated board through
/// `SimulatedBoardCable` instead. A shift through these pins fails, saying so; TDO reads high,
/// as an undriven line with the ECP5's pull-up would.
final class UnwiredJTAGPins: JTAGPins {
    let tckBit: UInt32 = 0
    let tmsBit: UInt32 = 1
    let tdiBit: UInt32 = 2

    func setTCK(_ high: Bool) {}
    func setTMS(_ high: Bool) {}
    func setTDI(_ high: Bool) {}
    func readTDO() -> Bool { true }
    func writeBundle(_ value: UInt32, mask: UInt32) {}

    func shift(tms: UnsafeRawBufferPointer?, tdi: UnsafeRawBufferPointer?, tdo: UnsafeMutableRawBufferPointer?,
               bits: Int) throws(TapWalkerError) {
        throw TapWalkerError(.cable, "the virtual ESP32's JTAG pins are not wired to the simulated board; it is reached through its cable")
    }

    func release() {}
}
