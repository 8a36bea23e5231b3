#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerCore
import TapWalkerServices

/// The FTP root as a host directory. Paths arrive normalised (no "..", see `FTPPath`); what is
/// left to refuse here is a symbolic link inside the root that leads outside it, so every path is
/// checked with realpath (an existing path itself, a new one through its parent directory).
public final class PosixFileStore: FTPFileStore {
    /// The root, resolved (no symbolic links, no trailing slash).
    public let root: String

    public init(root: String) throws(TapWalkerError) {
        guard let real = PosixFileStore.realPath(root) else {
            throw TapWalkerError(.usage, "--root \(root): \(errnoText()); give an existing directory to serve")
        }
        var st = stat()
        guard stat(real, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw TapWalkerError(.usage, "--root \(root) is not a directory")
        }
        self.root = real
    }

    // MARK: - FTPFileStore

    public func info(_ path: String) throws(TapWalkerError) -> FTPFileInfo {
        let full = try confined(path)
        var st = stat()
        guard stat(full, &st) == 0 else { throw failure(path) }
        return PosixFileStore.info(name: lastComponent(path), st)
    }

    public func list(_ path: String) throws(TapWalkerError) -> [FTPFileInfo] {
        let full = try confined(path)
        guard let dir = opendir(full) else { throw failure(path) }
        defer { closedir(dir) }
        var entries: [FTPFileInfo] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let child = (path == "/" ? "" : path) + "/" + name
            // Entries that lead out of the root (a symbolic link to /etc) are not shown.
            guard let childFull = try? confined(child) else { continue }
            var st = stat()
            guard stat(childFull, &st) == 0 else { continue }
            let kind = st.st_mode & S_IFMT
            guard kind == S_IFREG || kind == S_IFDIR else { continue }
            entries.append(PosixFileStore.info(name: name, st))
        }
        return entries.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    public func openForReading(_ path: String, offset: Int) throws(TapWalkerError) -> any ByteSource {
        let full = try confined(path)
        let fd = open(full, O_RDONLY)
        guard fd >= 0 else { throw failure(path) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw TapWalkerError(.input, "\(path) is not a regular file")
        }
        if offset > 0 {
            guard offset <= Int(st.st_size), lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
                close(fd)
                throw TapWalkerError(.input, "\(path) has \(st.st_size) bytes; cannot start at byte \(offset)")
            }
        }
        return FileSource(adopting: fd, name: path, totalBytes: Int(st.st_size) - offset)
    }

    public func openForWriting(_ path: String, append: Bool) throws(TapWalkerError) -> any FTPFileWriter {
        let full = try confined(path)
        var st = stat()
        if stat(full, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            throw TapWalkerError(.input, "\(path) exists and is not a regular file")
        }
        let fd = open(full, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o644)
        guard fd >= 0 else { throw failure(path) }
        return DescriptorWriter(fd: fd, name: path)
    }

    public func rename(_ from: String, to: String) throws(TapWalkerError) {
        let a = try confined(from), b = try confined(to)
        #if canImport(Glibc)
        let rc = Glibc.rename(a, b)
        #else
        let rc = Darwin.rename(a, b)
        #endif
        guard rc == 0 else { throw failure(from) }
    }

    public func removeFile(_ path: String) throws(TapWalkerError) {
        let full = try confined(path)
        var st = stat()
        if lstat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw TapWalkerError(.input, "\(path) is a directory; RMD removes directories")
        }
        guard unlink(full) == 0 else { throw failure(path) }
    }

    public func makeDirectory(_ path: String) throws(TapWalkerError) {
        let full = try confined(path)
        guard mkdir(full, 0o755) == 0 else { throw failure(path) }
    }

    public func removeDirectory(_ path: String) throws(TapWalkerError) {
        guard path != "/" else { throw TapWalkerError(.input, "the root cannot be removed") }
        let full = try confined(path)
        guard rmdir(full) == 0 else { throw failure(path) }
    }

    // MARK: - Confinement

    /// The host path of `path`, refused when it (or, for a new name, its directory) resolves
    /// outside the root.
    func confined(_ path: String) throws(TapWalkerError) -> String {
        let full = path == "/" ? root : root + path
        var st = stat()
        let exists = lstat(full, &st) == 0
        let checked: String
        if exists {
            guard let real = PosixFileStore.realPath(full) else {
                // A dangling link: refuse rather than guess where it leads.
                throw TapWalkerError(.input, "\(path): \(errnoText())")
            }
            checked = real
        } else {
            let parent = String(full[..<(full.lastIndex(of: "/") ?? full.endIndex)])
            guard let real = PosixFileStore.realPath(parent.isEmpty ? "/" : parent) else { throw failure(path) }
            checked = real
        }
        guard checked == root || checked.hasPrefix(root + "/") else {
            throw TapWalkerError(.input, "\(path) leads outside the FTP root (through a symbolic link); refused")
        }
        return full
    }

    private func lastComponent(_ path: String) -> String {
        path == "/" ? "/" : String(path[path.index(after: path.lastIndex(of: "/") ?? path.startIndex)...])
    }

    private func failure(_ path: String) -> TapWalkerError {
        TapWalkerError(.input, "\(path): \(errnoText())")
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func info(name: String, _ st: stat) -> FTPFileInfo {
        #if canImport(Glibc)
        let modified = Int(st.st_mtim.tv_sec)
        #else
        let modified = Int(st.st_mtimespec.tv_sec)
        #endif
        return FTPFileInfo(name: name, isDirectory: (st.st_mode & S_IFMT) == S_IFDIR, size: Int(st.st_size), modified: modified)
    }
}


/// A stored file being uploaded (STOR/APPE).
final class DescriptorWriter: FTPFileWriter {
    private var fd: Int32
    let name: String

    init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    deinit { if fd >= 0 { _ = systemClose(fd) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try writeAll(fd, bytes, name)
    }

    func close() throws(TapWalkerError) {
        guard fd >= 0 else { return }
        #if canImport(Glibc)
        let rc = Glibc.close(fd)
        #else
        let rc = Darwin.close(fd)
        #endif
        fd = -1
        guard rc == 0 else { throw TapWalkerError(.input, "writing \(name) failed: \(errnoText())") }
    }
}

/// Writes all of `bytes` at the descriptor's position (EINTR retried).
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ name: String, at offset: Int? = nil) throws(TapWalkerError) {
    var done = 0
    while done < bytes.count {
        let n: Int
        if let offset {
            n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
        } else {
            #if canImport(Glibc)
            n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            #else
            n = Darwin.write(fd, bytes.baseAddress! + done, bytes.count - done)
            #endif
        }
        if n < 0 {
            if errno == EINTR { continue }
            throw TapWalkerError(.input, "writing \(name) failed: \(errnoText())")
        }
        done += n
    }
}
