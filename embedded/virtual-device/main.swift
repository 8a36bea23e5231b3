import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices
import TapWalkerSim

// The virtual ESP32: the device application built in Embedded Swift for the host, with board
// support made of host resources (docs/virtual-device.md): the directory given on the command
// line is its file system, sockets listen on 127.0.0.1, the console is standard input and output,
// and the heap is capped at what an ESP32-C3 has left once WiFi and lwIP run.

/// The ESP32-C3's heap once WiFi and lwIP run, at the low end (docs/firmware.md, "Memory").
let heapCapBytes = 150 * 1024
/// Stack of each service task: the rv32 lane's stack budget per job (README, "What the device needs").
let serviceStackBytes = 12 * 1024
/// The flash image is written back once the board has been left alone this long after a change.
let saveAfterIdleMicroseconds: UInt64 = 1_000_000

@_cdecl("virtual_device_main")
func virtualDeviceMain() {
    virtual_setup(heapCapBytes)
    let directory = String(cString: virtual_directory())
    let device: VirtualDevice
    do throws(TapWalkerError) {
        device = try VirtualDevice(directory: directory)
    } catch {
        Log.err("virtual ESP32: cannot start: \(error.message)\n")
        virtual_exit(1)
    }
    device.run()
}

/// Everything the virtual ESP32 holds while it runs.
final class VirtualDevice {
    let directory: String
    let files: PosixFileSystem
    let configuration: DeviceConfiguration
    let board: SimulatedBoard
    let support: DeviceBoardSupport
    let led = LinesLED()

    init(directory: String) throws(TapWalkerError) {
        self.directory = directory
        led.show(.starting)
        files = PosixFileSystem(name: "flash", root: directory)
        configuration = try DeviceConfiguration.load(from: files)
        board = try SimulatedBoard(configuration.virtual, directory: directory)
        Log.line("board: \(board.description)")
        var sdCard: (any SDCardBlocks)? = nil
        if let image = configuration.virtual.sdImage {
            do throws(TapWalkerError) {
                let card = try ImageSDCard(path: directory + "/" + image)
                Log.line("SD card: \(card.path), \(try card.blockCount()) blocks of 512 bytes")
                sdCard = card
            } catch {
                Log.line(error.message)
            }
        } else {
            Log.line("no SD card ([virtual] sd_image is not set)")
        }
        let board = self.board
        support = DeviceBoardSupport(
            clock: VirtualClock(), pins: UnwiredJTAGPins(), spi: nil, wifi: VirtualWiFiRadio(files: files),
            network: BSDNetwork(loopbackOnly: true),
            tasks: PThreadTasks(chargeStack: { meter_heap_reserve($0) != 0 }, releaseStack: { meter_heap_unreserve($0) }),
            files: files, sdCard: sdCard, led: led, console: StandardConsole(), random: VirtualRandom(),
            restart: {
                board.save()
                VirtualDevice.printHeap()
                Log.line("restarting")
                virtual_exit(75)
            })
    }

    func run() {
        startSaver()
        let stop = { virtual_stop_requested() != 0 }
        runServices(until: stop)
        Log.line("stopping")
        board.save()
        VirtualDevice.printHeap()
        virtual_exit(0)
    }

    static func printHeap() {
        Log.line("heap peak \(meter_heap_peak()) B of \(heapCapBytes / 1024) KB (\(meter_heap_live()) B in use now)")
    }

    /// Writes the flash image back after jobs, from a thread of the host's own (not a task of the
    /// device: the image belongs to the simulated board).
    private func startSaver() {
        let context = Unmanaged.passRetained(board).toOpaque()
        let rc = virtual_host_thread({ context in
            let board = Unmanaged<SimulatedBoard>.fromOpaque(context!).takeUnretainedValue()
            while true {
                virtual_sleep(250_000)
                board.save(ifIdleFor: saveAfterIdleMicroseconds)
            }
        }, context)
        if rc != 0 { Log.line("the flash image is saved only on exit: no thread for saving it (\(BSD.text(rc)))") }
    }

    /// Until the device application is part of the build: the WiFi, the console and the network
    /// JTAG services on the board-support value, as the firmware runs them.
    private func runServices(until stop: @escaping () -> Bool) {
        let cable = SimulatedBoardCable(board)
        let clock = support.clock
        let boardService = BoardService(cable: cable, lock: JobLock(mutex: support.tasks.makeMutex()), clock: clock)
        let jtag = SharedBoardJTAG(board: boardService, clock: clock) { peer, text in Log.line("\(peer): \(text)") }

        let networks = (try? WiFiManFile.load(from: files).networks) ?? []
        let station = WiFiStation(radio: support.wifi, clock: clock, led: led, networks: networks, settings: configuration.wifi)
        station.start()

        for service in [DeviceService.xvc, DeviceService.remoteBitbang] {
            if let refusal = configuration.refusal(service) {
                Log.line(refusal)
                continue
            }
            let port = configuration.port(service)
            let listener: any ConnectionListeners
            do throws(TapWalkerError) {
                listener = try support.network.listen(port: port)
                try support.tasks.start(name: service.key, stackBytes: serviceStackBytes) {
                    AcceptLoop.run(listener, until: stop, log: { Log.line($0) }) { accepted in
                        if case .xvc = service { jtag.serveXVC(accepted) } else { jtag.serveRemoteBitbang(accepted, cable: cable) }
                    }
                }
            } catch {
                Log.line("\(service.key) does not start: \(error.message)")
                continue
            }
            Log.line("\(service.key) listening on 127.0.0.1:\(port)")
        }

        let console = Console(actions: InterimConsoleActions(board: boardService, station: station, restart: support.restart), files: files)
        var buffer = [UInt8](repeating: 0, count: 128)
        var consoleOpen = true
        support.console.write(Console.prompt)
        while !stop() {
            station.poll()
            guard consoleOpen else {
                clock.sleep(microseconds: 200_000)
                continue
            }
            let n = buffer.withUnsafeMutableBytes { support.console.read(into: $0, timeoutMilliseconds: 200) }
            guard let n else {
                consoleOpen = false
                continue
            }
            if n > 0 { console.receive(Array(buffer[0..<n])) { support.console.write($0) } }
        }
    }
}

/// The console's board commands until the device application provides them: status from the
/// board; the jobs are not wired yet.
final class InterimConsoleActions: ConsoleActions {
    let board: BoardService
    let station: WiFiStation
    let restart: () -> Void

    init(board: BoardService, station: WiFiStation, restart: @escaping () -> Void) {
        self.board = board
        self.station = station
        self.restart = restart
    }

    func status() throws(TapWalkerError) -> String {
        var text = ""
        for line in board.identify().statusLines { text += (text.isEmpty ? "" : "\n") + line }
        text += "\nheap: \(meter_heap_live()) B in use, peak \(meter_heap_peak()) B of \(heapCapBytes / 1024) KB"
        return text
    }

    func program(file: String) throws(TapWalkerError) -> String { throw TapWalkerError(.device, "program is not available on this build") }
    func flash(file: String, address: Int) throws(TapWalkerError) -> String { throw TapWalkerError(.device, "flash is not available on this build") }
    func passthru() throws(TapWalkerError) -> String { throw TapWalkerError(.device, "passthru is not available on this build") }
    func networksChanged(_ networks: [WiFiNetwork]) { station.networksChanged(networks) }
    func reboot() { restart() }
}
