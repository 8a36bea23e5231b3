import TapWalkerCore

/// Where a network JTAG cable connects: `xvc://HOST[:PORT][?tck=HZ]` (an XVC 1.0 server, port 2542
/// unless given) or `rbb://HOST[:PORT]` (a remote_bitbang server, port 3335 unless given), IPv6 as
/// `[ADDRESS]:PORT`; either may add `timeout=SECONDS` to its options (`&` between two). Written once for the command line's `--cable` and the device's `[jtag] cable`.
public struct NetworkCableAddress: Equatable {
    public enum Kind: Equatable {
        case xvc
        case remoteBitbang
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    /// `?tck=HZ` (XVC only): the TCK to ask the server for; nil when not given.
    public var tckHz: UInt32?
    /// `?timeout=SECONDS`: how long the server may stay silent before the job fails; nil when not
    /// given (NetworkCableLink's default then applies).
    public var timeoutSeconds: Int?

    public init(kind: Kind, host: String, port: Int, tckHz: UInt32? = nil, timeoutSeconds: Int? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.tckHz = tckHz
        self.timeoutSeconds = timeoutSeconds
    }

    /// "xvc://HOST[:PORT][?tck=HZ] or rbb://HOST[:PORT] (IPv6 as [ADDRESS]:PORT)", for messages.
    public static let forms = "xvc://HOST[:PORT][?tck=HZ] or rbb://HOST[:PORT] (IPv6 as [ADDRESS]:PORT; ?timeout=SECONDS on either)"

    /// True when `text` starts like a network cable (`xvc://` or `rbb://`).
    public static func isNetwork(_ text: [UInt8]) -> Bool {
        text.starts(with: "xvc://".utf8) || text.starts(with: "rbb://".utf8)
    }

    /// Parses one address; the error says what is wrong with it (the caller names where it was).
    /// Bytes, not String operations: the device parses it too (Embedded Swift, no Unicode tables).
    public static func parse(_ text: [UInt8]) throws(TapWalkerError) -> NetworkCableAddress {
        let bad = TapWalkerError(.usage, "\(ASCII.printable(text)): write \(forms)")
        let kind: Kind
        if text.starts(with: "xvc://".utf8) { kind = .xvc }
        else if text.starts(with: "rbb://".utf8) { kind = .remoteBitbang }
        else { throw bad }
        var rest = Array(text[6...])
        var tck: UInt32? = nil
        var timeout: Int? = nil
        if let q = rest.firstIndex(of: UInt8(ascii: "?")) {
            let query = Array(rest[(q + 1)...])
            rest = Array(rest[..<q])
            let options = kind == .xvc
                ? "?tck=HZ (the TCK frequency to ask the server for) and ?timeout=SECONDS"
                : "?timeout=SECONDS (remote_bitbang cannot set TCK)"
            let badOption = TapWalkerError(.usage, "\(ASCII.printable(text)): the options are \(options) (how long the server may stay silent before the job fails, 1 to 3600; 60 unless given), joined by &")
            for option in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
                if kind == .xvc, option.starts(with: "tck=".utf8),
                   let hz = decimal(Array(option.dropFirst(4)), digits: 10), hz > 0, hz <= Int(UInt32.max) {
                    tck = UInt32(hz)
                } else if option.starts(with: "timeout=".utf8),
                          let s = decimal(Array(option.dropFirst(8)), digits: 4), s > 0, s <= 3600 {
                    timeout = s
                } else {
                    throw badOption
                }
            }
        }
        if rest.last == UInt8(ascii: "/") { rest.removeLast() }
        var host = rest
        var port = kind == .xvc ? XVCServer.defaultPort : RemoteBitbangServer.defaultPort
        var portText: [UInt8]? = nil
        if rest.first == UInt8(ascii: "["), let close = rest.firstIndex(of: UInt8(ascii: "]")) {
            host = Array(rest[1..<close])
            let after = rest[(close + 1)...]
            if after.first == UInt8(ascii: ":") { portText = Array(after.dropFirst()) }
            else if !after.isEmpty { throw bad }
        } else if let colon = rest.lastIndex(of: UInt8(ascii: ":")) {
            host = Array(rest[..<colon])
            portText = Array(rest[(colon + 1)...])
        }
        if let portText {
            guard let p = decimal(portText) else { throw bad }
            port = p
        }
        // A host is a name or an address: no spaces, slashes or control bytes.
        guard !host.isEmpty, host.count <= 253, (1...65535).contains(port),
              host.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") })
        else { throw bad }
        return NetworkCableAddress(kind: kind, host: String(decoding: host, as: UTF8.self), port: port, tckHz: tck, timeoutSeconds: timeout)
    }

    /// Byte-wise: String's own == needs Unicode tables the device does not carry.
    public static func == (a: NetworkCableAddress, b: NetworkCableAddress) -> Bool {
        a.kind == b.kind && ASCII.equal(a.host, b.host) && a.port == b.port && a.tckHz == b.tckHz
            && a.timeoutSeconds == b.timeoutSeconds
    }

    /// "xvc://10.0.2.2:2542", "rbb://[::1]:3335": the address written back.
    public var text: String {
        let h = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        var options: [String] = []
        if let tckHz { options.append("tck=\(tckHz)") }
        if let timeoutSeconds { options.append("timeout=\(timeoutSeconds)") }
        let query = options.isEmpty ? "" : "?" + options.joined(separator: "&")
        return (kind == .xvc ? "xvc://" : "rbb://") + "\(h):\(port)" + query
    }

    private static func decimal(_ bytes: [UInt8], digits: Int = 5) -> Int? {
        guard !bytes.isEmpty, bytes.count <= digits else { return nil }
        var v = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int(b - UInt8(ascii: "0"))
        }
        return v
    }
}
