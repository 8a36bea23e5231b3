/// An `http://host[:port]/path` URL, parsed on bytes (Embedded-clean: no Foundation, no String
/// comparison). The query stays part of the path; a `#fragment` is dropped (it never goes to the
/// server). `https://` is refused as bad usage: `HTTPSource`, the device's client, has no TLS (a
/// host fetches https through libcurl instead, docs/url-sources.md).
public struct HTTPURL: Sendable {
    /// The host as written, without brackets for an IPv6 literal.
    public let host: String
    public let port: Int
    /// The request target: starts with "/", includes any query.
    public let path: String

    public init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }

    /// "http://host:port/path" (the port only when it is not 80).
    public var text: String { "http://" + hostHeader + path }

    /// The value of the Host header: the host, bracketed if IPv6, and ":port" unless 80.
    public var hostHeader: String {
        var h = host.utf8.contains(UInt8(ascii: ":")) ? "[" + host + "]" : host
        if port != 80 { h += ":\(port)" }
        return h
    }

    /// True when `text` starts with `http://` or `https://` (any case): it is meant as a URL, not
    /// a file name.
    public static func looksLikeURL(_ text: String) -> Bool {
        let b = Array(text.utf8)
        return hasScheme(b, "http://") || hasScheme(b, "https://")
    }

    /// Parses `text`; anything but a well-formed http:// URL is a usage error that says why.
    public static func parse(_ text: String) throws(TapWalkerError) -> HTTPURL {
        let b = Array(text.utf8)
        if hasScheme(b, "https://") {
            throw TapWalkerError(.usage, "\(text): HTTPS is not supported by the device (it has no TLS yet); use an http:// URL, or download the file and upload it")
        }
        guard hasScheme(b, "http://") else {
            throw TapWalkerError(.usage, "\(text) is not an http:// URL")
        }
        var i = 7
        // Authority: up to the first '/', '?' or '#'.
        var end = i
        while end < b.count && b[end] != UInt8(ascii: "/") && b[end] != UInt8(ascii: "?") && b[end] != UInt8(ascii: "#") { end += 1 }
        let authority = Array(b[i..<end])
        i = end
        if authority.contains(UInt8(ascii: "@")) {
            throw TapWalkerError(.usage, "\(text): user names and passwords in URLs are not supported")
        }
        var hostBytes: [UInt8]
        var portBytes: [UInt8]? = nil
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
                throw TapWalkerError(.usage, "\(text): the IPv6 address has no closing ]")
            }
            hostBytes = Array(authority[1..<close])
            let rest = authority[(close + 1)...]
            if let first = rest.first {
                guard first == UInt8(ascii: ":") else { throw TapWalkerError(.usage, "\(text): unexpected characters after the IPv6 address") }
                portBytes = Array(rest.dropFirst())
            }
        } else if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            hostBytes = Array(authority[..<colon])
            portBytes = Array(authority[(colon + 1)...])
        } else {
            hostBytes = authority
        }
        guard !hostBytes.isEmpty else { throw TapWalkerError(.usage, "\(text): no host name") }
        for c in hostBytes where c <= 0x20 || c >= 0x7F {
            throw TapWalkerError(.usage, "\(text): the host name has a character that is not allowed")
        }
        var port = 80
        if let portBytes {
            guard let p = HTTPURL.decimal(portBytes[...]), p >= 1, p <= 65535 else {
                throw TapWalkerError(.usage, "\(text): the port must be a number from 1 to 65535")
            }
            port = p
        }
        var pathEnd = i
        while pathEnd < b.count && b[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
        var path = Array(b[i..<pathEnd])
        for c in path where c <= 0x20 || c == 0x7F {
            throw TapWalkerError(.usage, "\(text): spaces and control characters must be %-encoded in the path")
        }
        if path.first != UInt8(ascii: "/") { path.insert(UInt8(ascii: "/"), at: 0) }
        return HTTPURL(host: String(decoding: hostBytes, as: UTF8.self), port: port, path: String(decoding: path, as: UTF8.self))
    }

    /// A strict non-negative decimal (digits only, no sign, no suffix); nil on overflow or if empty.
    static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var v = 0
        for c in bytes {
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(c - UInt8(ascii: "0")))
            guard !o1 && !o2 else { return nil }
            v = a
        }
        return v
    }

    /// Case-insensitive "does `bytes` start with `scheme`" (scheme given in lower case).
    static func hasScheme(_ bytes: [UInt8], _ scheme: StaticString) -> Bool {
        let n = scheme.utf8CodeUnitCount
        guard bytes.count >= n else { return false }
        let s = scheme.utf8Start
        for k in 0..<n {
            let c = bytes[k]
            let folded = c >= 0x41 && c <= 0x5A ? c | 0x20 : c
            if folded != s[k] { return false }
        }
        return true
    }
}
