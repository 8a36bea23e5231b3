/// A scan vector of an SVF statement, as the cable wants it: bit i is bit i % 8 of byte i / 8, bit 0
/// the first one shifted. SVF writes vectors as hex MSB first, so bit 0 is the low bit of the last
/// hex digit (docs/svf.md §3). Bits above `count` are always zero.
public struct SVFBits: Equatable, Sendable {
    public let count: Int
    public var bytes: [UInt8]

    public init(count: Int, bytes: [UInt8]) {
        self.count = count
        self.bytes = bytes
    }

    /// `count` bits all set: the default MASK and SMASK.
    public static func ones(_ count: Int) -> SVFBits {
        var bytes = [UInt8](repeating: 0xFF, count: (count + 7) / 8)
        if count % 8 != 0 { bytes[bytes.count - 1] = UInt8((1 << (count % 8)) - 1) }
        return SVFBits(count: count, bytes: bytes)
    }

    public static func zeros(_ count: Int) -> SVFBits {
        SVFBits(count: count, bytes: [UInt8](repeating: 0, count: (count + 7) / 8))
    }

    public func bit(_ i: Int) -> Bool { bytes[i >> 3] & UInt8(1 << (i & 7)) != 0 }

    /// Bits `from..<from + width` as hex, MSB first (as SVF writes them).
    public func hex(from: Int, width: Int) -> String {
        var digits: [UInt8] = []
        var i = from + width
        while i > from {
            let low = max(from, i - 4)
            var v = 0
            for k in stride(from: i - 1, through: low, by: -1) { v = v << 1 | (bit(k) ? 1 : 0) }
            digits.append(UInt8(ascii: "0") + UInt8(v < 10 ? v : v + 7))
            i = low
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// The SMASK-free concatenation of scan segments, first-shifted first: header, body, trailer.
    static func joined(_ parts: [SVFBits]) -> SVFBits {
        let total = parts.reduce(0) { $0 + $1.count }
        var out = SVFBits.zeros(total)
        var at = 0
        out.bytes.withUnsafeMutableBytes { target in
            for part in parts where part.count > 0 {
                part.bytes.withUnsafeBytes { source in
                    BitOrder.copyBits(source, from: 0, to: target, at: at, count: part.count)
                }
                at += part.count
            }
        }
        return out
    }
}
