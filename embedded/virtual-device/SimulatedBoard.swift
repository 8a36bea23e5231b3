import TapWalkerCore
import TapWalkerDevice
import TapWalkerSim
import TapWalkerVirtualBoard

/// The board the virtual ESP32 is wired to: the simulated ECP5 with its SPI flash, as [virtual]
/// in tapwalker.conf names them, the flash kept in an image file of the device's directory as
/// `tapwalker sim` keeps it (`--flash-image`): exactly the chip's bytes, never resized, the
/// non-volatile status registers in the same name plus ".registers". A missing image is created
/// blank (all 0xFF); one of another size is refused. The ESP32 reaches it at pin level, through
/// the JTAG wire's models of the GPIO bundle and the SPI master (TapWalkerVirtualBoard). The
/// board and those models are the host's, not the chip's heap, so everything they allocate is
/// kept out of the device's heap meter; every call into them holds `mutex`, so the image can be
/// saved while the services run.
final class SimulatedBoard {
    let wire: JTAGWire
    let pins: VirtualJTAGPins
    let spi: VirtualSPIMaster
    let wireClock: JTAGWireClock
    let imagePath: String?
    private let mutex: PThreadMutex
    /// The flash's operation counts when the image was last written.
    private var savedGeneration: Int
    private var savedRegisters: [UInt8]
    /// When the board was last used (microseconds, the device clock), to save only between jobs.
    private(set) var lastUse: UInt64 = 0

    /// Builds the board and loads (or creates) its flash image; `directory` is the device's.
    init(_ config: DeviceConfiguration.Virtual, directory: String) throws(TapWalkerError) {
        var options = SimOptions()
        if let part = config.part { options.part = part }
        if let flash = config.flash { options.flash = flash }
        meter_simulator_enter()
        defer { meter_simulator_leave() }
        mutex = PThreadMutex()
        wire = JTAGWire(options: options)
        pins = VirtualJTAGPins(wire: wire)
        spi = VirtualSPIMaster(wire: wire)
        wireClock = JTAGWireClock(wire: wire)
        imagePath = config.flashImage.map { directory + "/" + $0 }
        let flash = wire.board.flash!
        if let path = imagePath {
            let size = path.withCString { virtual_file_size($0) }
            if size < 0 {
                try SimulatedBoard.createBlank(path, bytes: flash.chip.size)
                Log.line("created \(path): a blank \(flash.chip.name) (\(flash.chip.size) bytes of 0xFF)")
            } else {
                guard size == Int64(flash.chip.size) else {
                    throw TapWalkerError(.usage, "flash_image \(path) is \(size) bytes, but the \(flash.chip.name) holds \(flash.chip.size); the image must be exactly the chip's size (it is never resized): move it away to start blank")
                }
                flash.load(try SimulatedBoard.read(path, bytes: flash.chip.size))
                let registers = path + ".registers"
                let registerSize = registers.withCString { virtual_file_size($0) }
                if registerSize == 4 { flash.nonVolatileRegisters = try SimulatedBoard.read(registers, bytes: 4) }
                // A board powered up with this flash has booted from it, as a real one would.
                wire.board.powerUpSettled()
            }
        }
        savedGeneration = SimulatedBoard.generation(flash)
        savedRegisters = flash.nonVolatileRegisters
    }

    var description: String {
        "simulated \(wire.board.part.name) with a \(wire.board.flash!.chip.name) flash" + (imagePath.map { " kept in \($0)" } ?? " (not kept: no [virtual] flash_image)")
    }

    /// Runs `body` on the board and its wire, alone and outside the device's heap.
    func use<T>(_ body: () throws(TapWalkerError) -> T) throws(TapWalkerError) -> T {
        mutex.lock()
        meter_simulator_enter()
        defer {
            lastUse = virtual_microseconds()
            meter_simulator_leave()
            mutex.unlock()
        }
        return try body()
    }

