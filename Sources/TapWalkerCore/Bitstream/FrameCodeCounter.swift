/// Counts the codes of a compressed configuration frame a byte at a time, without decoding them.
///
/// The codes (MSB first; see `ConfigurationEngine.decompress`) are `0` (1 bit), `100bbb` and
/// `101iii` (6 bits) and `11dddddddd` (10 bits); each stands for one frame byte. A checker that
/// only needs to know where a frame ends (its CRC follows) needs the number of codes, not their
/// values. Only the code lengths matter, so the decoder's position inside a code is one of ten
/// states, and one table look-up per input byte gives the next state and the number of codes that
/// ended in the byte: a compressed frame of 80 bytes is about ten input bytes, against one loop
/// step per code (about 64) decoding bit by bit.
///
/// An entry holds the next state as the offset of its row (state × 256) in its high bits and the
/// count in its low 8 bits: the next index is `entry & rowMask | byte`, and the counts of up to 31
/// bytes (at most 8 each) add up in the low 8 bits of the sum of their entries.
enum FrameCodeCounter {
    /// At the start of a code.
    static let start: UInt8 = 0
    /// After a leading `1`: the next bit tells a 6-bit code from a 10-bit one.
    static let afterOne: UInt8 = 1
    // States 2 + r - 1 for r = 1…8: r more bits to the end of a 6- or 10-bit code.
    static let states = 10

    /// One state transition per bit.
    private static func next(_ state: UInt8, bit: Bool) -> (state: UInt8, ended: Bool) {
        switch state {
        case start: return bit ? (afterOne, false) : (start, true)
        case afterOne: return (remaining(bit ? 8 : 4), false)  // `11` + 8 data bits, `10` + 4 bits
        case remaining(1): return (start, true)
        default: return (state - 1, false)
        }
    }

    private static func remaining(_ r: UInt8) -> UInt8 { 1 + r }

    /// The row offset bits of an entry.
    static let rowMask: UInt16 = 0xFF00
    /// The count bits of an entry, or of a sum of up to 31 entries.
    static let countMask: UInt16 = 0xFF

    /// Entry `state << 8 | byte`: the state after the byte as `state << 8`, plus the number of codes
    /// that ended in it (at most 8). `states` × 256 entries.
    static func table() -> [UInt16] {
        var t = [UInt16](repeating: 0, count: states * 256)
        // The transitions of a nibble first, then bytes as two nibbles.
        var nibble = [UInt8](repeating: 0, count: states * 16)
        for s in 0..<states {
            for v in 0..<16 {
                var state = UInt8(s)
                var ended: UInt8 = 0
                for k in 0..<4 {
                    let step = next(state, bit: (v >> (3 - k)) & 1 == 1)
                    state = step.state
                    if step.ended { ended += 1 }
                }
                nibble[s * 16 + v] = state << 4 | ended
            }
        }
        nibble.withUnsafeBufferPointer { n in
            t.withUnsafeMutableBufferPointer { t in
                for s in 0..<states {
                    for v in 0..<256 {
                        let high = n[s &* 16 &+ (v >> 4)]
                        let low = n[Int(high >> 4) &* 16 &+ (v & 0xF)]
                        t[s &* 256 &+ v] = UInt16(low >> 4) << 8 | UInt16((high & 0x0F) &+ (low & 0x0F))
                    }
                }
            }
        }
        return t
    }
}
