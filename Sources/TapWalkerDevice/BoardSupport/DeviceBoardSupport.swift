import TapWalkerServices

/// Everything the device application needs from the chip, in one value: the ESP32 firmware fills
/// it with adapters over ESP-IDF's drivers (firmware/esp32/main), the virtual ESP32 with models
/// and host resources, the tests with fakes. Above this line the firmware is the same everywhere.
public struct DeviceBoardSupport {
    public var clock: any DeviceClock
    /// The JTAG signals as GPIOs (bit-level path).
    public var pins: any JTAGPins
    /// The SPI master wired to TCK/TDI/TDO for bulk Shift-DR; nil: every bit by GPIO.
    public var spi: (any SPIMaster)?
    public var wifi: any WiFiRadio
    public var network: any DeviceNetwork
    public var tasks: any DeviceTasks
    /// The device's own file system (tapwalker.conf, wifiman.conf, stored bitstreams).
    public var files: any DeviceFileSystem
    /// The SD card's blocks; nil when the board has no slot or no card.
    public var sdCard: (any SDCardBlocks)?
    /// The card's FAT file system, shown under /sd; nil when the board has no slot.
    public var sdFiles: (any SDCardFileSystem)? = nil
    public var led: (any StatusLED)?
    public var console: any ConsolePort
    public var random: any RandomSource
    /// Restarts the device (the console's `reboot`); on the chip it does not return.
    public var restart: () -> Void
    /// The heap's free bytes (and, on the virtual ESP32, a task's own use): with it the device
    /// admits connections, transfers and jobs by memory (docs/memory-admission.md); nil: no
    /// admission (tests without a heap).
    public var heap: (any HeapGauge)? = nil
    /// Lines the console's `status` adds about the chip itself (heap left, task stacks); nil for none.
    public var describeSystem: (() -> [String])? = nil
    /// The OTA slots for firmware updates over the network; nil: this device cannot update itself.
    public var firmware: (any FirmwareSlots)? = nil

    public init(clock: any DeviceClock, pins: any JTAGPins, spi: (any SPIMaster)?, wifi: any WiFiRadio,
                network: any DeviceNetwork, tasks: any DeviceTasks, files: any DeviceFileSystem,
                sdCard: (any SDCardBlocks)?, led: (any StatusLED)?, console: any ConsolePort,
                random: any RandomSource, restart: @escaping () -> Void) {
        self.clock = clock
        self.pins = pins
        self.spi = spi
        self.wifi = wifi
        self.network = network
        self.tasks = tasks
        self.files = files
        self.sdCard = sdCard
        self.led = led
        self.console = console
        self.random = random
        self.restart = restart
    }
}
