/// CRC-16/BUYPASS as the ECP5 configuration engine computes it: polynomial 0x8005, initial value 0,
/// no reflection, no final XOR ("123456789" → 0xFEE8). Source: reference §3 (Project Trellis).
public struct CRC16: Sendable {
    public private(set) var value: UInt16 = 0

    public init() {}

    @inline(__always)
    public mutating func update(_ byte: UInt8) {
        value = (value << 8) ^ CRC16.table[Int(UInt8(truncatingIfNeeded: value >> 8) ^ byte)]
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var v = value
        for b in bytes { v = (v << 8) ^ CRC16.table[Int(UInt8(truncatingIfNeeded: v >> 8) ^ b)] }
        value = v
    }

    public mutating func reset() { value = 0 }

    private static let table: [UInt16] = (0..<256).map { i in
        var crc = UInt16(i) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x8005 : crc << 1 }
        return crc
    }
}
