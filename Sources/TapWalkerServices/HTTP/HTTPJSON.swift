/// Writing JSON text by hand (no Codable in Embedded Swift): string escaping and the error body.
public enum HTTPJSON {
    /// `text` as a JSON string literal, quotes included (RFC 8259 section 7).
    public static func string(_ text: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "\""): out += [0x5C, c]
            case UInt8(ascii: "\\"): out += [0x5C, c]
            case UInt8(ascii: "\n"): out += [0x5C, UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [0x5C, UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20, 0x7F:
                out += Array("\\u00".utf8)
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 15)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// {"ok":false,"error":"..."}
    public static func error(_ message: String) -> String {
        "{\"ok\":false,\"error\":\(string(message))}"
    }

    public static func bool(_ b: Bool) -> String { b ? "true" : "false" }
}
