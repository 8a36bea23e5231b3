import TapWalkerCore
import TapWalkerServices

/// The tree the device's file store shows: its own flash file system at the root, and the SD
/// card's file system under /sd when the board has a slot. Paths arrive normalised (StorePath:
/// absolute, no "." or ".."); the two file systems each keep them inside themselves. "/sd" is
/// matched without regard to case, as FAT names are.
public final class DeviceFileTree: DeviceFileSystem {
    public let flash: any DeviceFileSystem
    public let sd: SDCardMount?

    public init(flash: any DeviceFileSystem, sd: SDCardMount?) {
        self.flash = flash
        self.sd = sd
    }

    public var name: String { flash.name }

    public func open(_ path: String, mode: DeviceFileMode) throws(TapWalkerError) -> any DeviceFile {
        switch try route(path) {
        case .flash: return try flash.open(path, mode: mode)
        case .sdRoot: throw TapWalkerError(.input, "/sd is the SD card's directory, not a file")
        case .sd(let inner): return try sdFiles().open(inner, mode: mode)
        }
    }

    public func info(_ path: String) throws(TapWalkerError) -> DeviceDirectoryEntry? {
        switch try route(path) {
        case .flash: return try flash.info(path)
        case .sdRoot: return DeviceDirectoryEntry(name: "sd", isDirectory: true, size: 0)
        case .sd(let inner): return try sdFiles().info(inner)
        }
    }

    public func list(_ directory: String) throws(TapWalkerError) -> [DeviceDirectoryEntry] {
        switch try route(directory) {
        case .flash:
            var entries = try flash.list(directory)
            if sd != nil && DeviceFileTree.isRoot(directory) {
                entries.removeAll { ASCII.equalFold(Array($0.name.utf8), "sd") }
                entries.append(DeviceDirectoryEntry(name: "sd", isDirectory: true, size: 0))
            }
            return entries
        case .sdRoot: return try sdFiles().list("/")
        case .sd(let inner): return try sdFiles().list(inner)
        }
    }

    public func rename(_ from: String, to: String) throws(TapWalkerError) {
        switch (try route(from), try route(to)) {
        case (.flash, .flash): try flash.rename(from, to: to)
        case (.sd(let a), .sd(let b)): try sdFiles().rename(a, to: b)
        case (.sdRoot, _), (_, .sdRoot): throw TapWalkerError(.input, "/sd is the SD card's directory; it cannot be renamed")
        default:
            throw TapWalkerError(.input, "\(from) and \(to) are on different file systems (the device's flash and the SD card); download and upload to move a file; nothing was changed")
        }
    }

    public func remove(_ path: String) throws(TapWalkerError) {
        switch try route(path) {
        case .flash: try flash.remove(path)
        case .sdRoot: throw TapWalkerError(.input, "/sd is the SD card's directory; it cannot be removed (SITE UMOUNT releases the card)")
        case .sd(let inner): try sdFiles().remove(inner)
        }
    }

    public func makeDirectory(_ path: String) throws(TapWalkerError) {
        switch try route(path) {
        case .flash: try flash.makeDirectory(path)
        case .sdRoot: throw TapWalkerError(.input, "/sd exists: it is the SD card's directory")
        case .sd(let inner): try sdFiles().makeDirectory(inner)
        }
    }

    private enum Place {
        case flash
        case sdRoot
        case sd(String)
    }

    private func route(_ path: String) throws(TapWalkerError) -> Place {
        guard sd != nil else { return .flash }
        let bytes = Array(path.utf8)
        // "/sd" or "/sd/…": the first component, whatever its case.
        guard bytes.count >= 3, bytes[0] == UInt8(ascii: "/"), ASCII.equalFold(Array(bytes[1..<3]), "sd") else { return .flash }
        if bytes.count == 3 || (bytes.count == 4 && bytes[3] == UInt8(ascii: "/")) { return .sdRoot }
        guard bytes[3] == UInt8(ascii: "/") else { return .flash }
        return .sd(String(decoding: bytes[3...], as: UTF8.self))
    }

    private func sdFiles() throws(TapWalkerError) -> any DeviceFileSystem {
        guard let sd else { throw TapWalkerError(.input, "this device has no SD card slot") }
        return try sd.files()
    }

    private static func isRoot(_ path: String) -> Bool { ASCII.equal(path, "/") }
}
