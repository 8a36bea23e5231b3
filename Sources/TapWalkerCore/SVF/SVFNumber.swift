/// The numbers of SVF statements: integers ("8000") and real numbers in the forms SVF tools write
/// ("1.00E-02", "1E6", "0.5"), kept exact as a decimal mantissa and exponent. Parsed here rather
/// than by the standard library because Embedded Swift has no text-to-Double conversion.
struct SVFNumber {
    var mantissa: UInt64
    var exponent: Int

    /// nil when `word` is not a number.
    init?(_ word: [UInt8]) {
        var mantissa: UInt64 = 0, exponent = 0, digits = 0, seenPoint = false
        var bytes = word[...]
        while let b = bytes.first, b != UInt8(ascii: "E"), b != UInt8(ascii: "e") {
            bytes = bytes.dropFirst()
            if b == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard b >= 0x30, b <= 0x39 else { return nil }
            digits += 1
            // Digits past what UInt64 holds only scale the value.
            if mantissa < 1_000_000_000_000_000 {
                mantissa = mantissa * 10 + UInt64(b - 0x30)
                if seenPoint { exponent -= 1 }
            } else if !seenPoint {
                exponent += 1
            }
        }
        guard digits > 0 else { return nil }
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()
            var negative = false
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                negative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty, bytes.count <= 4 else { return nil }
            var e = 0
            for b in bytes {
                guard b >= 0x30, b <= 0x39 else { return nil }
                e = e * 10 + Int(b - 0x30)
            }
            exponent += negative ? -e : e
        }
        self.mantissa = mantissa
        self.exponent = exponent
    }

    /// The value times `scale`, rounded up (a wait is never shortened), or nil above `limit`.
    func scaled(by scale: UInt64, limit: UInt64) -> UInt64? {
        if mantissa == 0 { return 0 }
        var value = mantissa.multipliedReportingOverflow(by: scale)
        guard !value.overflow else { return nil }
        var v = value.partialValue
        var e = exponent
        while e > 0 {
            value = v.multipliedReportingOverflow(by: 10)
            guard !value.overflow else { return nil }
            v = value.partialValue
            e -= 1
        }
        var roundUp = false
        while e < 0 {
            if v % 10 != 0 { roundUp = true }
            v /= 10
            e += 1
            if v == 0 { break }
        }
        if roundUp || (v == 0 && mantissa != 0) { v += 1 }
        return v <= limit ? v : nil
    }
}
