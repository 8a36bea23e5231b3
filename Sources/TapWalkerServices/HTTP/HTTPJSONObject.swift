/// Reading the one kind of JSON the API takes in: a flat object whose values are all strings
/// ({"ssid":"home","password":"…"}), RFC 8259. No Codable in Embedded Swift, and nothing more is
/// needed; nested values, numbers and the like are refused rather than skipped.
public enum HTTPJSONObject {
    /// The object's members, values as UTF-8 bytes (escapes decoded), in order; nil when `text`
    /// is not such an object.
    public static func strings(_ text: [UInt8]) -> [(name: String, value: [UInt8])]? {
        var i = 0
        func skipSpace() {
            while i < text.count, text[i] == 0x20 || text[i] == 0x09 || text[i] == 0x0A || text[i] == 0x0D { i += 1 }
        }
        func expect(_ c: UInt8) -> Bool {
            skipSpace()
            guard i < text.count, text[i] == c else { return false }
            i += 1
            return true
        }
        var members: [(name: String, value: [UInt8])] = []
        guard expect(UInt8(ascii: "{")) else { return nil }
        skipSpace()
        if i < text.count, text[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard let name = string(text, &i), expect(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let value = string(text, &i) else { return nil }
                members.append((String(decoding: name, as: UTF8.self), value))
                if expect(UInt8(ascii: ",")) { continue }
                guard expect(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        skipSpace()
        return i == text.count ? members : nil
    }

    /// A string literal starting at `i`, decoded; `i` ends after its closing quote.
    static func string(_ text: [UInt8], _ i: inout Int) -> [UInt8]? {
        guard i < text.count, text[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out: [UInt8] = []
        while i < text.count {
            let c = text[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""): return out
            case 0..<0x20: return nil  // control characters must be escaped
            case UInt8(ascii: "\\"):
                guard i < text.count else { return nil }
                let e = text[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4(text, &i) else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by \u and a low one.
                        guard i + 1 < text.count, text[i] == UInt8(ascii: "\\"), text[i + 1] == UInt8(ascii: "u") else { return nil }
                        i += 2
                        guard let low = hex4(text, &i), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        return nil
                    }
                    appendUTF8(scalar, to: &out)
                default: return nil
                }
            default: out.append(c)
            }
        }
        return nil
    }

    private static func hex4(_ text: [UInt8], _ i: inout Int) -> UInt32? {
        guard i + 4 <= text.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = text[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private static func appendUTF8(_ s: UInt32, to out: inout [UInt8]) {
        switch s {
        case 0..<0x80: out.append(UInt8(s))
        case 0x80..<0x800:
            out += [UInt8(0xC0 | (s >> 6)), UInt8(0x80 | (s & 0x3F))]
        case 0x800..<0x10000:
            out += [UInt8(0xE0 | (s >> 12)), UInt8(0x80 | ((s >> 6) & 0x3F)), UInt8(0x80 | (s & 0x3F))]
        default:
            out += [UInt8(0xF0 | (s >> 18)), UInt8(0x80 | ((s >> 12) & 0x3F)), UInt8(0x80 | ((s >> 6) & 0x3F)), UInt8(0x80 | (s & 0x3F))]
        }
    }
}
