import CLibUSB
import TapWalkerCore

/// An opened USB device with its claimed interface: control requests, and the facts (endpoints,
/// packet size) the bulk pipe needs.
public final class USBDeviceHandle {
    let bus: USBBus
    let handle: OpaquePointer
    let device: OpaquePointer
    public let info: USBDeviceInfo
    public private(set) var claimedInterface: Int32 = -1
    /// What opening did that the user should hear of (a kernel driver detached).
    public private(set) var notes: [String] = []
    /// Set once a transfer found the device gone; closing then skips requests to it.
    var gone = false

    public init(bus: USBBus, index: Int) throws(TapWalkerError) {
        self.bus = bus
        device = bus.devices[index].device
        info = bus.devices[index].info
        var h: OpaquePointer?
        let r = libusb_open(device, &h)
        if r == USBDeviceChooser.accessDenied { throw USBDeviceChooser.permissionDenied(info) }
        guard r == 0, let h else {
            throw TapWalkerError(.cable, "could not open \(info.summary) (\(USBBus.describe(r))); nothing was done; unplug and replug it, or run `tapwalker scan`")
        }
        handle = h
    }

    /// Claims `interface`. A kernel driver bound to it (ftdi_sio, cdc_acm, usbhid) is detached
    /// first, as openFPGALoader does through libftdi, and the user is told; the kernel rebinds it
    /// when the device is replugged.
    public func claim(_ interface: Int32) throws(TapWalkerError) {
        if libusb_kernel_driver_active(handle, interface) == 1 {
            let r = libusb_detach_kernel_driver(handle, interface)
            guard r == 0 else {
                throw TapWalkerError(.cable, "interface \(interface) of \(info.summary) is held by a kernel driver that could not be detached (\(USBBus.describe(r))); nothing was done; unload it (for an FTDI chip: sudo rmmod ftdi_sio) or install the udev rule")
            }
            notes.append("detached the kernel driver from interface \(interface) of \(info.summary) (replug the device to give it back)")
        }
        let r = libusb_claim_interface(handle, interface)
        if r == USBDeviceChooser.accessDenied { throw USBDeviceChooser.permissionDenied(info) }
        guard r == 0 else {
            throw TapWalkerError(.cable, "could not claim interface \(interface) of \(info.summary) (\(USBBus.describe(r))); nothing was done; another program (openFPGALoader, OpenOCD, a serial terminal) may be using it")
        }
        claimedInterface = interface
    }

    /// A vendor request to the device's interface, OUT direction, no data.
    public func vendorOut(_ request: UInt8, value: UInt16, index: UInt16) throws(TapWalkerError) {
        let r = libusb_control_transfer(handle, 0x40, request, value, index, nil, 0, 2000)
        guard r >= 0 else { throw failure("control request 0x\(String(request, radix: 16))", r) }
    }

    /// The bulk endpoints of `interface`: (IN address, OUT address, max packet size of IN).
    public func bulkEndpoints(_ interface: Int32) -> (input: UInt8, output: UInt8, packetSize: Int)? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(device, &config) == 0 || libusb_get_config_descriptor(device, 0, &config) == 0,
              let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let alt = config.pointee.interface[i].altsetting[0]
            guard Int32(alt.bInterfaceNumber) == interface else { continue }
            var input: UInt8?, output: UInt8?, size = 64
            for e in 0..<Int(alt.bNumEndpoints) {
                let ep = alt.endpoint[e]
                guard ep.bmAttributes & 3 == 2 else { continue }
                if ep.bEndpointAddress & 0x80 != 0 {
                    if input == nil { input = ep.bEndpointAddress; size = Int(ep.wMaxPacketSize) }
                } else if output == nil { output = ep.bEndpointAddress }
            }
            if let input, let output { return (input, output, size) }
        }
        return nil
    }

    /// The first interface with two bulk endpoints whose name (or the product's) satisfies `named`,
    /// else the first with two bulk endpoints and vendor class.
    public func findInterface(named: (String) -> Bool) -> Int32? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_config_descriptor(device, 0, &config) == 0, let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        var vendor: Int32?
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let alt = config.pointee.interface[i].altsetting[0]
            let n = Int32(alt.bInterfaceNumber)
            guard bulkEndpoints(n) != nil else { continue }
            if let s = USBBus.string(handle, alt.iInterface), named(s) { return n }
            if alt.bInterfaceClass == 0xFF, vendor == nil { vendor = n }
        }
        return vendor
    }

    /// The cable error for a failed libusb call: a device that is gone is named as unplugged.
    func failure(_ what: String, _ code: Int32) -> TapWalkerError {
        if code == -4 /* LIBUSB_ERROR_NO_DEVICE */ || code == -1 /* LIBUSB_ERROR_IO */ {
            gone = true
            return TapWalkerError(.cable, "the USB cable \(info.summary) was unplugged or stopped answering (\(what): \(USBBus.describe(code)))")
        }
        return TapWalkerError(.cable, "the USB cable \(info.summary) failed (\(what): \(USBBus.describe(code)))")
    }

    private var closed = false

    public func close() {
        guard !closed else { return }
        closed = true
        if claimedInterface >= 0 && !gone { libusb_release_interface(handle, claimedInterface) }
        claimedInterface = -1
        libusb_close(handle)
    }
}
