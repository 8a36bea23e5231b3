/// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA-256 as the pseudo-random function: the salted hash form
/// of the login password in tapwalker.conf (docs/device-configuration.md).
public enum PBKDF2 {
    /// `length` bytes derived from `password` and `salt` with `iterations` rounds (at least 1).
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        let prf = HMACSHA256(key: password)
        var derived: [UInt8] = []
        derived.reserveCapacity(length)
        var blockIndex: UInt32 = 1
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { scratch in
            while derived.count < length {
                // T_i = U_1 ⊕ … ⊕ U_c, U_1 = PRF(P, S ‖ INT(i)), U_j = PRF(P, U_{j-1})
                let first = prf.mac(salt + [UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                                            UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex)])
                var u = SHA256.State(words(first, 0), words(first, 1), words(first, 2), words(first, 3),
                                     words(first, 4), words(first, 5), words(first, 6), words(first, 7))
                var t = u
                var round = 1
                while round < iterations {
                    u = prf.mac(ofDigest: u, scratch: scratch)
                    t.h0 ^= u.h0; t.h1 ^= u.h1; t.h2 ^= u.h2; t.h3 ^= u.h3
                    t.h4 ^= u.h4; t.h5 ^= u.h5; t.h6 ^= u.h6; t.h7 ^= u.h7
                    round += 1
                }
                for b in t.bytes where derived.count < length { derived.append(b) }
                blockIndex += 1
            }
        }
        return derived
    }

    /// Big-endian word `n` of a digest.
    private static func words(_ digest: [UInt8], _ n: Int) -> UInt32 {
        UInt32(digest[4 * n]) << 24 | UInt32(digest[4 * n + 1]) << 16 | UInt32(digest[4 * n + 2]) << 8 | UInt32(digest[4 * n + 3])
    }
}
