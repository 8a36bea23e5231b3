#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerServices

/// Session tokens' randomness on the host: /dev/urandom, the kernel's CSPRNG. A failure to read it
/// stops the program rather than hand out guessable tokens.
public final class SystemRandom: RandomSource {
    public init() {}

    public func fill(_ bytes: inout [UInt8]) {
        let fd = open("/dev/urandom", O_RDONLY)
        precondition(fd >= 0, "/dev/urandom cannot be opened")
        defer { _ = close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { p in read(fd, p.baseAddress! + done, p.count - done) }
            if n < 0 && errno == EINTR { continue }
            precondition(n > 0, "/dev/urandom cannot be read")
            done += n
        }
    }
}
