import TapWalkerCore

/// A JSON object that keeps its keys in insertion order, so the output reads the same every time.
/// Keys are compared as bytes and kept in a list (String hashing and comparison need Unicode
/// tables Embedded Swift does not link); an object has a few dozen keys at most.
public struct JSONObject {
    public indirect enum Value {
        case null, bool(Bool), int(Int), uint(UInt64), string(String)
        /// Text written as it is: a number the caller formatted (Embedded Swift cannot print a Double).
        case raw(String)
        case object(JSONObject), array([Value])
    }

    private var entries: [(key: String, value: Value)] = []

    public init() {}

    public var keys: [String] { entries.map { $0.key } }

    private func index(of key: String) -> Int? {
        entries.firstIndex { ASCII.equal($0.key, key) }
    }

    public subscript(key: String) -> Value? {
        get { index(of: key).map { entries[$0].value } }
        set {
            if let i = index(of: key) { entries[i].value = newValue ?? .null } else { entries.append((key, newValue ?? .null)) }
        }
    }

    public func serialized() -> String {
        var out = "{"
        for (i, entry) in entries.enumerated() {
            if i > 0 { out += "," }
            out += JSONObject.quote(entry.key) + ":" + JSONObject.encode(entry.value)
        }
        return out + "}"
    }

    private static func encode(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .raw(let text): return text
        case .string(let s): return quote(s)
        case .object(let o): return o.serialized()
        case .array(let a):
            var out = "["
            for (i, e) in a.enumerated() { out += (i > 0 ? "," : "") + encode(e) }
            return out + "]"
        }
    }

    /// `s` as a JSON string literal (RFC 8259 section 7): quotes, backslashes and control characters
    /// escaped, and DEL (0x7F) too: JSON allows it raw, but a terminal or log that shows the text
    /// should not get it. The one escaper every JSON output uses (results, the HTTP API, events).
    public static func quote(_ s: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [0x5C, c]
            case UInt8(ascii: "\n"): out += [0x5C, UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [0x5C, UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20, 0x7F: out += Array("\\u00".utf8) + [hex[Int(c >> 4)], hex[Int(c & 15)]]
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}

extension JSONObject.Value {
    public static func optional(_ s: String?) -> Self { s.map { .string($0) } ?? .null }
    /// "0x41113043": the form every output uses for IDCODEs, status words and user codes.
    public static func hex(_ v: UInt32?) -> Self { v.map { .string(ASCII.hex($0)) } ?? .null }
}
