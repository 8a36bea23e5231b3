/// CRC-16/BUYPASS as the ECP5 configuration engine computes it: polynomial 0x8005, initial value 0,
/// no reflection, no final XOR ("123456789" → 0xFEE8). Source: docs/ecp5.md §3 (Project Trellis).
///
/// Runs of bytes go four at a time through four 256-entry tables ("slicing by 4", 2 KB): the
/// checker spends most of an SRAM load here, and on an RV32 CPU without a carry-less multiply four
/// table look-ups per four bytes is the cheapest way through.
public struct CRC16: Sendable {
    public private(set) var value: UInt16 = 0

    public init() {}

    /// Continues a CRC whose value so far is `value`.
    public init(value: UInt16) { self.value = value }

    @inline(__always)
    public mutating func update(_ byte: UInt8) {
        value = (value << 8) ^ CRC16.tables[Int(UInt8(truncatingIfNeeded: value >> 8) ^ byte)]
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        value = CRC16.tables.withUnsafeBufferPointer { t in CRC16.update(value, bytes, tables: t) }
    }

    public mutating func reset() { value = 0 }

    /// The CRC of `bytes` continued from `crc`, with `tables` = `CRC16.tables`.
    @inline(__always)
    static func update(_ crc: UInt16, _ bytes: UnsafeRawBufferPointer, tables t: UnsafeBufferPointer<UInt16>)
        -> UInt16
    {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return crc }
        let end = p + bytes.count
        // Only bits 8…15 of `c` select the next entry, so the bits above 16 may hold garbage until the end.
        var c = UInt32(crc)
        while end - p >= 4 {
            c = step4(c, p[0], p[1], p[2], p[3], tables: t)
            p += 4
        }
        while p < end {
            c = step(c, p[0], tables: t)
            p += 1
        }
        return UInt16(truncatingIfNeeded: c)
    }

    /// Four bytes at once: the CRC's two bytes combine with the first two data bytes, and the
    /// message runs through the tables that append 3, 2, 1 and 0 zero bytes. Clean 16 bits.
    @inline(__always)
    static func step4(_ c: UInt32, _ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, tables t: UnsafeBufferPointer<UInt16>)
        -> UInt32
    {
        UInt32(t[768 + Int(UInt8(truncatingIfNeeded: c >> 8) ^ b0)]) ^ UInt32(t[512 + Int(UInt8(truncatingIfNeeded: c) ^ b1)])
            ^ UInt32(t[256 + Int(b2)]) ^ UInt32(t[Int(b3)])
    }

    /// Two bytes at once (see `step4`). Clean 16 bits.
    @inline(__always)
    static func step2(_ c: UInt32, _ b0: UInt8, _ b1: UInt8, tables t: UnsafeBufferPointer<UInt16>) -> UInt32 {
        UInt32(t[256 + Int(UInt8(truncatingIfNeeded: c >> 8) ^ b0)]) ^ UInt32(t[Int(UInt8(truncatingIfNeeded: c) ^ b1)])
    }

    /// One step for one byte, with `tables` = `CRC16.tables`; bits above 16 of the result are garbage.
    @inline(__always)
    static func step(_ c: UInt32, _ byte: UInt8, tables t: UnsafeBufferPointer<UInt16>) -> UInt32 {
        (c << 8) ^ UInt32(t[Int(UInt8(truncatingIfNeeded: c >> 8) ^ byte)])
    }

    /// The CRC of each byte value from 0, then of each byte value followed by one, two and three
    /// zero bytes (256 entries each).
    static let tables: [UInt16] = {
        var t = [UInt16](repeating: 0, count: 1024)
        for i in 0..<256 {
            var crc = UInt16(i) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x8005 : crc << 1 }
            t[i] = crc
        }
        for k in 1..<4 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev << 8) ^ t[Int(prev >> 8)]
            }
        }
        return t
    }()
}
