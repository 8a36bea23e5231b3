import TapWalkerCore

/// One request's head: the request line and the header fields the server acts on (others are
/// read and dropped, so a head costs at most one line of memory beyond these).
public struct HTTPRequest {
    public var method: String
    /// The path of the target, percent-decoded ("/api/files/a b.bit").
    public var path: String
    /// The query's name=value pairs, percent-decoded, in order.
    public var query: [(name: String, value: String)]
    public var http11: Bool
    public var framing = HTTPMessageReader.Framing()
    public var cookie: [UInt8]?
    public var authorization: [UInt8]?
    public var csrfToken: [UInt8]?
    /// Origin and Host: a browser names the page a request comes from, so a request another
    /// site's page makes with this server's cookie can be told apart (RFC 6454 section 7).
    public var origin: [UInt8]?
    public var host: [UInt8]?
    public var connectionClose = false
    public var connectionKeepAlive = false
    public var expectContinue = false

    public init(method: String, path: String, query: [(name: String, value: String)] = [], http11: Bool = true) {
        self.method = method
        self.path = path
        self.query = query
        self.http11 = http11
    }

    public func query(_ name: String) -> String? {
        HTTPRequest.value(name, in: query)
    }

    /// The value of `name` in form or query pairs.
    public static func value(_ name: String, in pairs: [(name: String, value: String)]) -> String? {
        pairs.first(where: { ASCII.equal($0.name, name) })?.value
    }

    // String == needs Unicode tables that Embedded Swift does not link; methods and paths are
    // compared as bytes.

    /// Whether this is `method` on `path`.
    public func matches(_ method: String, _ path: String) -> Bool {
        ASCII.equal(self.method, method) && ASCII.equal(self.path, path)
    }

    public func isMethod(_ method: String) -> Bool { ASCII.equal(self.method, method) }

    public enum Verb {
        case get, head, put, post, delete, other
    }

    public var verb: Verb {
        if isMethod("GET") { return .get }
        if isMethod("HEAD") { return .head }
        if isMethod("PUT") { return .put }
        if isMethod("POST") { return .post }
        if isMethod("DELETE") { return .delete }
        return .other
    }

    public func isPath(_ path: String) -> Bool { ASCII.equal(self.path, path) }

    /// GET and HEAD change nothing; everything else needs the CSRF token when a cookie logs it in.
    public var isSafe: Bool { isMethod("GET") || isMethod("HEAD") }

    /// Whether a browser sent this from a page of another origin (an Origin that is not this
    /// server's own http:// or https:// address as the Host field names it). No Origin: not a
    /// browser's cross-site request (curl, or a browser's own same-origin GET).
    public var isCrossOrigin: Bool {
        guard let origin else { return false }
        guard let host else { return true }
        return origin != Array("http://".utf8) + host && origin != Array("https://".utf8) + host
    }

    /// Whether the connection stays open after the answer (RFC 9112 section 9.3).
    public var keepAlive: Bool { http11 ? !connectionClose : connectionKeepAlive }

    public var hasBody: Bool { framing.chunked || (framing.contentLength ?? 0) > 0 }

    /// The value of cookie `name`, if the Cookie header has it.
    public func cookie(_ name: String) -> [UInt8]? {
        guard let cookie else { return nil }
        let key = Array(name.utf8)
        for part in cookie.split(separator: UInt8(ascii: ";")) {
            let pair = HTTPMessageReader.trimmed(part)
            guard let eq = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
            if Array(pair[..<eq]) == key { return Array(pair[(eq + 1)...]) }
        }
        return nil
    }

    // MARK: - Parsing

    public enum ParseError {
        case malformed(String)
        case version
    }

    /// "METHOD target HTTP/1.x" → the request, or why not.
    public static func parse(requestLine line: [UInt8]) -> (HTTPRequest?, ParseError?) {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }),
            parts[1].first == UInt8(ascii: "/")
        else { return (nil, .malformed("malformed request line")) }
        let version = Array(parts[2])
        let http11: Bool
        if version == Array("HTTP/1.1".utf8) { http11 = true }
        else if version == Array("HTTP/1.0".utf8) { http11 = false }
        else { return (nil, .version) }
        let target = parts[1]
        var pathPart = target
        var queryPart: ArraySlice<UInt8> = []
        if let q = target.firstIndex(of: UInt8(ascii: "?")) {
            pathPart = target[..<q]
            queryPart = target[(q + 1)...]
        }
        guard let path = percentDecoded(pathPart, plusIsSpace: false) else {
            return (nil, .malformed("bad percent-encoding or control characters in the path"))
        }
        var query: [(name: String, value: String)] = []
        if let pairs = parseForm(queryPart) { query = pairs } else {
            return (nil, .malformed("bad percent-encoding in the query"))
        }
        return (HTTPRequest(method: String(decoding: parts[0], as: UTF8.self), path: path, query: query, http11: http11), nil)
    }

    /// Takes in one header field.
    public mutating func add(field: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        if HTTPMessageReader.equalFold(field, "cookie") {
            cookie = (cookie.map { $0 + Array("; ".utf8) } ?? []) + Array(value)
        } else if HTTPMessageReader.equalFold(field, "authorization") {
            authorization = Array(value)
        } else if HTTPMessageReader.equalFold(field, "x-csrf-token") {
            csrfToken = Array(value)
        } else if HTTPMessageReader.equalFold(field, "origin") {
            origin = Array(value)
        } else if HTTPMessageReader.equalFold(field, "host") {
            host = Array(value)
        } else if HTTPMessageReader.equalFold(field, "connection") {
            for token in value.split(separator: UInt8(ascii: ",")) {
                let t = HTTPMessageReader.trimmed(token)
                if HTTPMessageReader.equalFold(t, "close") { connectionClose = true }
                if HTTPMessageReader.equalFold(t, "keep-alive") { connectionKeepAlive = true }
            }
        } else if HTTPMessageReader.equalFold(field, "expect") {
            expectContinue = HTTPMessageReader.equalFold(value, "100-continue")
        }
    }

    /// application/x-www-form-urlencoded pairs (also the query string); nil when malformed.
    public static func parseForm(_ bytes: ArraySlice<UInt8>) -> [(name: String, value: String)]? {
        var out: [(name: String, value: String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&")) {
            var name = pair
            var value: ArraySlice<UInt8> = []
            if let eq = pair.firstIndex(of: UInt8(ascii: "=")) {
                name = pair[..<eq]
                value = pair[(eq + 1)...]
            }
            guard let n = percentDecoded(name, plusIsSpace: true), let v = percentDecoded(value, plusIsSpace: true) else { return nil }
            out.append((n, v))
        }
        return out
    }

    /// %XX decoded; nil for a broken escape or a decoded control character (NUL, CR, LF, ...).
    public static func percentDecoded(_ bytes: ArraySlice<UInt8>, plusIsSpace: Bool) -> String? {
        var out: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            var c = bytes[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2])
                else { return nil }
                c = hi << 4 | lo
                i += 2
            } else if c == UInt8(ascii: "+") && plusIsSpace {
                c = 0x20
            }
            if c < 0x20 || c == 0x7F { return nil }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
