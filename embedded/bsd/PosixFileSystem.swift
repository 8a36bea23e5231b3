import TapWalkerCore
import TapWalkerDevice

/// The device's file system as POSIX calls see it, rooted at a directory: ESP-IDF's VFS mount
/// point on the chip ("/storage", a FAT partition of the ESP32's flash, or "/sdcard"), a
/// directory of the host on the virtual ESP32. Paths inside it are absolute ("/wifiman.conf")
/// and must stay inside: "." and ".." are refused before any call, and so is a symbolic link on
/// the way, so that a link planted in the directory cannot lead a client to the host's files.
/// FAT, what the chip has, has no symbolic links at all; the link checks matter on the host. There
/// a link could still be swapped in between the check and the open: the last component is opened
/// with O_NOFOLLOW, and the virtual ESP32's directory belongs to whoever runs it.
public final class PosixFileSystem: DeviceFileSystem {
    public let name: String
    /// The directory the file system lives in, without a trailing slash.
    public let root: String

    public init(name: String, root: String) {
        self.name = name
        var bytes = Array(root.utf8)
        while bytes.count > 1 && bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        self.root = String(decoding: bytes, as: UTF8.self)
    }

    public func open(_ path: String, mode: DeviceFileMode) throws(TapWalkerError) -> any DeviceFile {
        let host = try hostPath(path)
        let modeNumber: Int32
        switch mode {
        case .read: modeNumber = 0
        case .write: modeNumber = 1
        case .append: modeNumber = 2
        }
        let fd = host.withCString { bsd_open_file($0, modeNumber) }
        guard fd >= 0 else {
            let error = bsd_errno()
            if bsd_loop(error) != 0 { throw TapWalkerError(.input, "\(name):\(path) is a symbolic link, which this file system does not follow") }
            throw TapWalkerError(.input, "cannot open \(name):\(path): \(BSD.text(error))")
        }
        return PosixFile(fd: fd, name: "\(name):\(path)")
    }

    public func info(_ path: String) throws(TapWalkerError) -> DeviceDirectoryEntry? {
        let host = try hostPath(path)
        var size: Int64 = 0
        switch host.withCString({ bsd_entry_kind($0, &size) }) {
        case 0: return nil
        case 1: return DeviceDirectoryEntry(name: PosixFileSystem.lastComponent(path), isDirectory: false, size: Int(size))
        case 2: return DeviceDirectoryEntry(name: PosixFileSystem.lastComponent(path), isDirectory: true, size: 0)
        case 3: throw TapWalkerError(.input, "\(name):\(path) is a symbolic link, which this file system does not follow")
        case 4: throw TapWalkerError(.input, "\(name):\(path) is neither a file nor a directory")
        default: throw TapWalkerError(.input, "cannot look at \(name):\(path): \(BSD.lastError())")
        }
    }

    /// A directory's files and directories; links and other kinds of entry are left out.
    public func list(_ directory: String) throws(TapWalkerError) -> [DeviceDirectoryEntry] {
        let host = try hostPath(directory)
        guard let handle = host.withCString({ bsd_open_directory($0) }) else {
            throw TapWalkerError(.input, "cannot list \(name):\(directory): \(BSD.lastError())")
        }
        defer { bsd_close_directory(handle) }
        var entries: [DeviceDirectoryEntry] = []
        while let cName = bsd_next_entry(handle) {
            let entryName = String(cString: cName)
            if ASCII.equal(Array(entryName.utf8), ".") || ASCII.equal(Array(entryName.utf8), "..") { continue }
            var size: Int64 = 0
            let kind = (host + "/" + entryName).withCString { bsd_entry_kind($0, &size) }
            if kind == 1 { entries.append(DeviceDirectoryEntry(name: entryName, isDirectory: false, size: Int(size))) }
            if kind == 2 { entries.append(DeviceDirectoryEntry(name: entryName, isDirectory: true, size: 0)) }
        }
        return entries
    }

