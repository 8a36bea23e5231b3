/// A canonical Huffman code of DEFLATE (RFC 1951 §3.2.2) as a decoding table: one lookup of the
/// next `rootBits` input bits (LSB first) gives the symbol and its length for every code up to
/// `rootBits` long; a longer code finds a pointer there to a sub-table indexed by its remaining
/// bits (the layout of zlib's inftrees, with entries shaped for one-step decoding).
///
/// Each entry is a `UInt32`:
/// - bits 0–3: the bits this lookup consumes (the code length, or `rootBits` for a pointer, or the
///   length within the sub-table for a sub-table entry);
/// - bits 4–7: the extra bits that follow the code (length and distance symbols), or the index
///   bits of the sub-table (pointers);
/// - bits 8–23: the value: a literal byte, a length or distance base (RFC 1951 §3.2.5), a code
///   length symbol (0–18), or the sub-table's offset (pointers);
/// - bit 31 `literal`; bit 30 `exceptional` (with bit 29 `subtable` a pointer, with bit 28
///   `endOfBlock` symbol 256, with neither an invalid code: an unused bit pattern of an incomplete
///   code, consuming 1 bit, or the symbols 286, 287, 30 and 31 that only the fixed code assigns).
///
/// It does not own its memory: `entries` points into the inflater's one allocation, `capacity`
/// entries long. Capacities: the largest table any valid code can need, computed by zlib's
/// `enough` program: 852 entries for 286 literal/length symbols with a 9-bit root, 402 for 32
/// distance symbols with an 8-bit root, 128 for the 19 code length symbols (7 bits at most).
struct HuffmanTable {
    static let literal: UInt32 = 1 << 31
    static let exceptional: UInt32 = 1 << 30
    static let subtable: UInt32 = 1 << 29
    static let endOfBlock: UInt32 = 1 << 28
    static let invalid: UInt32 = exceptional | 1

    static let literalLengthRootBits = 9
    static let literalLengthCapacity = 852
    static let distanceRootBits = 8
    static let distanceCapacity = 402
    static let codeLengthRootBits = 7
    static let codeLengthCapacity = 128

    /// What the symbols mean, which decides the entry each gets.
    enum Alphabet { case literalLength, distance, codeLength }

    let entries: UnsafeMutablePointer<UInt32>
    let rootBits: Int
    let capacity: Int
    let alphabet: Alphabet

    enum BuildResult { case ok, oversubscribed, incomplete }

    /// The entry of `symbol` without its length bits.
    private func symbolEntry(_ symbol: Int) -> UInt32 {
        switch alphabet {
        case .literalLength:
            if symbol < 256 { return HuffmanTable.literal | UInt32(symbol) << 8 }
            if symbol == 256 { return HuffmanTable.exceptional | HuffmanTable.endOfBlock }
            let i = symbol - 257
            if i >= Deflater.lengthBase.count { return HuffmanTable.exceptional }
            return UInt32(Deflater.lengthBase[i]) << 8 | UInt32(Deflater.lengthExtra[i]) << 4
        case .distance:
            if symbol >= Deflater.distanceBase.count { return HuffmanTable.exceptional }
            return UInt32(Deflater.distanceBase[symbol]) << 8 | UInt32(Deflater.distanceExtra[symbol]) << 4
        case .codeLength:
            return UInt32(symbol) << 8
        }
    }

    /// Builds the code from `count` code lengths (0 = symbol unused). Follows zlib's rules: an
    /// over-subscribed code is refused; an incomplete one is refused unless `allowSingle` and it
    /// has a single code of length 1 (or no codes at all, which then decodes nothing).
    func build(_ lengths: UnsafePointer<UInt8>, count: Int, allowSingle: Bool) -> BuildResult {
        // Codes per length and the first code of each length (RFC 1951 §3.2.2), as 16-entry tuples.
        var counts: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16,
                     UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var next = counts
        return withUnsafeMutableBytes(of: &counts) { countsRaw in
            withUnsafeMutableBytes(of: &next) { nextRaw in
                let counts = countsRaw.bindMemory(to: UInt16.self)
                let next = nextRaw.bindMemory(to: UInt16.self)
                return build(lengths, count: count, allowSingle: allowSingle, counts: counts, next: next)
            }
        }
    }

