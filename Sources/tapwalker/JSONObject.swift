/// A JSON object that keeps its keys in insertion order, so the output reads the same every time.
struct JSONObject {
    indirect enum Value {
        case null, bool(Bool), int(Int), uint(UInt64), double(Double), string(String)
        case object(JSONObject), array([Value])
    }

    private(set) var keys: [String] = []
    private var values: [String: Value] = [:]

    init() {}

    subscript(key: String) -> Value? {
        get { values[key] }
        set {
            if values[key] == nil { keys.append(key) }
            values[key] = newValue ?? .null
        }
    }

    func serialized() -> String {
        "{" + keys.map { "\(quote($0)):\(encode(values[$0]!))" }.joined(separator: ",") + "}"
    }

    private func encode(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return d.isFinite ? String(d) : "null"
        case .string(let s): return quote(s)
        case .object(let o): return o.serialized()
        case .array(let a): return "[" + a.map(encode).joined(separator: ",") + "]"
        }
    }

    private func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

extension JSONObject.Value {
    static func optional(_ s: String?) -> Self { s.map { .string($0) } ?? .null }
    static func hex(_ v: UInt32?) -> Self { v.map { .string(hexString($0)) } ?? .null }
}

/// "0x41113043": the form every output uses for IDCODEs, status words and user codes.
func hexString(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
