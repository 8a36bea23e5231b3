/// SHA-256 as FIPS 180-4 defines it (§4.1.2 functions, §5.1.1 padding, §6.2 computation), written
/// for a 32-bit CPU without help from a library: the device checks login passwords with it
/// (through `HMACSHA256` and `PBKDF2`).
public struct SHA256 {
    public static let digestBytes = 32
    public static let blockBytes = 64

    /// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
    /// 64 primes.
    static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of the square roots of the
    /// first 8 primes.
    static let initialState = State(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)

    /// The hash value H0…H7 between blocks. Eight plain words rather than an array, so that
    /// copying a state (HMAC starts every MAC from a saved one) allocates nothing.
    struct State {
        var h0, h1, h2, h3, h4, h5, h6, h7: UInt32
        init(_ h0: UInt32, _ h1: UInt32, _ h2: UInt32, _ h3: UInt32, _ h4: UInt32, _ h5: UInt32, _ h6: UInt32, _ h7: UInt32) {
            self.h0 = h0; self.h1 = h1; self.h2 = h2; self.h3 = h3
            self.h4 = h4; self.h5 = h5; self.h6 = h6; self.h7 = h7
        }

        /// The state as 32 bytes, big-endian words: the digest once the message is finished.
        var bytes: [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(32)
            for word in [h0, h1, h2, h3, h4, h5, h6, h7] {
                out.append(UInt8(truncatingIfNeeded: word >> 24))
                out.append(UInt8(truncatingIfNeeded: word >> 16))
                out.append(UInt8(truncatingIfNeeded: word >> 8))
                out.append(UInt8(truncatingIfNeeded: word))
            }
            return out
        }
    }

    var state: State = SHA256.initialState
    /// Bytes of an unfinished block (fewer than 64).
    private var pending: [UInt8] = []
    var totalBytes: UInt64 = 0

    public init() {}

    /// Continues from `state` after `totalBytes` (a multiple of 64) have been hashed.
    init(state: State, totalBytes: UInt64) {
        self.state = state
        self.totalBytes = totalBytes
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(bytes)
        return h.finish()
    }

    public mutating func update(_ bytes: [UInt8]) {
        totalBytes &+= UInt64(bytes.count)
        var i = 0
        while i < bytes.count {
            if pending.isEmpty && bytes.count - i >= SHA256.blockBytes {
                SHA256.compress(&state, bytes, at: i)
                i += SHA256.blockBytes
                continue
            }
            pending.append(bytes[i])
            i += 1
            if pending.count == SHA256.blockBytes {
                SHA256.compress(&state, pending, at: 0)
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The digest; the value must not be updated afterwards.
    public mutating func finish() -> [UInt8] {
        let bitLength = totalBytes &* 8
        // §5.1.1: a 1 bit, zeros up to 56 bytes into a block, then the length as 64 bits big-endian.
        var tail = pending
        tail.append(0x80)
        while tail.count % SHA256.blockBytes != 56 { tail.append(0) }
        for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * i))) }
        var offset = 0
        while offset < tail.count {
            SHA256.compress(&state, tail, at: offset)
            offset += SHA256.blockBytes
        }
        pending.removeAll()
        return state.bytes
    }

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// §6.2.2 for the 64 bytes of `bytes` from `offset`.
    static func compress(_ state: inout State, _ bytes: [UInt8], at offset: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            bytes.withUnsafeBufferPointer { b in
                for t in 0..<16 {
                    let k = offset + 4 * t
                    w[t] = UInt32(b[k]) << 24 | UInt32(b[k + 1]) << 16 | UInt32(b[k + 2]) << 8 | UInt32(b[k + 3])
                }
            }
            compress(&state, schedule: w)
        }
    }

    /// §6.2.2 with the block already in `w[0..<16]` as big-endian words; `w[16..<64]` is
    /// overwritten with the rest of the message schedule.
    static func compress(_ state: inout State, schedule w: UnsafeMutableBufferPointer<UInt32>) {
        for t in 16..<64 {
            let w15 = w[t - 15], w2 = w[t - 2]
            let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)
            let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var a = state.h0, b = state.h1, c = state.h2, d = state.h3
        var e = state.h4, f = state.h5, g = state.h6, h = state.h7
        roundConstants.withUnsafeBufferPointer { k in
            for t in 0..<64 {
                let bigSigma1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let choose = (e & f) ^ (~e & g)
                let t1 = h &+ bigSigma1 &+ choose &+ k[t] &+ w[t]
                let bigSigma0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                let t2 = bigSigma0 &+ majority
                h = g; g = f; f = e; e = d &+ t1
                d = c; c = b; b = a; a = t1 &+ t2
            }
        }
        state.h0 &+= a; state.h1 &+= b; state.h2 &+= c; state.h3 &+= d
        state.h4 &+= e; state.h5 &+= f; state.h6 &+= g; state.h7 &+= h
    }
}
