import TapWalkerCore

/// The password of the one login of `[login]` in tapwalker.conf: in clear, or salted and hashed
/// as `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX` (PBKDF2 with HMAC-SHA-256, RFC 8018), so that
/// the file on the device's flash does not give the password away. docs/device-configuration.md
/// shows how to make a hash.
public enum LoginCredential {
    case clear([UInt8])
    case pbkdf2SHA256(iterations: Int, salt: [UInt8], hash: [UInt8])

    public static let hashPrefix = "pbkdf2-sha256$"
    /// Above this a login would keep a C3 busy for many seconds (each iteration is two SHA-256
    /// compressions).
    public static let maximumIterations = 1_000_000
    public static let saltBytes = 1...64
    public static let hashBytes = 16...64

    /// Reads a `password = …` value. A value that starts with `pbkdf2-sha256$` must be a valid
    /// hash: a mistyped hash is an error, never a clear password that happens to look like one.
    /// The message names neither file nor line; the caller adds them.
    public static func parse(_ value: [UInt8]) throws(TapWalkerError) -> LoginCredential {
        guard value.starts(with: Array(hashPrefix.utf8)) else {
            if value.isEmpty { throw TapWalkerError(.input, "the password is empty; a login needs a password") }
            return .clear(value)
        }
        let fields = value.dropFirst(hashPrefix.utf8.count).split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        guard fields.count == 3 else {
            throw TapWalkerError(.input, "a hashed password is pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX (three fields after the prefix)")
        }
        guard let iterations = ASCII.parseInteger(String(decoding: fields[0], as: UTF8.self)),
              iterations >= 1, iterations <= maximumIterations else {
            throw TapWalkerError(.input, "the iteration count of the hashed password must be a number from 1 to \(maximumIterations)")
        }
        guard let salt = hexBytes(fields[1]), saltBytes.contains(salt.count) else {
            throw TapWalkerError(.input, "the salt of the hashed password must be \(saltBytes.lowerBound) to \(saltBytes.upperBound) bytes in hexadecimal")
        }
        guard let hash = hexBytes(fields[2]), hashBytes.contains(hash.count) else {
            throw TapWalkerError(.input, "the hash of the hashed password must be \(hashBytes.lowerBound) to \(hashBytes.upperBound) bytes in hexadecimal")
        }
        return .pbkdf2SHA256(iterations: iterations, salt: salt, hash: hash)
    }

    /// Whether `given` is the password. The comparison takes the same time wherever the first
    /// difference is, so the reply time does not reveal how much of a guess was right.
    public func accepts(_ given: [UInt8]) -> Bool {
        switch self {
        case .clear(let password):
            return LoginCredential.constantTimeEqual(given, password)
        case .pbkdf2SHA256(let iterations, let salt, let hash):
            let derived = PBKDF2.sha256(password: given, salt: salt, iterations: iterations, length: hash.count)
            return LoginCredential.constantTimeEqual(derived, hash)
        }
    }

    /// Byte equality that looks at every byte of the longer input whatever the contents; only the
    /// lengths can show through the time taken.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }

    /// Bytes of an even number of hex digits (either case), or nil.
    static func hexBytes<S: Collection>(_ text: S) -> [UInt8]? where S.Element == UInt8 {
        guard text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var high: UInt8? = nil
        for c in text {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }
}
