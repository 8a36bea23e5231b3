/// CRC-32 as gzip (RFC 1952) and zip use it: reflected polynomial 0xEDB88320, initial value and final
/// XOR 0xFFFFFFFF ("123456789" → 0xCBF43926).
///
/// Buffers are processed 8 bytes at a time by slicing-by-8: eight 256-entry tables, table k
/// holding the CRC of a byte followed by k zero bytes, so that one step XORs eight lookups
/// instead of chaining eight. The tables (8 KB) are built once per process, on first use.
public struct CRC32: Sendable {
    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The CRC of everything passed to `update` so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    @inline(__always)
    public mutating func update(_ byte: UInt8) {
        CRC32.tables.withUnsafeBufferPointer { t in
            state = (state >> 8) ^ t[Int(UInt8(truncatingIfNeeded: state) ^ byte)]
        }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress else { return }
        var n = bytes.count
        var s = state
        CRC32.tables.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            while n >= 8 {
                let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
                let lo = UInt32(truncatingIfNeeded: word) ^ s
                let hi = UInt32(truncatingIfNeeded: word &>> 32)
                s = t[7 &* 256 &+ Int(lo & 0xFF)] ^ t[6 &* 256 &+ Int((lo &>> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int((lo &>> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(lo &>> 24)]
                    ^ t[3 &* 256 &+ Int(hi & 0xFF)] ^ t[2 &* 256 &+ Int((hi &>> 8) & 0xFF)]
                    ^ t[256 &+ Int((hi &>> 16) & 0xFF)] ^ t[Int(hi &>> 24)]
                p += 8
                n &-= 8
            }
            while n > 0 {
                s = (s &>> 8) ^ t[Int(UInt8(truncatingIfNeeded: s) ^ p.load(as: UInt8.self))]
                p += 1
                n &-= 1
            }
        }
        state = s
    }

    public mutating func reset() { state = 0xFFFF_FFFF }

    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()
}
