/// Bit-order helpers. JTAG shifts LSB first; bitstreams and SPI are MSB first on TDI.
public enum BitOrder {
    /// The byte with its bit order reversed (0x01 ↔ 0x80).
    @inline(__always)
    public static func reversed(_ b: UInt8) -> UInt8 { table[Int(b)] }

    /// Writes `source` with each byte's bit order reversed to `target` (`source.count` bytes), with
    /// one look-up of the table for the whole run rather than one per byte.
    /// Four bytes a turn: the loop's own counting and branching is then a quarter of a byte's
    /// cost, which matters on the ESP32's bit-level and bulk JTAG paths (docs/rv32-lane.md).
    public static func reverse(_ source: UnsafeRawBufferPointer, into target: UnsafeMutablePointer<UInt8>) {
        table.withUnsafeBufferPointer { t in
            guard let s = source.baseAddress?.assumingMemoryBound(to: UInt8.self), let t = t.baseAddress else { return }
            let n = source.count
            var i = 0
            while i + 4 <= n {
                target[i] = t[Int(s[i])]
                target[i + 1] = t[Int(s[i + 1])]
                target[i + 2] = t[Int(s[i + 2])]
                target[i + 3] = t[Int(s[i + 3])]
                i += 4
            }
            while i < n {
                target[i] = t[Int(s[i])]
                i += 1
            }
        }
    }

    /// Copies `count` bits of a packed vector (bit i is bit i % 8 of byte i / 8, as `Cable` packs
    /// TMS/TDI/TDO) from bit `from` of `source` to bit `at` of `target`; the other bits of `target`
    /// keep their values. Works a byte at a time whatever the alignment: network cables batch
    /// millions of bits, and bit-by-bit copying would be most of their work.
    public static func copyBits(
        _ source: UnsafeRawBufferPointer, from: Int, to target: UnsafeMutableRawBufferPointer, at: Int, count: Int
    ) {
        var done = 0
        while done < count {
            let s = from + done, d = at + done
            let sOff = s & 7, dOff = d & 7
            let n = min(8 - dOff, count - done)  // what fits in the current target byte
            var v = Int(source[s >> 3]) >> sOff
            if sOff + n > 8 { v |= Int(source[(s >> 3) + 1]) << (8 - sOff) }
            let mask = (1 << n) - 1
            let t = d >> 3
            target[t] = UInt8(truncatingIfNeeded: Int(target[t]) & ~(mask << dOff) | (v & mask) << dOff)
            done += n
        }
    }

    private static let table: [UInt8] = (0..<256).map { v in
        var r: UInt8 = 0
        var x = UInt8(v)
        for _ in 0..<8 {
            r = (r << 1) | (x & 1)
            x >>= 1
        }
        return r
    }
}
