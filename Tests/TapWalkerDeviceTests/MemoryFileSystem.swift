import TapWalkerCore
import TapWalkerDevice

/// A flat in-memory `DeviceFileSystem` for tests; records renames so tests can see that a file
/// was replaced through a temporary.
final class MemoryFileSystem: DeviceFileSystem {
    var files: [String: [UInt8]] = [:]
    var renames: [(String, String)] = []
    var failWrites = false
    /// Like FAT: rename refuses to replace an existing file.
    var renameRefusesExisting = false
    let name = "flash"

    final class File: DeviceFile {
        let system: MemoryFileSystem
        let path: String
        var offset = 0
        init(_ system: MemoryFileSystem, _ path: String) { self.system = system; self.path = path }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
            let bytes = system.files[path] ?? []
            let n = min(buffer.count, bytes.count - offset)
            for i in 0..<n { buffer[i] = bytes[offset + i] }
            offset += n
            return n
        }
        func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
            if system.failWrites { throw TapWalkerError(.device, "flash full") }
            system.files[path, default: []] += bytes
        }
        func close() throws(TapWalkerError) {}
    }

    func open(_ path: String, mode: DeviceFileMode) throws(TapWalkerError) -> any DeviceFile {
        switch mode {
        case .read: guard files[path] != nil else { throw TapWalkerError(.input, "no such file: \(path)") }
        case .write: files[path] = []
        case .append: files[path, default: []] += []
        }
        return File(self, path)
    }
    func info(_ path: String) throws(TapWalkerError) -> DeviceDirectoryEntry? {
        files[path].map { DeviceDirectoryEntry(name: path, isDirectory: false, size: $0.count) }
    }
    func list(_ directory: String) throws(TapWalkerError) -> [DeviceDirectoryEntry] {
        files.keys.sorted().map { DeviceDirectoryEntry(name: $0, isDirectory: false, size: files[$0]!.count) }
    }
    func rename(_ from: String, to: String) throws(TapWalkerError) {
        if renameRefusesExisting && files[to] != nil { throw TapWalkerError(.input, "file exists: \(to)") }
        guard let bytes = files.removeValue(forKey: from) else { throw TapWalkerError(.input, "no such file: \(from)") }
        files[to] = bytes
        renames.append((from, to))
    }
    func remove(_ path: String) throws(TapWalkerError) { files[path] = nil }

    func text(_ path: String) -> String? { files[path].map { String(decoding: $0, as: UTF8.self) } }
}