    public func rename(_ from: String, to: String) throws(TapWalkerError) {
        let a = try hostPath(from)
        let b = try hostPath(to)
        let rc = a.withCString { pa in b.withCString { pb in bsd_rename(pa, pb) } }
        guard rc == 0 else { throw TapWalkerError(.input, "cannot rename \(name):\(from) to \(to): \(BSD.lastError())") }
    }

    /// Removes a file, or an empty directory.
    public func remove(_ path: String) throws(TapWalkerError) {
        guard let entry = try info(path) else { throw TapWalkerError(.input, "cannot remove \(name):\(path): it does not exist") }
        let host = try hostPath(path)
        let rc = host.withCString { entry.isDirectory ? bsd_rmdir($0) : bsd_unlink($0) }
        guard rc == 0 else { throw TapWalkerError(.input, "cannot remove \(name):\(path): \(BSD.lastError())") }
    }

    /// Makes a directory (FTP's MKD); its parent must exist.
    public func makeDirectory(_ path: String) throws(TapWalkerError) {
        let host = try hostPath(path)
        guard host.withCString({ bsd_mkdir($0) }) == 0 else {
            throw TapWalkerError(.input, "cannot make the directory \(name):\(path): \(BSD.lastError())")
        }
    }

    /// `path` under the root, after checking that it stays there: absolute, no "." or ".."
    /// component, no NUL, and no symbolic link at any directory on the way.
    func hostPath(_ path: String) throws(TapWalkerError) -> String {
        let bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") else { throw TapWalkerError(.input, "\(name):\(path): paths start with /") }
        guard !bytes.contains(0) else { throw TapWalkerError(.input, "\(name): a path may not contain a NUL byte") }
        let parts = bytes.split(separator: UInt8(ascii: "/"))
        var host = root
        for (i, part) in parts.enumerated() {
            if ASCII.equal(Array(part), "..") || ASCII.equal(Array(part), ".") {
                throw TapWalkerError(.input, "\(name):\(path): . and .. are not allowed in paths")
            }
            host += "/" + String(decoding: part, as: UTF8.self)
            guard i < parts.count - 1 else { break }
            var size: Int64 = 0
            if host.withCString({ bsd_entry_kind($0, &size) }) == 3 {
                throw TapWalkerError(.input, "\(name):\(path) passes a symbolic link, which this file system does not follow")
            }
        }
        return host
    }

    static func lastComponent(_ path: String) -> String {
        let bytes = Array(path.utf8)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash + 1 < bytes.count else { return "/" }
        return String(decoding: bytes[(slash + 1)...], as: UTF8.self)
    }
}

/// An open file of a `PosixFileSystem`.
final class PosixFile: DeviceFile {
    private var fd: Int32
    let name: String

    init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    deinit { try? close() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        guard fd >= 0 else { throw TapWalkerError(.input, "\(name) is closed") }
        while true {
            let n = bsd_read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            let error = bsd_errno()
            if bsd_is_interrupted(error) != 0 { continue }
            throw TapWalkerError(.input, "reading \(name) failed: \(BSD.text(error))")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        guard fd >= 0 else { throw TapWalkerError(.input, "\(name) is closed") }
        var offset = 0
        while offset < bytes.count {
            let n = bsd_write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                let error = bsd_errno()
                if bsd_is_interrupted(error) != 0 { continue }
                throw TapWalkerError(.input, "writing \(name) failed: \(BSD.text(error))")
            }
            if n == 0 { throw TapWalkerError(.input, "writing \(name) failed: the file system is full") }
            offset += n
        }
    }

    func close() throws(TapWalkerError) {
        guard fd >= 0 else { return }
        let rc = bsd_close(fd)
        fd = -1
        // FAT writes its last cluster and directory entry on close, so a full card shows here.
        guard rc == 0 else { throw TapWalkerError(.input, "closing \(name) failed: \(BSD.lastError())") }
    }
}
