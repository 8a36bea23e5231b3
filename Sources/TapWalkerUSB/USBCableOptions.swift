import TapWalkerCore

/// The options after `--cable NAME:` for a USB cable: `vid=`, `pid=`, `serial=`, `tck=` and, for
/// FTDI chips, `interface=A…D`.
public struct USBCableOptions: Sendable, Equatable {
    public var vendorID: UInt16?
    public var productID: UInt16?
    public var serial: String?
    public var tck: UInt32?
    /// 0 for A, 1 for B, …
    public var interface = 0

    public init() {}

    public static let form = "vid=0xVVVV,pid=0xPPPP,serial=S,tck=HZ,interface=A"

    /// Parses "serial=FT4EMU01,tck=15000000"; `cable` is the whole `--cable` text, for messages.
    public static func parse(_ text: String, kind: USBCableKind, cable: String) throws(TapWalkerError) -> USBCableOptions {
        var o = USBCableOptions()
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw bad(cable, kind, "'\(item)' is not KEY=VALUE") }
            let value = parts[1]
            switch parts[0] {
            case "vid", "pid":
                let digits = value.lowercased().hasPrefix("0x") ? String(value.dropFirst(2)) : value
                guard let v = UInt16(digits, radix: 16) else { throw bad(cable, kind, "\(parts[0])=\(value) is not a 16-bit hexadecimal number") }
                if parts[0] == "vid" { o.vendorID = v } else { o.productID = v }
            case "serial": o.serial = value
            case "tck":
                guard let hz = ASCII.parseInteger(value), hz > 0, hz <= Int(kind.maximumTCK) else {
                    throw bad(cable, kind, "tck=\(value) must be a frequency in Hz from 1 to \(kind.maximumTCK)")
                }
                o.tck = UInt32(hz)
            case "interface":
                let letters = ["A", "B", "C", "D"].prefix(max(kind.interfaces, 0))
                // The FT4232H's C and D are UART/bit-bang only; MPSSE lives on A and B (DS_FT4232H).
                let usable = kind.driver == .mpsse ? Array(letters.prefix(2)) : []
                guard let i = usable.firstIndex(of: value.uppercased()) else {
                    throw bad(cable, kind, usable.isEmpty ? "this cable has no interface option" : "interface=\(value): use \(usable.joined(separator: " or "))")
                }
                o.interface = i
            default:
                throw bad(cable, kind, "unknown option '\(parts[0])'")
            }
        }
        return o
    }

    private static func bad(_ cable: String, _ kind: USBCableKind, _ why: String) -> TapWalkerError {
        let form = kind.driver == .mpsse ? form : "vid=0xVVVV,pid=0xPPPP,serial=S,tck=HZ"
        return TapWalkerError(.usage, "--cable \(cable): \(why); write \(kind.name)[:\(form)]")
    }
}
