/// HMAC with SHA-256 (RFC 2104): H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)), the key hashed first
/// when longer than a block. PBKDF2 calls it with one key many times, so the two padded keys are
/// absorbed once and each MAC starts from those saved states.
public struct HMACSHA256 {
    /// The states after the first block, K ⊕ ipad and K ⊕ opad.
    let inner: SHA256.State
    let outer: SHA256.State

    public init(key: [UInt8]) {
        var k = key.count > SHA256.blockBytes ? SHA256.hash(key) : key
        while k.count < SHA256.blockBytes { k.append(0) }
        var i = SHA256.initialState
        SHA256.compress(&i, k.map { $0 ^ 0x36 }, at: 0)
        var o = SHA256.initialState
        SHA256.compress(&o, k.map { $0 ^ 0x5c }, at: 0)
        inner = i
        outer = o
    }

    public func mac(_ message: [UInt8]) -> [UInt8] {
        var i = SHA256(state: inner, totalBytes: UInt64(SHA256.blockBytes))
        i.update(message)
        var o = SHA256(state: outer, totalBytes: UInt64(SHA256.blockBytes))
        o.update(i.finish())
        return o.finish()
    }

    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        HMACSHA256(key: key).mac(message)
    }

    /// The MAC of a 32-byte message given and returned as a state (eight words), without
    /// allocating: the inner and the outer hash are one block each, padding included. This is
    /// PBKDF2's inner loop, where the message is the previous MAC.
    func mac(ofDigest message: SHA256.State, scratch w: UnsafeMutableBufferPointer<UInt32>) -> SHA256.State {
        // 32 message bytes, then §5.1.1 padding for a 96-byte total (the key block before it).
        func load(_ m: SHA256.State) {
            w[0] = m.h0; w[1] = m.h1; w[2] = m.h2; w[3] = m.h3
            w[4] = m.h4; w[5] = m.h5; w[6] = m.h6; w[7] = m.h7
            w[8] = 0x8000_0000
            for t in 9..<15 { w[t] = 0 }
            w[15] = UInt32(SHA256.blockBytes + SHA256.digestBytes) * 8
        }
        var i = inner
        load(message)
        SHA256.compress(&i, schedule: w)
        var o = outer
        load(i)
        SHA256.compress(&o, schedule: w)
        return o
    }
}
