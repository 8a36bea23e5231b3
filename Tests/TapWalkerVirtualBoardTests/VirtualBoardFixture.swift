import Foundation
import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices
import TapWalkerSim
import TapWalkerVirtualBoard

/// A virtual ESP32's JTAG (pins, and the SPI master unless `spi` is false) wired to a simulated
/// board, with `PinJTAGCable` over them and the board service on top.
struct VirtualBoardFixture {
    let wire: JTAGWire
    let pins: VirtualJTAGPins
    let spi: VirtualSPIMaster?
    let cable: PinJTAGCable
    let board: BoardService

    init(part: String = "85f", spi withSPI: Bool = true) {
        let options = try! SimOptions.parse("part=\(part)")
        wire = JTAGWire(options: options)
        pins = VirtualJTAGPins(wire: wire)
        spi = withSPI ? VirtualSPIMaster(wire: wire) : nil
        let clock = JTAGWireClock(wire: wire)
        cable = PinJTAGCable(pins: pins, spi: spi, clock: clock)
        board = BoardService(cable: cable, lock: JobLock(mutex: NoMutex()), clock: clock)
    }

    var done: Bool { wire.board.statusNow.done }
}

/// The configuration digest the `sim` cable leaves after loading `bytes` into `part`.
func simCableDigest(part: String, _ bytes: [UInt8]) -> (digest: UInt64, cycles: UInt64) {
    let sim = SimCable(options: try! SimOptions.parse("part=\(part)"))
    let board = BoardService(cable: sim, lock: JobLock(mutex: NoMutex()), clock: StillClock())
    let r = board.loadSRAM(MemorySource(bytes))
    precondition(r.failure == nil && sim.board.statusNow.done)
    return (sim.board.configurationDigest, sim.board.cycles)
}

