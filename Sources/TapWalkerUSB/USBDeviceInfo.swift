/// What `tapwalker scan` and the cable chooser know about one USB device.
public struct USBDeviceInfo: Sendable {
    public var bus: Int
    public var address: Int
    public var vendorID: UInt16
    public var productID: UInt16
    public var manufacturer: String?
    public var product: String?
    public var serial: String?
    /// The interfaces' own names (a CMSIS-DAP probe names its interface "… CMSIS-DAP …").
    public var interfaceNames: [String] = []
    /// Why the device could not be opened to read its strings (permission denied, …), if it could not.
    public var openError: String?
    /// libusb's error code for `openError` (LIBUSB_ERROR_ACCESS is -3).
    public var openErrorCode: Int32 = 0

    /// The usbfs node libusb opens, which a udev rule must make accessible.
    public var node: String { "/dev/bus/usb/\(threeDigits(bus))/\(threeDigits(address))" }

    /// "0403:6010".
    public var ids: String { "\(hex4(vendorID)):\(hex4(productID))" }

    /// "FT2232H 0403:6010 serial FT4EMU01 at bus 1 address 2", for messages.
    public var summary: String {
        var s = (product ?? "USB device") + " " + ids
        if let serial, !serial.isEmpty { s += " serial \(serial)" }
        return s + " at bus \(bus) address \(address)"
    }

    /// Whether a product or interface name says CMSIS-DAP (the way CMSIS-DAP probes are found).
    public var saysCMSISDAP: Bool {
        ([product ?? ""] + interfaceNames).contains { $0.uppercased().contains("CMSIS-DAP") }
    }
}

func threeDigits(_ v: Int) -> String {
    let s = String(v)
    return String(repeating: "0", count: max(0, 3 - s.count)) + s
}

func hex4(_ v: UInt16) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 4 - s.count) + s
}
