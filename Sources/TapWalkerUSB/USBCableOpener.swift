import TapWalkerCore

/// Opens the USB cable a `--cable NAME[:OPTIONS]` names: finds the device, claims it, starts the
/// probe at the TCK asked for (the cable's maximum, capped at the ECP5's 25 MHz, unless `tck=`).
public struct USBCableOpener {
    public struct Opened {
        public let cable: any Cable
        /// "FT2232H 0403:6010 serial FT4EMU01 at bus 1 address 2, interface A (ft2232, TCK 15 MHz)".
        public let description: String
        /// Lines for standard error: which device was chosen, a kernel driver detached.
        public let notes: [String]
        /// URBs and bytes each way so far.
        public let traffic: () -> (transfersOut: Int, transfersIn: Int, bytesOut: Int, bytesIn: Int)
        public let close: () -> Void
    }

    /// The ECP5's fastest TCK (docs/ecp5 facts): the default unless `tck=` says otherwise.
    public static let defaultTCK: UInt32 = 25_000_000

    public static func open(_ kind: USBCableKind, optionText: String, cable: String) throws(TapWalkerError) -> Opened {
        let options = try USBCableOptions.parse(optionText, kind: kind, cable: cable)
        let bus = try USBBus()
        let index = try USBDeviceChooser.choose(kind, options, on: bus, cable: cable)
        let device = try USBDeviceHandle(bus: bus, index: index)
        let tck = options.tck ?? min(kind.maximumTCK, defaultTCK)
        var where_ = device.info.summary
        do throws(TapWalkerError) {
            let cableObject: any Cable
            let pipe: USBBulkPipe
            let close: () -> Void
            switch kind.driver {
            case .mpsse:
                let c = try FTDIMPSSECable(device: device, interface: options.interface, tck: tck)
                where_ += ", interface \(["A", "B", "C", "D"][options.interface])"
                (cableObject, pipe, close) = (c, c.pipe, c.close)
            case .bitBang:
                let c = try FT231XBitBangCable(device: device, tck: tck)
                (cableObject, pipe, close) = (c, c.pipe, c.close)
            case .cmsisDAP:
                let c = try CMSISDAPCable(device: device, tck: tck)
                where_ += ", \(c.packetCount) packets of \(c.packetSize) bytes"
                (cableObject, pipe, close) = (c, c.pipe, c.close)
            case .dirtyJTAG:
                let c = try DirtyJTAGCable(device: device, tck: tck)
                where_ += ", \(c.version)"
                (cableObject, pipe, close) = (c, c.pipe, c.close)
            }
            let mhz = Double(cableObject.frequency) / 1e6
            let description = "\(where_) (\(kind.name), TCK \(formatMHz(mhz)) MHz)"
            let notes = ["tapwalker: using \(device.info.summary) for --cable \(cable)"] + device.notes.map { "tapwalker: " + $0 }
            return Opened(cable: cableObject, description: description, notes: notes,
                          traffic: { (pipe.transfersOut, pipe.transfersIn, pipe.bytesOut, pipe.bytesIn) },
                          close: { close(); _ = bus })
        } catch {
            device.close()
            throw error
        }
    }

    static func formatMHz(_ v: Double) -> String {
        let thousandths = Int((v * 1000).rounded())
        if thousandths % 1000 == 0 { return String(thousandths / 1000) }
        var frac = String(thousandths % 1000)
        frac = String(repeating: "0", count: 3 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return "\(thousandths / 1000).\(frac)"
    }
}
