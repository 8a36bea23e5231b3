/// "Authorization: Basic base64(user:password)" (RFC 7617), for scripts that do not keep cookies.
public enum HTTPBasicAuthorization {
    /// (user, password) of the header value, nil when it is not Basic or not valid base64.
    public static func decode(_ value: [UInt8]) -> (user: [UInt8], password: [UInt8])? {
        let prefix = Array("basic ".utf8)
        guard value.count > prefix.count, value[0..<prefix.count].map({ $0 | 0x20 }) == prefix.map({ $0 | 0x20 }) else { return nil }
        guard let decoded = base64(Array(value[prefix.count...])), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return (Array(decoded[..<colon]), Array(decoded[(colon + 1)...]))
    }

    /// Standard base64 (RFC 4648 section 4) with padding; nil for anything else.
    public static func base64(_ text: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        var padding = 0
        for c in text {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): padding += 1; continue
            default: return nil
            }
            if padding > 0 { return nil }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        guard padding <= 2, (text.count % 4) == 0 else { return nil }
        return out
    }
}
