/// A canonical Huffman code for DEFLATE (RFC 1951 §3.2.2), decoded two ways:
/// - a fast table indexed by the next `fastBits` input bits (LSB first), each entry
///   `symbol << 4 | length` for codes up to `fastBits` long, 0 otherwise;
/// - a slow path for longer codes (and for invalid bit patterns): canonical decoding from the count
///   of codes of each length and the symbols sorted by code (as zlib's puff.c does).
///
/// It does not own its memory: `storage` points into the inflater's one table allocation.
/// Size in UInt16 entries: `1 << fastBits` + 16 counts + `maxSymbols` symbols.
struct HuffmanTable {
    static let fastBits = 9
    static let fastSize = 1 << fastBits
    static let fastMask = UInt64(fastSize - 1)

    static func entries(maxSymbols: Int) -> Int { fastSize + 16 + maxSymbols }

    let fast: UnsafeMutablePointer<UInt16>
    let counts: UnsafeMutablePointer<UInt16>
    let symbols: UnsafeMutablePointer<UInt16>

    init(storage: UnsafeMutablePointer<UInt16>) {
        fast = storage
        counts = storage + HuffmanTable.fastSize
        symbols = storage + HuffmanTable.fastSize + 16
    }

    enum BuildResult { case ok, oversubscribed, incomplete }

    /// Builds the code from `count` code lengths (0 = symbol unused). Follows zlib's rules: an
    /// over-subscribed code is refused; an incomplete one is refused unless `allowIncomplete` and
    /// it has a single code of length 1 (or no codes at all, which then decodes nothing).
    func build(_ lengths: UnsafePointer<UInt8>, count: Int, allowSingle: Bool) -> BuildResult {
        for i in 0..<16 { counts[i] = 0 }
        for i in 0..<count { counts[Int(lengths[i])] += 1 }
        counts[0] = 0
        var maxLength = 0
        for len in 1..<16 where counts[len] != 0 { maxLength = len }
        for i in 0..<HuffmanTable.fastSize { fast[i] = 0 }
        if maxLength == 0 { return .ok }  // no codes: every decode fails as an invalid code

        var left = 1
        for len in 1..<16 {
            left <<= 1
            left -= Int(counts[len])
            if left < 0 { return .oversubscribed }
        }
        if left > 0 && !(allowSingle && maxLength == 1) { return .incomplete }

        // Offsets of each length's first symbol in `symbols`, then the symbols in canonical order.
        var offsets: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16,
                      UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &offsets) { raw in
            let offs = raw.bindMemory(to: UInt16.self)
            offs[1] = 0
            for len in 1..<15 { offs[len + 1] = offs[len] + counts[len] }
            for sym in 0..<count {
                let len = Int(lengths[sym])
                if len != 0 {
                    symbols[Int(offs[len])] = UInt16(sym)
                    offs[len] += 1
                }
            }
        }

        // Fast table: every code up to fastBits long, bit-reversed, replicated over the unused high bits.
        var code = 0
        var index = 0
        for len in 1...min(maxLength, HuffmanTable.fastBits) {
            for _ in 0..<Int(counts[len]) {
                var reversed = 0
                var c = code
                for _ in 0..<len {
                    reversed = (reversed << 1) | (c & 1)
                    c >>= 1
                }
                let entry = UInt16(truncatingIfNeeded: Int(symbols[index]) << 4 | len)
                var slot = reversed
                while slot < HuffmanTable.fastSize {
                    fast[slot] = entry
                    slot += 1 << len
                }
                code += 1
                index += 1
            }
            code <<= 1
        }
        return .ok
    }

    /// Decodes one symbol from the low bits of `bits`, of which `available` are valid.
    /// Returns `(symbol, length)`; length 0 means more bits are needed, length -1 an invalid code.
    @inline(__always)
    func decode(_ bits: UInt64, available: Int) -> (symbol: Int, length: Int) {
        let entry = fast[Int(bits & HuffmanTable.fastMask)]
        if entry != 0 {
            let len = Int(entry & 15)
            return len <= available ? (Int(entry >> 4), len) : (0, 0)
        }
        return slowDecode(bits, available: available)
    }

    func slowDecode(_ bits: UInt64, available: Int) -> (symbol: Int, length: Int) {
        var b = bits
        var code = 0, first = 0, index = 0
        for len in 1..<16 {
            if len > available { return (0, 0) }
            code |= Int(b & 1)
            b >>= 1
            let count = Int(counts[len])
            if code - first < count { return (Int(symbols[index + code - first]), len) }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        return (0, -1)
    }
}
