import TapWalkerCore
import TapWalkerServices

/// The device's file system as the FTP and HTTP file store. Paths arrive normalised by `StorePath`
/// and the file system itself keeps them under its mount point; the FAT volumes of the ESP32 have
/// no symbolic links that could lead out. FAT keeps no modification time the VFS reports here,
/// so listings show none (the epoch).
public final class DeviceFileStore: FileStore {
    public let files: any DeviceFileSystem

    public init(files: any DeviceFileSystem) {
        self.files = files
    }

    public func info(_ path: String) throws(TapWalkerError) -> FileInfo {
        if isRoot(path) { return FileInfo(name: "/", isDirectory: true, size: 0, modified: 0) }
        guard let entry = try files.info(path) else { throw TapWalkerError(.input, "no such file or directory: \(path)") }
        return FileInfo(name: DeviceFileStore.lastComponent(entry.name), isDirectory: entry.isDirectory, size: entry.size, modified: 0)
    }

    public func list(_ path: String) throws(TapWalkerError) -> [FileInfo] {
        if !isRoot(path) {
            guard let entry = try files.info(path) else { throw TapWalkerError(.input, "no such file or directory: \(path)") }
            guard entry.isDirectory else { throw TapWalkerError(.input, "not a directory: \(path)") }
        }
        var out: [FileInfo] = []
        for entry in try files.list(path) {
            let name = DeviceFileStore.lastComponent(entry.name)
            out.append(FileInfo(name: name, isDirectory: entry.isDirectory, size: entry.size, modified: 0))
        }
        out.sort { DeviceFileStore.bytesLess($0.name, $1.name) }
        return out
    }

    public func openForReading(_ path: String, offset: Int) throws(TapWalkerError) -> any ByteSource {
        try DeviceFileSource.open(path, in: files, offset: offset)
    }

    public func openForWriting(_ path: String, append: Bool) throws(TapWalkerError) -> any FileWriter {
        if let entry = try files.info(path), entry.isDirectory {
            throw TapWalkerError(.input, "\(path) is a directory")
        }
        if let kind = ConfigurationFileCheck.kind(of: path) {
            let start = append ? (try files.readSmallFile(path, limit: ConfigurationLines.maximumFileBytes) ?? []) : []
            return ConfigurationWriter(kind, files: files, start: start)
        }
        return Writer(try files.open(path, mode: append ? .append : .write))
    }

    public func rename(_ from: String, to: String) throws(TapWalkerError) {
        guard try files.info(from) != nil else { throw TapWalkerError(.input, "no such file or directory: \(from)") }
        if try files.info(to) != nil {
            throw TapWalkerError(.input, "\(to) exists; delete it first (the device's file system does not rename over a file)")
        }
        if let kind = ConfigurationFileCheck.kind(of: to) {
            // Renamed into place: checked as if written there.
            let bytes = try files.readSmallFile(from, limit: ConfigurationLines.maximumFileBytes) ?? []
            try ConfigurationFileCheck.write(bytes, as: kind, to: files)
            try files.remove(from)
            return
        }
        try files.rename(from, to: to)
    }

    public func removeFile(_ path: String) throws(TapWalkerError) {
        guard let entry = try files.info(path) else { throw TapWalkerError(.input, "no such file: \(path)") }
        guard !entry.isDirectory else { throw TapWalkerError(.input, "\(path) is a directory (RMD removes directories)") }
        try files.remove(path)
    }

    public func makeDirectory(_ path: String) throws(TapWalkerError) {
        if try files.info(path) != nil { throw TapWalkerError(.input, "\(path) exists") }
        try files.makeDirectory(path)
    }

    public func removeDirectory(_ path: String) throws(TapWalkerError) {
        guard !isRoot(path) else { throw TapWalkerError(.input, "the root cannot be removed") }
        guard let entry = try files.info(path) else { throw TapWalkerError(.input, "no such directory: \(path)") }
        guard entry.isDirectory else { throw TapWalkerError(.input, "\(path) is a file (DELE removes files)") }
        guard try files.list(path).isEmpty else { throw TapWalkerError(.input, "\(path) is not empty") }
        try files.remove(path)
    }

    private func isRoot(_ path: String) -> Bool { ASCII.equal(path, "/") }

    /// An open file being written by STOR, APPE or an HTTP upload.
    final class Writer: FileWriter {
        private let file: any DeviceFile
        private var open = true
        init(_ file: any DeviceFile) { self.file = file }
        func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) { try file.write(bytes) }
        func close() throws(TapWalkerError) {
            guard open else { return }
            open = false
            try file.close()
        }
        deinit { try? close() }
    }

    /// tapwalker.conf or wifiman.conf being written: held (they are small) and, at close, checked
    /// and written whole, or refused with the line and the problem, the old file left as it was.
    final class ConfigurationWriter: FileWriter {
        private let kind: ConfigurationFileCheck.Kind
        private let files: any DeviceFileSystem
        private var bytes: [UInt8]
        private var open = true
        init(_ kind: ConfigurationFileCheck.Kind, files: any DeviceFileSystem, start: [UInt8]) {
            self.kind = kind
            self.files = files
            bytes = start
        }
        func write(_ chunk: UnsafeRawBufferPointer) throws(TapWalkerError) {
            guard bytes.count + chunk.count <= ConfigurationLines.maximumFileBytes else {
                open = false
                throw TapWalkerError(.data, "\(kind.fileName) may hold at most \(ConfigurationLines.maximumFileBytes) bytes; refused, the old one was left as it was")
            }
            bytes.append(contentsOf: chunk)
        }
        func close() throws(TapWalkerError) {
            guard open else { return }
            open = false
            try ConfigurationFileCheck.write(bytes, as: kind, to: files)
        }
    }

    /// "b.bit" of "/a/b.bit" or of "b.bit" (file systems name entries either way).
    static func lastComponent(_ name: String) -> String {
        String(decoding: StorePath.lastComponent(Array(name.utf8)), as: UTF8.self)
    }

    /// Byte order, not Unicode order: String comparison needs tables the firmware does not link.
    static func bytesLess(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
