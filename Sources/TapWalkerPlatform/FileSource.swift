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
    public convenience init(path: String) throws(TapWalkerError) {
        try self.init(path: HostPath(path))
    }

    /// Opens `path` for reading, its bytes passed to open(2) as they are (a name that is not valid
    /// UTF-8 opens like any other); `-` is standard input.
    public init(path: HostPath) throws(TapWalkerError) {
        if path.bytes == [UInt8(ascii: "-")] {
            fd = 0
            owned = false
            name = "standard input"
            totalBytes = nil
            return
        }
        let shown = path.display
        guard let st = path.status() else {
            throw TapWalkerError(.input, "cannot read \(shown): \(errnoText())")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw TapWalkerError(.input, "\(shown) is a directory, not a file")
        }
        let d = path.withCString { open($0, O_RDONLY) }
        guard d >= 0 else { throw TapWalkerError(.input, "cannot open \(shown): \(errnoText())") }
        fd = d
        owned = true
        name = shown
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
