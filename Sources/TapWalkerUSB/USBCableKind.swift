/// The USB JTAG cables TapWalker drives, one row each: how `--cable NAME` finds its device, which
/// `tapwalker scan` names for a device, and what the udev rule (udev/60-tapwalker.rules) covers.
public struct USBCableKind: Sendable {
    public enum Driver: Sendable { case mpsse, bitBang, cmsisDAP, dirtyJTAG }

    /// "ft2232", the `--cable` name.
    public let name: String
    /// The VID:PID pairs it opens unless `vid=`/`pid=` say otherwise.
    public let ids: [(vendor: UInt16, product: UInt16)]
    /// Also any device whose product or interface name says CMSIS-DAP.
    public let findsByName: Bool
    public let driver: Driver
    /// FTDI interfaces A, B, … the chip has (0: not an FTDI chip).
    public let interfaces: Int
    /// Its fastest TCK.
    public let maximumTCK: UInt32
    public let summary: String

    public static let all: [USBCableKind] = [
        USBCableKind(name: "ft2232", ids: [(0x0403, 0x6010)], findsByName: false, driver: .mpsse, interfaces: 2,
                     maximumTCK: 30_000_000, summary: "FTDI FT2232H in MPSSE mode (interface A unless :interface=B)"),
        USBCableKind(name: "ft4232", ids: [(0x0403, 0x6011)], findsByName: false, driver: .mpsse, interfaces: 4,
                     maximumTCK: 30_000_000, summary: "FTDI FT4232H in MPSSE mode (interface A or B; C and D have no MPSSE)"),
        USBCableKind(name: "ft232h", ids: [(0x0403, 0x6014)], findsByName: false, driver: .mpsse, interfaces: 1,
                     maximumTCK: 30_000_000, summary: "FTDI FT232H in MPSSE mode"),
        USBCableKind(name: "ft231x", ids: [(0x0403, 0x6015)], findsByName: false, driver: .bitBang, interfaces: 1,
                     maximumTCK: 1_500_000, summary: "FTDI FT231X in bit-bang, the ULX3S's pins (--board ulx3s)"),
        USBCableKind(name: "cmsis-dap", ids: [(0x0D28, 0x0204), (0x2E8A, 0x000C), (0xC251, 0xF001)], findsByName: true,
                     driver: .cmsisDAP, interfaces: 0, maximumTCK: 30_000_000,
                     summary: "a CMSIS-DAP v2 probe (bulk interface; any VID:PID whose product or interface name says CMSIS-DAP)"),
        USBCableKind(name: "dirtyjtag", ids: [(0x1209, 0xC0CA)], findsByName: false, driver: .dirtyJTAG, interfaces: 0,
                     maximumTCK: 16_000_000, summary: "a DirtyJTAG 2 probe"),
    ]

    public static func named(_ name: String) -> USBCableKind? { all.first { $0.name == name } }

    /// The cable that opens `device`, if any: by VID:PID first, then by a CMSIS-DAP name.
    public static func opening(_ device: USBDeviceInfo) -> USBCableKind? {
        all.first { $0.ids.contains { $0.vendor == device.vendorID && $0.product == device.productID } }
            ?? (device.saysCMSISDAP ? all.first { $0.findsByName } : nil)
    }

    /// "0403:6010", or "0d28:0204, 2e8a:000c or a product named CMSIS-DAP", for messages.
    public var idText: String {
        let list = ids.map { "\(hex4($0.vendor)):\(hex4($0.product))" }.joined(separator: ", ")
        return findsByName ? list + " or a product named CMSIS-DAP" : list
    }
}
