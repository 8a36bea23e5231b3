/// CRC-32 as gzip (RFC 1952) and zip use it: reflected polynomial 0xEDB88320, initial value and final
/// XOR 0xFFFFFFFF ("123456789" → 0xCBF43926).
///
/// Buffers are processed 8 bytes at a time by slicing-by-8: eight 256-entry tables, table k
/// holding the CRC of a byte followed by k zero bytes, so that one step XORs eight lookups
/// instead of chaining eight; long buffers in blocks of three independent lanes (3 × 2 KB, then
/// 3 × 256 bytes) joined by a multiplication. The tables (8 KB) are built once per process, on first use.
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
        guard let base = bytes.baseAddress else { return }
        var p = base
        var n = bytes.count
        var s = state
        CRC32.tables.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            // Three lanes of equal length side by side, each a chain of its own, so that the CPU
            // overlaps their lookups; then s₀·x^(16L) ⊕ s₁·x^(8L) ⊕ s₂ joins them (a CRC is linear:
            // the register after data D from state s is s·x^(8|D|) ⊕ (D's register from 0)).
            CRC32.lanes(t, &s, &p, &n, lane: 2048, shift: CRC32.shift2048)
            CRC32.lanes(t, &s, &p, &n, lane: 256, shift: CRC32.shift256)
            while n >= 8 {
                s = CRC32.step(t, s, p)
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

    /// Lanes of 2 KB, then of 256 bytes, and the factors that move a register past one lane.
    private static let shift2048 = xPower8n(2048)
    private static let shift256 = xPower8n(256)

    /// Takes blocks of three lanes of `lane` bytes from `p` while `n` allows.
    @inline(__always)
    private static func lanes(
        _ t: UnsafePointer<UInt32>, _ s: inout UInt32, _ p: inout UnsafeRawPointer, _ n: inout Int,
        lane: Int, shift: UInt32
    ) {
        while n >= 3 * lane {
            var s0 = s
            var s1: UInt32 = 0
            var s2: UInt32 = 0
            var p0 = p
            let end = p + lane
            while p0 < end {
                s0 = step(t, s0, p0)
                s1 = step(t, s1, p0 + lane)
                s2 = step(t, s2, p0 + 2 * lane)
                p0 += 8
            }
            s = multiply(multiply(s0, shift) ^ s1, shift) ^ s2
            p += 3 * lane
            n -= 3 * lane
        }
    }

    /// The register after the 8 bytes at `p`, slicing-by-8.
    @inline(__always)
    private static func step(_ t: UnsafePointer<UInt32>, _ s: UInt32, _ p: UnsafeRawPointer) -> UInt32 {
        let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        let lo = UInt32(truncatingIfNeeded: word) ^ s
        let hi = UInt32(truncatingIfNeeded: word &>> 32)
        return t[7 &* 256 &+ Int(lo & 0xFF)] ^ t[6 &* 256 &+ Int((lo &>> 8) & 0xFF)]
            ^ t[5 &* 256 &+ Int((lo &>> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(lo &>> 24)]
            ^ t[3 &* 256 &+ Int(hi & 0xFF)] ^ t[2 &* 256 &+ Int((hi &>> 8) & 0xFF)]
            ^ t[256 &+ Int((hi &>> 16) & 0xFF)] ^ t[Int(hi &>> 24)]
    }

    /// a·b modulo the CRC polynomial, both in the reflected bit order (x⁰ is bit 31).
    static func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var product: UInt32 = 0
        var m: UInt32 = 1 << 31
        var b = b
        while m != 0 {
            if a & m != 0 { product ^= b }
            m >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ 0xEDB8_8320 : b >> 1
        }
        return product
    }

    /// x^(8n) modulo the polynomial: the factor that moves a register past n zero bytes, from
    /// the squares x^(2^k) (x^8 = x^(2^3) first).
    static func xPower8n(_ n: Int) -> UInt32 {
        var result: UInt32 = 1 << 31  // x⁰
        var square: UInt32 = 1 << (31 - 8)  // x⁸
        var n = n
        while n != 0 {
            if n & 1 != 0 { result = multiply(result, square) }
            square = multiply(square, square)
            n >>= 1
        }
        return result
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
