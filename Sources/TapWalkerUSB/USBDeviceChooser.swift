import TapWalkerCore

/// Chooses the one device a `--cable` means among those on the bus, with the errors a user can act
/// on: none there (what was looked for), several and no `serial=` (their serials), no permission
/// (the node and the udev rule).
public enum USBDeviceChooser {
    public static let udevAdvice = "install TapWalker's udev rule (sudo cp udev/60-tapwalker.rules /etc/udev/rules.d/ && sudo udevadm control --reload-rules && sudo udevadm trigger), then unplug and replug the cable"

    /// The index into `bus.devices` of the device `kind` with `options` opens.
    public static func choose(_ kind: USBCableKind, _ options: USBCableOptions, on bus: USBBus, cable: String) throws(TapWalkerError) -> Int {
        let matching = bus.devices.indices.filter { matches(kind, options, bus.devices[$0].info, serialToo: false) }
        let candidates = matching.filter { matches(kind, options, bus.devices[$0].info, serialToo: true) }
        if candidates.isEmpty {
            // A device whose serial could not be read because it could not be opened may be the one.
            if options.serial != nil, let denied = matching.first(where: { bus.devices[$0].info.openError != nil }) {
                throw permissionDenied(bus.devices[denied].info)
            }
            throw TapWalkerError(.cable, "no \(lookedFor(kind, options)) is connected; nothing was done; check that the cable is plugged in and powered, and run `tapwalker scan` to list the USB JTAG devices present")
        }
        if candidates.count > 1 && options.serial == nil {
            let names = candidates.map { bus.devices[$0].info }.map { d in d.serial.map { "serial=\($0) (\(d.summary))" } ?? d.summary }
            throw TapWalkerError(.usage, "--cable \(cable): \(candidates.count) devices match: \(names.joined(separator: "; ")); nothing was done; add serial=S to choose one (`tapwalker scan` lists them)")
        }
        let chosen = candidates[0]
        if bus.devices[chosen].info.openErrorCode == accessDenied { throw permissionDenied(bus.devices[chosen].info) }
        return chosen
    }

    /// LIBUSB_ERROR_ACCESS.
    static let accessDenied: Int32 = -3

    static func matches(_ kind: USBCableKind, _ o: USBCableOptions, _ d: USBDeviceInfo, serialToo: Bool) -> Bool {
        if o.vendorID != nil || o.productID != nil {
            if let v = o.vendorID, v != d.vendorID { return false }
            if let p = o.productID, p != d.productID { return false }
            // Only one of them given: the other must still be one of the cable's own.
            if o.vendorID == nil || o.productID == nil {
                let known = kind.ids.contains { (o.vendorID ?? $0.vendor) == d.vendorID && (o.productID ?? $0.product) == d.productID }
                if !known && !(kind.findsByName && d.saysCMSISDAP) { return false }
            }
        } else if !kind.ids.contains(where: { $0.vendor == d.vendorID && $0.product == d.productID }) {
            guard kind.findsByName, d.saysCMSISDAP else { return false }
        }
        if serialToo, let s = o.serial, d.serial != s { return false }
        return true
    }

    static func lookedFor(_ kind: USBCableKind, _ o: USBCableOptions) -> String {
        var s = "\(kind.name) device ("
        if o.vendorID != nil || o.productID != nil {
            s += "\(o.vendorID.map(hex4) ?? "any"):\(o.productID.map(hex4) ?? "any")"
        } else {
            s += kind.idText
        }
        if let serial = o.serial { s += ", serial \(serial)" }
        return s + ")"
    }

    public static func permissionDenied(_ d: USBDeviceInfo) -> TapWalkerError {
        TapWalkerError(.cable, "permission denied opening \(d.node) (\(d.summary)); nothing was done; \(udevAdvice), or run as a user in the plugdev group")
    }
}
