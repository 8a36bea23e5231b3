#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerCore

/// A file or standard input (`-`) as a `ByteSource`, read with POSIX calls (the same calls exist in
/// ESP-IDF's VFS).
public final class FileSource: ByteSource {
    private let fd: Int32
    private let owned: Bool
    public let name: String
    public let totalBytes: Int?

    /// Opens `path` for reading; `-` is standard input. Missing files, directories and unreadable
    /// paths are input errors that say which.
    public init(path: String) throws(TapWalkerError) {
        if path == "-" {
            fd = 0
            owned = false
            name = "standard input"
            totalBytes = nil
            return
        }
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw TapWalkerError(.input, "cannot read \(path): \(errnoText())")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw TapWalkerError(.input, "\(path) is a directory, not a file")
        }
        let d = open(path, O_RDONLY)
        guard d >= 0 else { throw TapWalkerError(.input, "cannot open \(path): \(errnoText())") }
        fd = d
        owned = true
        name = path
        totalBytes = (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : nil
    }

    /// Reads an already open descriptor, which it then owns and closes (a stored file the FTP
    /// server sends or programs, positioned at its REST offset). `name` is what messages call it.
    public init(adopting fd: Int32, name: String, totalBytes: Int?) {
        self.fd = fd
        owned = true
        self.name = name
        self.totalBytes = totalBytes
    }

    deinit { if owned { close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        while true {
            #if canImport(Glibc)
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            #else
            let n = Darwin.read(fd, buffer.baseAddress, buffer.count)
            #endif
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw TapWalkerError(.input, "reading \(name) failed: \(errnoText())")
        }
    }

}

/// Writes a whole file (for outputs such as flash dumps); replaces it atomically by renaming.
public enum FileSink {
    public static func write(_ bytes: [UInt8], to path: String) throws(TapWalkerError) {
        let tmp = path + ".partial"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw TapWalkerError(.input, "cannot create \(tmp): \(errnoText())") }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { p in
                #if canImport(Glibc)
                Glibc.write(fd, p.baseAddress! + off, bytes.count - off)
                #else
                Darwin.write(fd, p.baseAddress! + off, bytes.count - off)
                #endif
            }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errnoText()
                close(fd)
                unlink(tmp)
                throw TapWalkerError(.input, "writing \(path) failed: \(e)")
            }
            off += n
        }
        close(fd)
        guard rename(tmp, path) == 0 else { throw TapWalkerError(.input, "cannot rename \(tmp) to \(path): \(errnoText())") }
    }
}
