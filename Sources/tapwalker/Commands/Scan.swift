import ArgumentParser
import TapWalkerCore
import TapWalkerServices
import TapWalkerUSB

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the USB JTAG cables present and the --cable that opens each.",
        discussion: """
            Like openFPGALoader --scan-usb: every USB device a TapWalker cable drives (by VID:PID, or \
            a product or interface named CMSIS-DAP), with its bus, address, manufacturer, product and \
            serial. A device that cannot be opened shows why (permission denied: install \
            udev/60-tapwalker.rules, see README). Nothing is sent to the devices beyond reading \
            their descriptors.
            """)

    @OptionGroup var report: ReportOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            let bus = try USBBus()
            var rows: [[String]] = []
            var objects: [JSONObject.Value] = []
            for (_, d) in bus.devices {
                guard let kind = USBCableKind.opening(d) else { continue }
                let cable = kind.name + (d.serial.map { ":serial=\($0)" } ?? "")
                var o = JSONObject()
                o["bus"] = .int(d.bus)
                o["address"] = .int(d.address)
                o["vid"] = .string(hex(d.vendorID))
                o["pid"] = .string(hex(d.productID))
                o["manufacturer"] = d.manufacturer.map { .string($0) } ?? .null
                o["product"] = d.product.map { .string($0) } ?? .null
                o["serial"] = d.serial.map { .string($0) } ?? .null
                o["cable"] = .string(cable)
                o["node"] = .string(d.node)
                o["error"] = d.openError.map { .string("cannot open \(d.node): \($0)") } ?? .null
                objects.append(.object(o))
                rows.append([String(d.bus), String(d.address), d.ids, d.manufacturer ?? "-", d.product ?? "-", d.serial ?? "-",
                             "--cable " + cable + (d.openError.map { "  (cannot open: \($0); see udev/60-tapwalker.rules)" } ?? "")])
            }
            out["devices"] = .array(objects)
            guard !rows.isEmpty else { return ["no USB JTAG cable found (\(USBCableKind.all.map(\.name).joined(separator: ", ")))"] }
            let header = ["bus", "addr", "vid:pid", "manufacturer", "product", "serial", "open with"]
            let all = [header] + rows
            let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
            return all.map { row in
                row.indices.map { c in c == row.count - 1 ? row[c] : row[c] + String(repeating: " ", count: widths[c] - row[c].count) }
                    .joined(separator: "  ")
            }
        }
    }

    private func hex(_ v: UInt16) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}
