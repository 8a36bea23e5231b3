import CLibUSB
import TapWalkerCore

/// One libusb context and the USB devices present when it was created.
///
/// Every device is opened briefly to read its strings (manufacturer, product, serial, interface
/// names), as `lsusb -v` and openFPGALoader's `--scan-usb` do; a device that cannot be opened keeps
/// the reason, which is how permission problems are told apart from absent devices.
public final class USBBus {
    let context: OpaquePointer
    private var list: UnsafeMutablePointer<OpaquePointer?>?
    /// The devices with their libusb handles (valid while this bus lives).
    public private(set) var devices: [(device: OpaquePointer, info: USBDeviceInfo)] = []

    public init() throws(TapWalkerError) {
        var ctx: OpaquePointer?
        let r = libusb_init(&ctx)
        guard r == 0, let ctx else {
            throw TapWalkerError(.cable, "libusb could not start (\(USBBus.describe(r))); USB cables cannot be used on this system")
        }
        context = ctx
        var l: UnsafeMutablePointer<OpaquePointer?>?
        let n = libusb_get_device_list(ctx, &l)
        list = l
        if n > 0, let l {
            for i in 0..<Int(n) {
                guard let d = l[i] else { continue }
                devices.append((d, USBBus.read(d)))
            }
        }
    }

    deinit {
        if let list { libusb_free_device_list(list, 1) }
        libusb_exit(context)
    }

    private static func read(_ d: OpaquePointer) -> USBDeviceInfo {
        var desc = libusb_device_descriptor()
        _ = libusb_get_device_descriptor(d, &desc)
        var info = USBDeviceInfo(
            bus: Int(libusb_get_bus_number(d)), address: Int(libusb_get_device_address(d)),
            vendorID: desc.idVendor, productID: desc.idProduct)
        var h: OpaquePointer?
        let r = libusb_open(d, &h)
        guard r == 0, let h else {
            info.openError = describe(r)
            info.openErrorCode = r
            return info
        }
        defer { libusb_close(h) }
        info.manufacturer = string(h, desc.iManufacturer)
        info.product = string(h, desc.iProduct)
        info.serial = string(h, desc.iSerialNumber)
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        if libusb_get_config_descriptor(d, 0, &config) == 0, let config {
            defer { libusb_free_config_descriptor(config) }
            for i in 0..<Int(config.pointee.bNumInterfaces) {
                let interface = config.pointee.interface[i]
                for a in 0..<Int(interface.num_altsetting) {
                    if let s = string(h, interface.altsetting[a].iInterface) { info.interfaceNames.append(s) }
                }
            }
        }
        return info
    }

    static func string(_ h: OpaquePointer, _ index: UInt8) -> String? {
        guard index != 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = libusb_get_string_descriptor_ascii(h, index, &buffer, Int32(buffer.count))
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<Int(n)], as: UTF8.self)
    }

    /// libusb's name and text for an error code.
    public static func describe(_ code: Int32) -> String {
        String(cString: libusb_strerror(code))
    }
}
