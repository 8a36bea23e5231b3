/// ASCII helpers that work on bytes: Embedded Swift has no Unicode tables for String comparison,
/// and everything TapWalker compares (part names, options, commands) is ASCII.
public enum ASCII {
    /// The UTF-8 bytes of `text` with A–Z folded to a–z.
    public static func lowercased(_ text: String) -> [UInt8] {
        text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// Case-insensitive ASCII equality.
    public static func equalFold(_ a: String, _ b: String) -> Bool {
        lowercased(a) == lowercased(b)
    }

    /// Byte-wise equality of two strings (no Unicode normalisation).
    public static func equal(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// Byte-wise equality of received bytes and a literal.
    public static func equal(_ a: [UInt8], _ b: String) -> Bool {
        a.elementsEqual(b.utf8)
    }

    /// Case-insensitive equality of received bytes and a literal (protocol command names).
    public static func equalFold(_ a: [UInt8], _ b: String) -> Bool {
        a.count == b.utf8.count && zip(a, b.utf8).allSatisfy { fold($0) == fold($1) }
    }

    /// A–Z folded to a–z.
    public static func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// Received bytes for a message: printable ASCII kept, anything else as "?", at most 40 bytes.
    public static func printable(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(40).map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    /// "0x41113043": lower-case hex with a fixed number of digits.
    public static func hex<T: FixedWidthInteger>(_ value: T, digits: Int = MemoryLayout<T>.size * 2) -> String {
        let s = String(value, radix: 16)
        var pad = ""
        for _ in s.utf8.count..<max(digits, s.utf8.count) { pad += "0" }
        return "0x" + pad + s
    }

    /// Parses decimal or 0x-prefixed hexadecimal, with an optional K/M suffix (×1024, ×1048576).
    public static func parseInteger(_ text: String) -> Int? {
        var bytes = Array(text.utf8)
        var scale = 1
        if let last = bytes.last {
            if last == UInt8(ascii: "K") || last == UInt8(ascii: "k") { scale = 1024; bytes.removeLast() }
            else if last == UInt8(ascii: "M") || last == UInt8(ascii: "m") { scale = 1024 * 1024; bytes.removeLast() }
        }
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes.removeFirst() }
        var radix = 10
        if bytes.count > 2 && bytes[0] == UInt8(ascii: "0") && (bytes[1] | 0x20) == UInt8(ascii: "x") {
            radix = 16
            bytes.removeFirst(2)
        }
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for b in bytes {
            let digit: Int
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(b - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(b - UInt8(ascii: "A")) + 10
            case UInt8(ascii: "_"): continue
            default: return nil
            }
            guard digit < radix else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (a, o2) = m.addingReportingOverflow(digit)
            guard !o1 && !o2 else { return nil }
            value = a
        }
        let (scaled, o) = value.multipliedReportingOverflow(by: scale)
        guard !o else { return nil }
        return negative ? -scaled : scaled
    }
}
