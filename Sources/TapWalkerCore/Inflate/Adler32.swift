/// Adler-32 as zlib (RFC 1950) uses it: two sums modulo 65521, starting at 1 and 0
/// ("123456789" → 0x091E01DE). No table. The modulo is taken once per 5,552 bytes (zlib's NMAX,
/// the most bytes after which `b` cannot have overflowed 32 bits), and the sums are kept
/// 8 bytes at a time: over bytes x0…x7, `a` grows by their sum and `b` by 8·a + 8·x0 + 7·x1 + … + 1·x7.
public struct Adler32: Sendable {
    private var a: UInt32 = 1
    private var b: UInt32 = 0

    public init() {}

    public var value: UInt32 { (b << 16) | a }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress else { return }
        var a = self.a, b = self.b
        var n = bytes.count
        while n > 0 {
            var chunk = min(n, 5552)
            n -= chunk
            while chunk >= 8 {
                let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
                let x0 = UInt32(truncatingIfNeeded: word) & 0xFF, x1 = UInt32(truncatingIfNeeded: word &>> 8) & 0xFF
                let x2 = UInt32(truncatingIfNeeded: word &>> 16) & 0xFF, x3 = UInt32(truncatingIfNeeded: word &>> 24) & 0xFF
                let x4 = UInt32(truncatingIfNeeded: word &>> 32) & 0xFF, x5 = UInt32(truncatingIfNeeded: word &>> 40) & 0xFF
                let x6 = UInt32(truncatingIfNeeded: word &>> 48) & 0xFF, x7 = UInt32(truncatingIfNeeded: word &>> 56)
                b &+= a &* 8 &+ x0 &* 8 &+ x1 &* 7 &+ x2 &* 6 &+ x3 &* 5 &+ x4 &* 4 &+ x5 &* 3 &+ x6 &* 2 &+ x7
                a &+= x0 &+ x1 &+ x2 &+ x3 &+ x4 &+ x5 &+ x6 &+ x7
                p += 8
                chunk &-= 8
            }
            while chunk > 0 {
                a &+= UInt32(p.load(as: UInt8.self))
                b &+= a
                p += 1
                chunk &-= 1
            }
            a %= 65521
            b %= 65521
        }
        self.a = a
        self.b = b
    }

    public mutating func reset() { a = 1; b = 0 }
}
