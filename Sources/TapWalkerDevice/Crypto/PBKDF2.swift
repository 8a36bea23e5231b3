/// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA-256 as the pseudo-random function: the salted hash form
/// of the login password in tapwalker.conf (docs/device-configuration.md).
public enum PBKDF2 {
    /// `length` bytes derived from `password` and `salt` with `iterations` rounds (at least 1).
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        let prf = HMACSHA256(key: password)
        var derived: [UInt8] = []
        derived.reserveCapacity(length)
        var blockIndex: UInt32 = 1
        while derived.count < length {
            // T_i = U_1 ⊕ … ⊕ U_c, U_1 = PRF(P, S ‖ INT(i)), U_j = PRF(P, U_{j-1})
            var u = prf.mac(salt + [UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                                    UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex)])
            var t = u
            var round = 1
            while round < iterations {
                u = prf.mac(u)
                for k in 0..<t.count { t[k] ^= u[k] }
                round += 1
            }
            for b in t where derived.count < length { derived.append(b) }
            blockIndex += 1
        }
        return derived
    }
}
