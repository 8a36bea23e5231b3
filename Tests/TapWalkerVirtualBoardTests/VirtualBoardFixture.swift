import Foundation
import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices
import TapWalkerSim
import TapWalkerVirtualBoard

/// A virtual ESP32's JTAG (pins, and the SPI master unless `spi` is false) wired to a simulated
/// board, with `PinJTAGCable` over them and the board service on top.
struct VirtualBoardFixture {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")

    static func example(_ name: String) -> [UInt8] {
        [UInt8](try! Data(contentsOf: examples.appendingPathComponent(name)))
    }

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

final class NoMutex: PlatformMutex {
    func lock() {}
    func unlock() {}
}

/// A clock for the `sim` cable's board service: the simulator keeps its own time.
final class StillClock: ServiceClock {
    func microseconds() -> UInt64 { 0 }
    func sleep(microseconds: UInt32) {}
}
