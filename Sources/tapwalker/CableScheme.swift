import TapWalkerServices
import TapWalkerUSB

/// The kinds of `--cable` TapWalker opens, one row each: the table `CableOptions.open` dispatches
/// on and `tapwalker list cables` prints.
struct CableScheme {
    /// "sim", "xvc", "rbb", "ft2232", …
    let name: String
    /// How a cable of this kind is written.
    let form: String
    let summary: String
    /// The TCP port used when the cable names none.
    let defaultPort: Int?
    /// The USB cable this row opens (its VID:PID and driver), for USB cables.
    var usb: USBCableKind? = nil

    static let all: [CableScheme] = [
        CableScheme(name: "sim", form: "sim[:part=NAME,tck=HZ,flash=CHIP,flash-image=PATH]",
                    summary: "the simulated board (the default when neither --cable nor TAPWALKER_CABLE names one)",
                    defaultPort: nil),
        CableScheme(name: "xvc", form: "xvc://HOST[:PORT][?tck=HZ]",
                    summary: "an XVC 1.0 server (TCK 25 MHz unless given; ?timeout=SECONDS, after tck= with &: how long it may stay silent, 60 unless given)", defaultPort: XVCServer.defaultPort),
        CableScheme(name: "rbb", form: "rbb://HOST[:PORT]",
                    summary: "an OpenOCD remote_bitbang server (cannot set TCK; ?timeout=SECONDS: how long it may stay silent, 60 unless given)", defaultPort: RemoteBitbangServer.defaultPort),
    ] + USBCableKind.all.map { kind in
        let options = kind.driver == .mpsse ? USBCableOptions.form : "vid=0xVVVV,pid=0xPPPP,serial=S,tck=HZ"
        return CableScheme(name: kind.name, form: "\(kind.name)[:\(options)]",
                           summary: "USB: \(kind.summary); \(kind.idText)", defaultPort: nil, usb: kind)
    }

    /// The scheme `text` is written in: `sim` or `sim:…`, or `NAME://…`.
    static func of(_ text: String) -> CableScheme? {
        all.first { text == $0.name || text.hasPrefix($0.name + ($0.defaultPort == nil ? ":" : "://")) }
    }

    /// "sim[:…], xvc://HOST[:PORT][?tck=HZ], …, ft2232[:…] … or dirtyjtag[:…]", for messages.
    static var forms: String {
        let f = all.map { $0.usb == nil ? $0.form : $0.name + "[:OPTIONS]" }
        return f.dropLast().joined(separator: ", ") + " or " + f.last!
    }
}