    /// `use` for calls that cannot fail.
    func run<T>(_ body: () -> T) -> T {
        mutex.lock()
        meter_simulator_enter()
        defer {
            lastUse = virtual_microseconds()
            meter_simulator_leave()
            mutex.unlock()
        }
        return body()
    }

    /// Writes the image back when the flash changed since it was last written, and `idleMicroseconds`
    /// have passed since the board was last used (0: at once). Errors go to the log.
    func save(ifIdleFor idleMicroseconds: UInt64 = 0) {
        guard let path = imagePath else { return }
        mutex.lock()
        meter_simulator_enter()
        defer {
            meter_simulator_leave()
            mutex.unlock()
        }
        let flash = wire.board.flash!
        let generation = SimulatedBoard.generation(flash)
        let registers = flash.nonVolatileRegisters
        guard generation != savedGeneration || registers != savedRegisters else { return }
        guard virtual_microseconds() >= lastUse + idleMicroseconds else { return }
        do throws(TapWalkerError) {
            try SimulatedBoard.write(flash.memory.bytes, to: path)
            try SimulatedBoard.write(registers, to: path + ".registers")
            savedGeneration = generation
            savedRegisters = registers
            Log.line("saved the flash image \(path)")
        } catch {
            Log.err("virtual ESP32: could not save the flash image: \(error.message)\n")
        }
    }

    /// A number that changes whenever the flash's content may have.
    private static func generation(_ flash: SimulatedFlash) -> Int {
        flash.pagePrograms + flash.erase4K + flash.erase32K + flash.erase64K + flash.chipErases
    }

    private static func createBlank(_ path: String, bytes: Int) throws(TapWalkerError) {
        let fd = path.withCString { virtual_open_image($0, 1) }
        guard fd >= 0 else { throw TapWalkerError(.input, "cannot create \(path): \(BSD.lastError())") }
        defer { _ = bsd_close(fd) }
        let chunk = [UInt8](repeating: 0xFF, count: 65536)
        var offset = 0
        while offset < bytes {
            let n = min(chunk.count, bytes - offset)
            let rc = chunk.withUnsafeBytes { virtual_pwrite_all(fd, $0.baseAddress, n, Int64(offset)) }
            guard rc == 0 else { throw TapWalkerError(.input, "cannot write \(path): \(BSD.lastError())") }
            offset += n
        }
    }

    private static func read(_ path: String, bytes: Int) throws(TapWalkerError) -> [UInt8] {
        let fd = path.withCString { virtual_open_image($0, 0) }
        guard fd >= 0 else { throw TapWalkerError(.input, "cannot open \(path): \(BSD.lastError())") }
        defer { _ = bsd_close(fd) }
        var content = [UInt8](repeating: 0, count: bytes)
        let rc = content.withUnsafeMutableBytes { virtual_pread_all(fd, $0.baseAddress, bytes, 0) }
        guard rc == 0 else { throw TapWalkerError(.input, "cannot read \(path)") }
        return content
    }

    /// Replaces the file: the bytes go to PATH.new, which is then renamed over it, so a device
    /// killed while saving leaves the old image whole.
    private static func write(_ bytes: [UInt8], to path: String) throws(TapWalkerError) {
        let temporary = path + ".new"
        _ = temporary.withCString { bsd_unlink($0) }
        let fd = temporary.withCString { virtual_open_image($0, 1) }
        guard fd >= 0 else { throw TapWalkerError(.input, "cannot create \(temporary): \(BSD.lastError())") }
        let rc = bytes.withUnsafeBytes { virtual_pwrite_all(fd, $0.baseAddress, $0.count, 0) }
        _ = bsd_close(fd)
        guard rc == 0 else { throw TapWalkerError(.input, "cannot write \(temporary): \(BSD.lastError())") }
        let renamed = temporary.withCString { t in path.withCString { p in bsd_rename(t, p) } }
        guard renamed == 0 else { throw TapWalkerError(.input, "cannot rename \(temporary) to \(path): \(BSD.lastError())") }
    }
}
