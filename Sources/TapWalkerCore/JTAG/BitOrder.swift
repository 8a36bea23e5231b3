/// Bit-order helpers. JTAG shifts LSB first; bitstreams and SPI are MSB first on TDI.
public enum BitOrder {
    /// The byte with its bit order reversed (0x01 ↔ 0x80).
    @inline(__always)
    public static func reversed(_ b: UInt8) -> UInt8 { table[Int(b)] }

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
