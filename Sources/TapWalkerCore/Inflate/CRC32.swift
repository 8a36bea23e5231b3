/// CRC-32 as gzip (RFC 1952) and zip use it: reflected polynomial 0xEDB88320, initial value and final
/// XOR 0xFFFFFFFF ("123456789" → 0xCBF43926). A 1 KB table, one lookup per byte.
public struct CRC32: Sendable {
    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The CRC of everything passed to `update` so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    @inline(__always)
    public mutating func update(_ byte: UInt8) {
        state = (state >> 8) ^ CRC32.table[Int(UInt8(truncatingIfNeeded: state) ^ byte)]
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var s = state
        CRC32.table.withUnsafeBufferPointer { t in
            for b in bytes { s = (s >> 8) ^ t[Int(UInt8(truncatingIfNeeded: s) ^ b)] }
        }
        state = s
    }

    public mutating func reset() { state = 0xFFFF_FFFF }

    private static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        return c
    }
}
