import TapWalkerServices

/// The kinds of `--cable` TapWalker opens, one row each: the table `CableOptions.open` dispatches
/// on and `tapwalker list cables` prints.
struct CableScheme {
    /// "sim", "xvc", "rbb".
    let name: String
    /// How a cable of this kind is written.
    let form: String
    let summary: String
    /// The TCP port used when the cable names none.
    let defaultPort: Int?

    static let all: [CableScheme] = [
        CableScheme(name: "sim", form: "sim[:part=NAME,tck=HZ,flash=CHIP,flash-image=PATH]",
                    summary: "the simulated board (the default when neither --cable nor TAPWALKER_CABLE names one)",
                    defaultPort: nil),
        CableScheme(name: "xvc", form: "xvc://HOST[:PORT][?tck=HZ]",
                    summary: "an XVC 1.0 server (TCK 25 MHz unless given)", defaultPort: XVCServer.defaultPort),
        CableScheme(name: "rbb", form: "rbb://HOST[:PORT]",
                    summary: "an OpenOCD remote_bitbang server (cannot set TCK)", defaultPort: RemoteBitbangServer.defaultPort),
    ]

    /// The scheme `text` is written in: `sim` or `sim:…`, or `NAME://…`.
    static func of(_ text: String) -> CableScheme? {
        all.first { text == $0.name || text.hasPrefix($0.name + ($0.defaultPort == nil ? ":" : "://")) }
    }

    /// "sim[:…], xvc://HOST[:PORT][?tck=HZ] or rbb://HOST[:PORT]", for messages.
    static var forms: String {
        let f = all.map(\.form)
        return f.dropLast().joined(separator: ", ") + " or " + f.last!
    }
}
