/// The RISC-V ESP32s the firmware runs on, with the pins the JTAG driver cares about. The SPI2
/// IO_MUX pins are from the ESP-IDF SPI master documentation for each chip; TCK goes on SPI CLK,
/// TDI on MOSI and TDO on MISO so that long shifts can be clocked by the SPI peripheral while
/// TMS, on any GPIO, is held still.
public struct ESP32Chip: Sendable {
    public let name: String
    /// GPIO numbers run from 0 to `gpioCount - 1`.
    public let gpioCount: Int
    public let spiClock: Int
    public let spiMOSI: Int
    public let spiMISO: Int
    /// The chip id an ESP-IDF app image built for this chip carries in its header
    /// (docs/firmware-update.md, "The image"); an update built for another chip is refused.
    public let imageChipID: UInt16

    public static let c3 = ESP32Chip(name: "esp32c3", gpioCount: 22, spiClock: 6, spiMOSI: 7, spiMISO: 2, imageChipID: 5)
    public static let c6 = ESP32Chip(name: "esp32c6", gpioCount: 31, spiClock: 6, spiMOSI: 7, spiMISO: 2, imageChipID: 13)
    public static let p4 = ESP32Chip(name: "esp32p4", gpioCount: 55, spiClock: 9, spiMOSI: 8, spiMISO: 10, imageChipID: 18)

    public static let all: [ESP32Chip] = [.c3, .c6, .p4]

    /// The chip an image's header names, when it is one of these.
    public static func withImageChipID(_ id: UInt16) -> ESP32Chip? {
        all.first(where: { $0.imageChipID == id })
    }

    public static func named(_ text: [UInt8]) -> ESP32Chip? {
        for chip in all where chip.name.utf8.elementsEqual(text.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }) {
            return chip
        }
        return nil
    }

    /// The highest TCK the firmware will configure: the ECP5's JTAG port takes at most 25 MHz
    /// (ECP5 family data sheet, JTAG port timing).
    public static let maximumTCKHz = 25_000_000
}
