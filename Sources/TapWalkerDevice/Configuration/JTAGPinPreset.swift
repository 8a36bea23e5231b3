/// Named pin sets for `[jtag] preset = NAME` in tapwalker.conf: TCK, TDI and TDO on the chip's
/// SPI2 IO_MUX pins (`ESP32Chip`), TMS on a GPIO that is not a strapping pin: IEEE 1149.1 has TMS
/// pulled up inside the FPGA, and on a strapping pin that pull-up could change how the ESP32 boots.
public struct JTAGPinPreset: Sendable {
    public let name: String
    public let chip: ESP32Chip
    public let tms: Int

    public var pins: JTAGPinAssignment {
        JTAGPinAssignment(tck: chip.spiClock, tms: tms, tdi: chip.spiMOSI, tdo: chip.spiMISO)
    }

    public static let all: [JTAGPinPreset] = [
        JTAGPinPreset(name: "esp32c3", chip: .c3, tms: 3),
        JTAGPinPreset(name: "esp32c6", chip: .c6, tms: 3),
        JTAGPinPreset(name: "esp32p4", chip: .p4, tms: 11),
    ]

    public static func named(_ text: [UInt8]) -> JTAGPinPreset? {
        let key = text.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        for preset in all where preset.name.utf8.elementsEqual(key) { return preset }
        return nil
    }
}
