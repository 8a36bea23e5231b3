// The firmware's entry point. ESP-IDF starts `app_main` on the main task (stack size in
// sdkconfig.defaults) once the system is up, and the device runs on that task from then on.
//
// app_main gathers the board support: the ESP32* adapters over tapwalker_bsp.h, and the BSD
// sockets, POSIX files and pthreads shared with the virtual ESP32 (embedded/bsd). It hands it to
// TapWalkerDevice's DeviceApplication, which does the rest: configuration, WiFi, services and the
// serial console. Only the JTAG pins are read from tapwalker.conf here, because the board support
// needs them first; the application reads the file again and reports any problem in it.
import TapWalkerCore
import TapWalkerDevice
import TapWalkerFAT

@_cdecl("app_main")
func appMain() {
    let console = ESP32Console()
    let storage = tapwalker_storage_mount()
    if storage != ESP_OK {
        console.write("tapwalker: \(TAPWALKER_STORAGE_MOUNT) not mounted: \(ESP32Error.name(storage))\n")
    }
    let files = PosixFileSystem(name: "flash", root: TAPWALKER_STORAGE_MOUNT)
    let jtag = (try? DeviceConfiguration.load(from: files))?.jtag
    if let configured = jtag?.chip, let running = ESP32Chip.running, configured.name != running.name {
        console.write("tapwalker: \(DeviceConfiguration.fileName) names the \(configured.name), this is an \(running.name)\n")
    }
    let pins = ESP32JTAGPins(jtag?.pins)
    // The card before anything else on the shared SPI bus; the JTAG SPI device is set up later,
    // when the application sets the cable's clock. Its FAT file system is TapWalkerFAT's over
    // the raw blocks, as on the virtual ESP32 (docs/fat.md): the application mounts it at /sd,
    // and a slot without a usable card says why there (SITE MOUNT, status).
    let sd = ESP32SDCardBlocks.startSlot { console.write("tapwalker: \($0)\n") }
    #if TAPWALKER_ETHERNET
    // The emulation configuration: the emulator's Ethernet instead of the radio (docs/firmware.md).
    let radio = ESP32EthernetLink()
    #else
    let radio = ESP32WiFiRadio()
    #endif
    var support = DeviceBoardSupport(
        clock: ESP32Clock(), pins: pins, spi: ESP32SPIMaster(pins: pins), wifi: radio,
        network: BSDNetwork(loopbackOnly: false), tasks: PThreadTasks(), files: files, sdCard: sd.blocks,
        led: ESP32StatusLED(pin: Int(TAPWALKER_DEFAULT_PIN_LED), activeHigh: true), console: console,
        random: ESP32Random(), restart: restartChip)
    support.sdFiles = sd.files
    support.describeSystem = { ESP32SystemReport.lines() }
    support.heap = ESP32HeapGauge()
    let slots = ESP32FirmwareSlots()
    if let slots, let gaveUp = slots.rolledBack {
        console.write("tapwalker: boot: \(gaveUp) never confirmed itself; rolled back to \(slots.running().slot)\n")
    }
    support.firmware = slots
    DeviceApplication(support: support).run(until: { false })
}
