import TapWalkerCore
import TapWalkerServices

/// wifiman.conf, the list of known networks, read as the original MicroPython programmer read it
/// and edited by the console's `wifi add` and `wifi remove` (and later the web page):
///
/// - A line holding a colon is a network, `ssid:password`. It is split at the first colon, so a
///   password may contain colons (the original split at every colon and stopped with an error on
///   a second one) and an SSID cannot.
/// - A line without a colon is ignored, as in the original: blank lines and comments are lines
///   without a colon. A line starting with `#` that holds a colon is still a network, as it was.
/// - Everything between the colon and the line end is the password, spaces included; a CR before
///   the line feed is not part of it (the original kept it). An empty password means an open
///   network.
/// - When one SSID is given twice, the later line's password counts, as in the original.
///
/// Editing rewrites the text: lines that are not about the edited network stay as they were
/// (line ends become LF).
public struct WiFiManFile {
    public static let fileName = "wifiman.conf"

    public let file: String
    /// The text, line by line, without line ends.
    public private(set) var lines: [[UInt8]]

    public init(file: String = WiFiManFile.fileName) {
        self.file = file
        lines = []
    }

    /// Reads `text`; an SSID that could never match a network (empty or over 32 bytes) is an
    /// error naming the line.
    public init(_ text: [UInt8], file: String = WiFiManFile.fileName) throws(TapWalkerError) {
        let split = try ConfigurationLines(text, file: file)
        self.file = file
        lines = split.lines.map { $0.bytes }
        for line in split.lines {
            guard let network = WiFiManFile.network(in: line.bytes) else { continue }
            guard WiFiNetwork.ssidBytes.contains(network.ssid.count) else {
                throw split.error(line, "ssid \"\(ASCII.printable(network.ssid))\" must be 1 to 32 bytes (the part before the first colon)")
            }
        }
    }

    /// The networks, each SSID once with its last password, in the order they first appear.
    public var networks: [WiFiNetwork] {
        var out: [WiFiNetwork] = []
        for line in lines {
            guard let network = WiFiManFile.network(in: line) else { continue }
            if let i = out.firstIndex(where: { $0.ssid == network.ssid }) { out[i].password = network.password }
            else { out.append(network) }
        }
        return out
    }

    /// The file's new content.
    public var text: [UInt8] {
        var out: [UInt8] = []
        for line in lines { out += line; out.append(0x0A) }
        return out
    }

    /// Adds `ssid` or changes its password. The SSID and password must pass `WiFiCredentialRules`
    /// (the web page's WiFi settings check the same): the password empty (an open network), a
    /// WPA2 passphrase of 8 to 63 characters, or 64 hex digits (a raw pre-shared key), IEEE 802.11i.
    /// The first line for the SSID is replaced, later ones are dropped, and a new network goes at the end.
    public mutating func add(_ network: WiFiNetwork) throws(TapWalkerError) {
        if let problem = WiFiCredentialRules.problem(ssid: network.ssid, password: network.password) {
            throw TapWalkerError(.usage, "\(problem); \(file) was not changed")
        }
        let line = network.ssid + [UInt8(ascii: ":")] + network.password
        var edited: [[UInt8]] = []
        var placed = false
        for old in lines {
            if WiFiManFile.network(in: old)?.ssid == network.ssid {
                if !placed { edited.append(line); placed = true }
            } else {
                edited.append(old)
            }
        }
        if !placed { edited.append(line) }
        var size = 0
        for l in edited { size += l.count + 1 }
        guard size <= ConfigurationLines.maximumFileBytes else {
            throw TapWalkerError(.usage, "\(file) would grow past \(ConfigurationLines.maximumFileBytes) bytes; remove a network first; \(file) was not changed")
        }
        lines = edited
    }

    /// Removes every line for `ssid`.
    public mutating func remove(ssid: [UInt8]) throws(TapWalkerError) {
        let kept = lines.filter { WiFiManFile.network(in: $0)?.ssid != ssid }
        guard kept.count < lines.count else {
            throw TapWalkerError(.usage, "no network \"\(ASCII.printable(ssid))\" in \(file); `wifi list` shows the known ones")
        }
        lines = kept
    }

    /// The network a line describes, or nil for a line without a colon.
    static func network(in line: [UInt8]) -> WiFiNetwork? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return WiFiNetwork(ssid: Array(line[..<colon]), password: Array(line[(colon + 1)...]))
    }
}