    private func build(
        _ lengths: UnsafePointer<UInt8>, count: Int, allowSingle: Bool,
        counts: UnsafeMutableBufferPointer<UInt16>, next: UnsafeMutableBufferPointer<UInt16>
    ) -> BuildResult {
        for i in 0..<count { counts[Int(lengths[i] & 15)] += 1 }
        counts[0] = 0
        var maxLength = 0
        for len in 1..<16 where counts[len] != 0 { maxLength = len }
        let rootSize = 1 << rootBits
        for i in 0..<rootSize { entries[i] = HuffmanTable.invalid }
        if maxLength == 0 { return .ok }  // no codes: every decode fails as an invalid code

        var left = 1
        for len in 1..<16 {
            left <<= 1
            left -= Int(counts[len])
            if left < 0 { return .oversubscribed }
        }
        if left > 0 && !(allowSingle && maxLength == 1) { return .incomplete }

        var code = 0
        for len in 1..<16 {
            code = (code + Int(counts[len - 1])) << 1
            next[len] = UInt16(code)
        }
        let firstCodes = (next[1], next[2], next[3], next[4], next[5], next[6], next[7], next[8],
                          next[9], next[10], next[11], next[12], next[13], next[14], next[15])
        let rootMask = rootSize - 1

        if maxLength > rootBits {
            // Sub-tables: each root slot of a long code gets one as deep as its longest code, laid
            // out after the root table in slot order.
            for symbol in 0..<count {
                let len = Int(lengths[symbol])
                if len <= rootBits { continue }
                let reversed = HuffmanTable.reverse(Int(next[len]), len)
                next[len] += 1
                let slot = reversed & rootMask
                let depth = UInt32(len - rootBits)
                let current = entries[slot]
                if current & HuffmanTable.subtable == 0 || (current >> 4) & 15 < depth {
                    entries[slot] = HuffmanTable.exceptional | HuffmanTable.subtable | depth << 4
                }
            }
            var offset = rootSize
            for slot in 0..<rootSize where entries[slot] & HuffmanTable.subtable != 0 {
                let depth = Int((entries[slot] >> 4) & 15)
                if offset + (1 << depth) > capacity { return .oversubscribed }  // cannot happen for a valid code
                entries[slot] = HuffmanTable.exceptional | HuffmanTable.subtable | UInt32(offset) << 8
                    | UInt32(depth) << 4 | UInt32(rootBits)
                for i in offset..<(offset + (1 << depth)) { entries[i] = HuffmanTable.invalid }
                offset += 1 << depth
            }
            withUnsafeBytes(of: firstCodes) { raw in
                for len in 1..<16 { next[len] = raw.load(fromByteOffset: (len - 1) * 2, as: UInt16.self) }
            }
        }

        for symbol in 0..<count {
            let len = Int(lengths[symbol])
            if len == 0 { continue }
            let reversed = HuffmanTable.reverse(Int(next[len]), len)
            next[len] += 1
            let entry = symbolEntry(symbol)
            if len <= rootBits {
                let e = entry | UInt32(len)
                var slot = reversed
                while slot < rootSize {
                    entries[slot] = e
                    slot += 1 << len
                }
            } else {
                let pointer = entries[reversed & rootMask]
                let offset = Int((pointer >> 8) & 0xFFFF)
                let size = 1 << Int((pointer >> 4) & 15)
                let subLength = len - rootBits
                let e = entry | UInt32(subLength)
                var slot = reversed >> rootBits
                while slot < size {
                    entries[offset + slot] = e
                    slot += 1 << subLength
                }
            }
        }
        return .ok
    }

    /// `code`'s low `length` bits in reverse order (Huffman codes are packed MSB first, read LSB first).
    static func reverse(_ code: Int, _ length: Int) -> Int {
        var r = 0
        var c = code
        for _ in 0..<length {
            r = (r << 1) | (c & 1)
            c >>= 1
        }
        return r
    }
}
