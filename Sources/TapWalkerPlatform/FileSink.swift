#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerCore

/// Writes a whole output file (a flash dump, a packed stream, the simulated flash image, --stats)
/// so that the path holds either its old content or all of the new, never a part.
///
/// The bytes go to a new temporary file in the same directory (same file system, so the final
/// rename(2) is atomic), created with O_EXCL under a name no other writer uses, and renamed over
/// the path once complete. Every failure (create, write, rename) unlinks the temporary file, so
/// nothing is left behind: not the temporary, and not a truncated output where an older file was.
/// An existing file's permissions are kept.
public enum FileSink {
    public static func write(_ bytes: [UInt8], to path: String) throws(TapWalkerError) {
        try write(bytes, to: HostPath(path))
    }

    public static func write(_ bytes: [UInt8], to path: HostPath) throws(TapWalkerError) {
        let (temporary, fd) = try createTemporary(beside: path)
        do throws(TapWalkerError) {
            if let existing = path.status(), (existing.st_mode & S_IFMT) == S_IFREG {
                _ = fchmod(fd, existing.st_mode & 0o7777)
            }
            var failure: TapWalkerError?
            bytes.withUnsafeBytes { p in
                do throws(TapWalkerError) { try writeAll(fd, p, path.display) } catch { failure = error }
            }
            if let failure { throw failure }
            guard close(fd) == 0 else { throw TapWalkerError(.input, "writing \(path.display) failed: \(errnoText())") }
        } catch {
            close(fd)
            _ = temporary.withCString { unlink($0) }
            throw error
        }
        let renamed = temporary.withCString { from in path.withCString { to in rename(from, to) } }
        guard renamed == 0 else {
            let why = errnoText()
            _ = temporary.withCString { unlink($0) }
            throw TapWalkerError(.input, "cannot replace \(path.display): \(why)")
        }
    }

    /// `.NAME.tapwalker-PID-RANDOM` beside `path`, created exclusively (another writer's name is
    /// never reused: O_EXCL fails and another is drawn).
    private static func createTemporary(beside path: HostPath) throws(TapWalkerError) -> (HostPath, Int32) {
        let directory = path.directory
        var prefix = directory.bytes == Array(".".utf8) ? [] : directory.bytes
        if !prefix.isEmpty, prefix.last != UInt8(ascii: "/") { prefix.append(UInt8(ascii: "/")) }
        var attempts = 0
        while true {
            attempts += 1
            let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            let name = Array(".".utf8) + path.lastComponent + Array(".tapwalker-\(getpid())-\(tag)".utf8)
            let temporary = HostPath(bytes: prefix + name)
            let fd = temporary.withCString { open($0, O_WRONLY | O_CREAT | O_EXCL, 0o666) }
            if fd >= 0 { return (temporary, fd) }
            if errno == EEXIST && attempts < 100 { continue }
            throw TapWalkerError(.input, "cannot write \(path.display): cannot create a file in \(directory.display): \(errnoText())")
        }
    }
}
