/// Adler-32 as zlib (RFC 1950) uses it: two sums modulo 65521, starting at 1 and 0
/// ("123456789" → 0x091E01DE). No table; the modulo is taken every 5552 bytes (zlib's NMAX, the
/// most bytes that cannot overflow 32 bits).
public struct Adler32: Sendable {
    private var a: UInt32 = 1
    private var b: UInt32 = 0

    public init() {}

    public var value: UInt32 { (b << 16) | a }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var a = self.a, b = self.b
        var i = 0
        let n = bytes.count
        while i < n {
            let end = min(n, i + 5552)
            while i < end {
                a &+= UInt32(bytes[i])
                b &+= a
                i += 1
            }
            a %= 65521
            b %= 65521
        }
        self.a = a
        self.b = b
    }

    public mutating func reset() { a = 1; b = 0 }
}
