import TapWalkerCore

/// How `DeviceFileSystem.open` opens a file.
public enum DeviceFileMode: Sendable {
    case read
    /// Creates the file or empties an existing one.
    case write
    case append
}

/// An open file of a `DeviceFileSystem`.
public protocol DeviceFile: AnyObject {
    /// Up to `buffer.count` bytes; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int
    func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError)
    /// Flushes and releases the file (again is harmless).
    func close() throws(TapWalkerError)
}

/// One entry of a directory listing.
public struct DeviceDirectoryEntry: Sendable {
    public var name: String
    public var isDirectory: Bool
    public var size: Int

    public init(name: String, isDirectory: Bool, size: Int) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
    }
}

/// Board support: the file system on the ESP32's own flash (where tapwalker.conf, wifiman.conf
/// and bitstreams live), or the SD card's. Paths are absolute inside the file system ("/",
/// "/wifiman.conf"); the implementation maps them under its mount point and refuses paths that
/// leave it. On the chip this is ESP-IDF's VFS (the same open/read/write calls as POSIX); on the
/// host, a directory, for the virtual ESP32 and for tests.
public protocol DeviceFileSystem: AnyObject {
    /// How to name the file system in messages ("flash", "sd").
    var name: String { get }
    func open(_ path: String, mode: DeviceFileMode) throws(TapWalkerError) -> any DeviceFile
    /// The entry for `path`, or nil when nothing is there.
    func info(_ path: String) throws(TapWalkerError) -> DeviceDirectoryEntry?
    /// A directory's entries, without "." and "..".
    func list(_ directory: String) throws(TapWalkerError) -> [DeviceDirectoryEntry]
    /// Renames `from` to `to`. Whether an existing file at `to` is replaced depends on the file
    /// system (POSIX replaces it; FAT, the ESP32's storage partition, refuses), so callers that
    /// replace files use `replaceFile`.
    func rename(_ from: String, to: String) throws(TapWalkerError)
    func remove(_ path: String) throws(TapWalkerError)
    /// Creates a directory (FTP's MKD). Removing an empty one is `remove`, as POSIX remove() does.
    func makeDirectory(_ path: String) throws(TapWalkerError)
}

extension DeviceFileSystem {
    /// For a file system without directories of its own making.
    public func makeDirectory(_ path: String) throws(TapWalkerError) {
        throw TapWalkerError(.usage, "the \(name) file system cannot make directories; \(path) was not made")
    }

    /// A whole small file (a configuration file), or nil when it does not exist. Files larger
    /// than `limit` are refused, so a corrupt file cannot exhaust the heap.
    public func readSmallFile(_ path: String, limit: Int) throws(TapWalkerError) -> [UInt8]? {
        guard let entry = try info(path) else { return nil }
        guard !entry.isDirectory else { throw TapWalkerError(.input, "\(name):\(path) is a directory") }
        guard entry.size <= limit else {
            throw TapWalkerError(.input, "\(name):\(path) is \(entry.size) bytes, more than the \(limit) it may have")
        }
        let file = try open(path, mode: .read)
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        var count = 0
        do throws(TapWalkerError) {
            while count <= limit {
                let n = try bytes.withMutableBytes { (all) throws(TapWalkerError) -> Int in
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: all[count...]))
                }
                if n == 0 { break }
                count += n
            }
        } catch {
            try? file.close()
            throw error
        }
        try file.close()
        guard count <= limit else {
            throw TapWalkerError(.input, "\(name):\(path) grew past the \(limit) bytes it may have")
        }
        return Array(bytes[0..<count])
    }

    /// A small file that `replaceFile` may have been replacing when the power went: when `path`
    /// is missing but its complete new version is there, the replacement is finished first.
    public func readReplaceableFile(_ path: String, limit: Int) throws(TapWalkerError) -> [UInt8]? {
        if try info(path) == nil, try info(path + ".new") != nil {
            try rename(path + ".new", to: path)
        }
        return try readSmallFile(path, limit: limit)
    }

    /// Replaces a file's content without ever leaving half a file: the bytes go to `path` +
    /// ".new"; only once that is complete is the old file removed (when the file system will not
    /// rename over it) and the new one renamed into place. A power cut leaves the old file, or the
    /// complete new one under either name, which `readReplaceableFile` picks up.
    public func replaceFile(_ path: String, with bytes: [UInt8]) throws(TapWalkerError) {
        let temporary = path + ".new"
        let file = try open(temporary, mode: .write)
        do throws(TapWalkerError) {
            try bytes.withBytes { (raw) throws(TapWalkerError) in try file.write(raw) }
        } catch {
            try? file.close()
            try? remove(temporary)
            throw error
        }
        try file.close()
        do {
            try rename(temporary, to: path)
        } catch {
            guard try info(path) != nil else { throw error }
            try remove(path)
            try rename(temporary, to: path)
        }
    }
}
