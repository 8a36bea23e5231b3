import TapWalkerCore
import TapWalkerDevice
import TapWalkerFAT
import TapWalkerServices

// The virtual ESP32: the device application built in Embedded Swift for the host, with board
// support made of host resources (docs/virtual-device.md): the directory given on the command
// line is its file system, sockets listen on 127.0.0.1, the console is standard input and output,
// and the heap is capped at what an ESP32-C3 has left once WiFi and lwIP run.

/// The ESP32-C3's heap once WiFi and lwIP run, at the low end (docs/firmware.md, "Memory");
/// `[virtual] heap_kb` sets another.
var heapCapBytes = 150 * 1024
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
    private(set) var support: DeviceBoardSupport
    let led = LinesLED()
    let firmware: FileFirmwareSlots

    init(directory: String) throws(TapWalkerError) {
        self.directory = directory
        led.show(.starting)
        files = PosixFileSystem(name: "flash", root: directory)
        configuration = try DeviceConfiguration.load(from: files)
        if let kilobytes = configuration.virtual.heapKilobytes {
            heapCapBytes = kilobytes * 1024
            virtual_set_heap_cap(heapCapBytes)
            Log.line("heap capped at \(kilobytes) KB ([virtual] heap_kb)")
        }
        guard let slots = FileFirmwareSlots.boot(directory: directory, chip: configuration.jtag.chip ?? .c3, log: { Log.line($0) }) else {
            throw TapWalkerError(.device, "no OTA slot holds a firmware the bootloader would start (see otadata, ota_0.bin, ota_1.bin)")
        }
        firmware = slots
        Log.line("firmware: \(firmware.running().summary)")
        board = try SimulatedBoard(configuration.virtual, directory: directory)
        Log.line("board: \(board.description)")
        var sdCard: (any SDCardBlocks)? = nil
        var sdFiles: (any SDCardFileSystem)? = nil
        if let image = configuration.virtual.sdImage {
            // The slot exists: its FAT file system is mounted by the application (also a card
            // whose image appears after the start, at SITE MOUNT).
            let path = directory + "/" + image
            sdFiles = FATCard(mutex: PThreadMutex()) { () throws(TapWalkerError) -> any SDCardBlocks in
                do throws(TapWalkerError) {
                    return try ImageSDCard(path: path)
                } catch {
                    throw TapWalkerError(.input, "no SD card is inserted (\(error.message))")
                }
            }
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
        var support = DeviceBoardSupport(
            clock: VirtualClock(), pins: BoardPins(board), spi: BoardSPI(board), wifi: VirtualWiFiRadio(files: files),
            network: BSDNetwork(loopbackOnly: true),
            // The chip's stack sizes are charged; the x86_64 threads get four times as much (PThreadTasks).
            tasks: PThreadTasks(chargeStack: { meter_heap_reserve($0) != 0 }, releaseStack: { meter_heap_unreserve($0) },
                                stackScale: 4),
            files: files, sdCard: sdCard, led: led, console: StandardConsole(), random: VirtualRandom(),
            restart: {
                board.save()
                VirtualDevice.printHeap()
                Log.line("restarting")
                virtual_exit(75)
            })
        support.sdFiles = sdFiles
        support.heap = VirtualHeapGauge()
        support.firmware = firmware
        self.support = support
    }

    func run() {
        if let image = firmware.image, !ASCII.equal(image.projectName, "tapwalker") {
            // What the slot holds is another program: the virtual ESP32 can run only TapWalker's
            // application, so this one, like a firmware that hangs before its services are up,
            // never confirms itself; the next reset (a restart of this process) rolls back.
            Log.line("firmware: \(firmware.running().slot) holds \(image.summary), not TapWalker's application: it runs no services and never confirms itself; reset to roll back")
            while virtual_stop_requested() == 0 { virtual_sleep(100_000) }
            virtual_exit(0)
        }
        startSaver()
        for service in DeviceService.allCases where configuration.refusal(service) == nil {
            Log.line("\(service.key) listening on 127.0.0.1:\(configuration.port(service))")
        }
        // The firmware's own cable over the board support's pins and SPI master, waiting on the
        // simulated board's time, and reporting the wire's counts; or, with `[jtag] cable`, the
        // application's network cable to that server (the simulated board then stands unused).
        let cable: (any TDOSampling)? = configuration.jtag.cable != nil ? nil
            : TimedCable(PinJTAGCable(pins: support.pins, spi: support.spi, clock: BoardClock(board)), board: board)
        DeviceApplication(support: support, cable: cable).run(until: { virtual_stop_requested() != 0 })
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
}
