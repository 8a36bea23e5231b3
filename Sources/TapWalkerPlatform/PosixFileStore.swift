#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerCore
import TapWalkerServices

/// The FTP root as a host directory, reached only through a descriptor of the root opened once.
/// Paths arrive normalised (no "..", see `StorePath`); each request walks its path from that
/// descriptor one component at a time with openat(2) and O_NOFOLLOW, and acts on the last
/// component relative to its directory's descriptor (openat, fstatat, mkdirat, unlinkat,
/// renameat, fdopendir). No symbolic link is followed anywhere on a path, so a directory swapped
/// for a link to elsewhere while a request runs leads to a refusal, never outside the root; there
/// is no check-then-use gap to race, as there was with a realpath(3) check followed by open(2).
/// Symbolic links inside the root are not listed and cannot be opened.
public final class PosixFileStore: FileStore {
    /// The root as given, for messages.
    public let root: String
    private let rootFD: Int32

    public convenience init(root: String) throws(TapWalkerError) {
        try self.init(root: HostPath(root))
    }

    /// Opens the root by its bytes (a name that is not valid UTF-8 works like any other). The root
    /// itself may be reached through symbolic links; everything under it may not.
    public init(root: HostPath) throws(TapWalkerError) {
        let fd = root.withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else {
            throw TapWalkerError(.usage, "--root \(root.display): \(errnoText()); give an existing directory to serve")
        }
        self.root = root.display
        rootFD = fd
    }

    deinit { _ = systemClose(rootFD) }

    // MARK: - FileStore

    public func info(_ path: String) throws(TapWalkerError) -> FileInfo {
        if path == "/" {
            var st = stat()
            guard fstat(rootFD, &st) == 0 else { throw failure(path) }
            return PosixFileStore.info(name: "/", st)
        }
        let (parent, name) = try openParent(path)
        defer { _ = systemClose(parent) }
        let st = try status(parent, name, path)
        return PosixFileStore.info(name: lastComponent(path), st)
    }

