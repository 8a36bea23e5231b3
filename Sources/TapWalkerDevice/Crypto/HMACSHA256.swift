/// HMAC with SHA-256 (RFC 2104): H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)), the key hashed first
/// when longer than a block. PBKDF2 calls it with one key many times, so the two padded keys are
/// absorbed once and each MAC starts from a copy of those states.
public struct HMACSHA256 {
    private let inner: SHA256
    private let outer: SHA256

    public init(key: [UInt8]) {
        var k = key.count > SHA256.blockBytes ? SHA256.hash(key) : key
        while k.count < SHA256.blockBytes { k.append(0) }
        var i = SHA256()
        i.update(k.map { $0 ^ 0x36 })
        var o = SHA256()
        o.update(k.map { $0 ^ 0x5c })
        inner = i
        outer = o
    }

    public func mac(_ message: [UInt8]) -> [UInt8] {
        var i = inner
        i.update(message)
        var o = outer
        o.update(i.finish())
        return o.finish()
    }

    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        HMACSHA256(key: key).mac(message)
    }
}