    public func list(_ path: String) throws(TapWalkerError) -> [FileInfo] {
        let fd = try openDirectory(components(path), path)
        guard let dir = fdopendir(fd) else {
            let error = failure(path)
            _ = systemClose(fd)
            throw error
        }
        // closedir closes `fd` too.
        defer { closedir(dir) }
        let dfd = dirfd(dir)
        var entries: [FileInfo] = []
        while let entry = readdir(dir) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if bytes == [46] || bytes == [46, 46] { continue }
            var st = stat()
            let found = (bytes + [0]).withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { fstatat(dfd, $0.baseAddress!, &st, AT_SYMLINK_NOFOLLOW) }
            }
            // Only files and directories are shown: not symbolic links, devices or sockets.
            guard found == 0 else { continue }
            let kind = st.st_mode & S_IFMT
            guard kind == S_IFREG || kind == S_IFDIR else { continue }
            entries.append(PosixFileStore.info(name: String(decoding: bytes, as: UTF8.self), st))
        }
        return entries.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    public func openForReading(_ path: String, offset: Int) throws(TapWalkerError) -> any ByteSource {
        let (parent, name) = try openParent(path)
        defer { _ = systemClose(parent) }
        // O_NONBLOCK: opening a FIFO placed in the root must not hang the session.
        let fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw failure(path) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            _ = systemClose(fd)
            throw TapWalkerError(.input, "\(path) is not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        if offset > 0 {
            guard offset <= Int(st.st_size), lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
                _ = systemClose(fd)
                throw TapWalkerError(.input, "\(path) has \(st.st_size) bytes; cannot start at byte \(offset)")
            }
        }
        return FileSource(adopting: fd, name: path, totalBytes: Int(st.st_size) - offset)
    }

    public func openForWriting(_ path: String, append: Bool) throws(TapWalkerError) -> any FileWriter {
        let (parent, name) = try openParent(path)
        defer { _ = systemClose(parent) }
        // Truncated only once it is known to be a regular file (not a FIFO or device).
        let fd = openat(parent, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (append ? O_APPEND : 0), 0o644)
        guard fd >= 0 else { throw failure(path) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            _ = systemClose(fd)
            throw TapWalkerError(.input, "\(path) exists and is not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        if !append && ftruncate(fd, 0) != 0 {
            let error = failure(path)
            _ = systemClose(fd)
            throw error
        }
        return DescriptorWriter(fd: fd, name: path)
    }

    public func rename(_ from: String, to: String) throws(TapWalkerError) {
        let (a, nameA) = try openParent(from)
        defer { _ = systemClose(a) }
        let (b, nameB) = try openParent(to)
        defer { _ = systemClose(b) }
        _ = try status(a, nameA, from)
        guard renameat(a, nameA, b, nameB) == 0 else { throw failure(from) }
    }

    public func removeFile(_ path: String) throws(TapWalkerError) {
        let (parent, name) = try openParent(path)
        defer { _ = systemClose(parent) }
        var st = stat()
        if fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw TapWalkerError(.input, "\(path) is a directory; RMD removes directories")
        }
        guard unlinkat(parent, name, 0) == 0 else { throw failure(path) }
    }

    public func makeDirectory(_ path: String) throws(TapWalkerError) {
        let (parent, name) = try openParent(path)
        defer { _ = systemClose(parent) }
        guard mkdirat(parent, name, 0o755) == 0 else { throw failure(path) }
    }

    public func removeDirectory(_ path: String) throws(TapWalkerError) {
        guard path != "/" else { throw TapWalkerError(.input, "the root cannot be removed") }
        let (parent, name) = try openParent(path)
        defer { _ = systemClose(parent) }
        guard unlinkat(parent, name, AT_REMOVEDIR) == 0 else { throw failure(path) }
    }

    // MARK: - Walking from the root

    /// The components of a normalised store path; "." and ".." cannot occur after `StorePath`, and
    /// are refused here too rather than trusted.
    private func components(_ path: String) throws(TapWalkerError) -> [String] {
        let parts = path.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
        for p in parts where p == "." || p == ".." {
            throw TapWalkerError(.input, "\(path): . and .. are resolved before the store; refused")
        }
        return parts
    }

    /// A new descriptor of the directory at `parts` under the root, no component a symbolic link.
    private func openDirectory(_ parts: [String], _ path: String) throws(TapWalkerError) -> Int32 {
        var fd = openat(rootFD, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path) }
        for part in parts {
            let next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else {
                // With O_DIRECTORY, Linux reports a link as ENOTDIR; tell it from a file.
                let saved = errno
                var st = stat()
                let isLink = fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
                _ = systemClose(fd)
                errno = isLink ? ELOOP : saved
                throw walkFailure(path)
            }
            _ = systemClose(fd)
            fd = next
        }
        return fd
    }

    /// The descriptor of the directory holding `path`'s last component, and that component.
    private func openParent(_ path: String) throws(TapWalkerError) -> (Int32, String) {
        var parts = try components(path)
        guard let last = parts.popLast() else {
            throw TapWalkerError(.input, "/ is the root; name something in it")
        }
        return (try openDirectory(parts, path), last)
    }

    /// lstat-like facts of `name` in `parent`; a symbolic link is refused.
    private func status(_ parent: Int32, _ name: String, _ path: String) throws(TapWalkerError) -> stat {
        var st = stat()
        guard fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw failure(path) }
        guard (st.st_mode & S_IFMT) != S_IFLNK else {
            throw TapWalkerError(.input, "\(path) is a symbolic link, which could lead outside the served folder; refused")
        }
        return st
    }

    private func walkFailure(_ path: String) -> TapWalkerError {
        // O_NOFOLLOW on a link gives ELOOP; O_DIRECTORY on a non-directory ENOTDIR.
        if errno == ELOOP {
            return TapWalkerError(.input, "\(path) passes through a symbolic link, which could lead outside the served folder; refused")
        }
        return failure(path)
    }

    private func lastComponent(_ path: String) -> String {
        path == "/" ? "/" : String(path[path.index(after: path.lastIndex(of: "/") ?? path.startIndex)...])
    }

    private func failure(_ path: String) -> TapWalkerError {
        if errno == ELOOP {
            return TapWalkerError(.input, "\(path) is a symbolic link, which could lead outside the served folder; refused")
        }
        return TapWalkerError(.input, "\(path): \(errnoText())")
    }

    static func info(name: String, _ st: stat) -> FileInfo {
        #if canImport(Glibc)
        let modified = Int(st.st_mtim.tv_sec)
        #else
        let modified = Int(st.st_mtimespec.tv_sec)
        #endif
        return FileInfo(name: name, isDirectory: (st.st_mode & S_IFMT) == S_IFDIR, size: Int(st.st_size), modified: modified)
    }
}


/// A stored file being uploaded (STOR/APPE).
final class DescriptorWriter: FileWriter {
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
