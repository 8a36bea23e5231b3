import TapWalkerCore

/// What `FATVolume.info` and `list` tell about an entry.
public struct FATEntryInfo: Sendable {
    public var name: String
    public var isDirectory: Bool
    public var size: Int
}

/// How `FATVolume.open` opens a file.
public enum FATOpenMode: Sendable {
    case read
    /// Creates the file or empties an existing one.
    case write
    case append
}

/// A FAT12, FAT16 or FAT32 file system on 512-byte sectors, read and written a sector at a time
/// (docs/fat.md): files and directories by path, long names, both copies of the table. Paths are
/// absolute ("/", "/bits/blink.bit"); "." and ".." are refused, so nothing can name a place
/// outside the volume. Not safe for use from two tasks at once: its owner serialises calls.
public final class FATVolume {
    let device: any FATSectors
    let layout: FATLayout
    /// Directory sectors and the partial sectors of file data.
    let data: FATSectorCache
    let table: FATTable
    /// False once unmounted: files still open fail rather than write to a released card.
    public private(set) var mounted = true

    public var kind: FATKind { layout.kind }
    public var clusterBytes: Int { layout.clusterBytes }
    public var clusterCount: Int { layout.clusterCount }

    /// Reads the boot sector and mounts the volume; throws, naming why, when the device holds no
    /// FAT file system.
    public init(device: any FATSectors) throws(TapWalkerError) {
        self.device = device
        let sectors = try device.sectorCount()
        data = FATSectorCache(device)
        guard sectors > 0 else { throw TapWalkerError(.data, "the card holds no FAT file system: it has no sectors") }
        try data.load(0)
        layout = try FATLayout(bootSector: data, deviceSectors: sectors)
        table = try FATTable(layout: layout, cache: FATSectorCache(device))
    }

    /// A directory may hold 65,536 slots (2 MB): the limit of FAT's specification.
    static func maximumDirectoryClusters(_ layout: FATLayout) -> Int {
        max(1, 65536 * FATDirectoryEntry.bytes / layout.clusterBytes)
    }

    /// Free space in bytes.
    public func freeBytes() throws(TapWalkerError) -> Int {
        try check()
        return try table.countFree() * layout.clusterBytes
    }

    public func info(_ path: String) throws(TapWalkerError) -> FATEntryInfo? {
        try check()
        let names = try FATVolume.components(path)
        if names.isEmpty { return FATEntryInfo(name: "/", isDirectory: true, size: 0) }
        guard let entry = try lookup(names) else { return nil }
        return FATEntryInfo(name: entry.name, isDirectory: entry.isDirectory, size: entry.isDirectory ? 0 : entry.size)
    }

    public func list(_ path: String) throws(TapWalkerError) -> [FATEntryInfo] {
        try check()
        let directory = try directoryCluster(path)
        var out: [FATEntryInfo] = []
        try scan(directory) { (e) throws(TapWalkerError) -> Bool in
            out.append(FATEntryInfo(name: e.name, isDirectory: e.isDirectory, size: e.isDirectory ? 0 : e.size))
            return true
        }
        return out
    }

    public func open(_ path: String, mode: FATOpenMode) throws(TapWalkerError) -> FATFile {
        try check()
        let (parent, name) = try split(path)
        if var entry = try find(name, in: parent) {
            guard !entry.isDirectory else { throw TapWalkerError(.input, "\(path) is a directory") }
            if mode == .write, entry.firstCluster != 0 {
                guard entry.attributes & FATDirectoryEntry.attributeReadOnly == 0 else {
                    throw TapWalkerError(.input, "\(path) is read-only on the card; it was left as it was")
                }
                try table.free(chain: entry.firstCluster)
                entry.firstCluster = 0
                entry.size = 0
                try updateEntry(entry)
                try sync()
            }
            if mode != .read, entry.attributes & FATDirectoryEntry.attributeReadOnly != 0 {
                throw TapWalkerError(.input, "\(path) is read-only on the card; it was left as it was")
            }
            return FATFile(volume: self, entry: entry, writable: mode != .read, append: mode == .append)
        }
        guard mode != .read else { throw TapWalkerError(.input, "no such file: \(path)") }
        let units = try FATName.checked(String(decoding: name, as: UTF16.self))
        let slot = try addEntry(units, attributes: FATDirectoryEntry.attributeArchive, cluster: 0, size: 0, in: parent)
        try sync()
        guard let entry = try find(units, in: parent), entry.slot == slot else {
            throw TapWalkerError(.data, "\(path) was made but cannot be found again")
        }
        return FATFile(volume: self, entry: entry, writable: true, append: false)
    }

    public func makeDirectory(_ path: String) throws(TapWalkerError) {
        try check()
        let (parent, name) = try split(path)
        guard try find(name, in: parent) == nil else { throw TapWalkerError(.input, "\(path) exists") }
        let units = try FATName.checked(String(decoding: name, as: UTF16.self))
        let cluster = try table.allocate(after: nil)
        try zero(cluster: cluster)
        // "." is the directory itself, ".." its parent (0 for the root, also on FAT32).
        let parentCluster = parent == layout.rootCluster ? 0 : parent
        _ = try writeEntry(Array(".".utf16), short: FATVolume.dotName(1), longName: false,
                           attributes: FATDirectoryEntry.attributeDirectory, cluster: cluster, size: 0, in: cluster, at: 0)
        _ = try writeEntry(Array("..".utf16), short: FATVolume.dotName(2), longName: false,
                           attributes: FATDirectoryEntry.attributeDirectory, cluster: parentCluster, size: 0, in: cluster, at: 1)
        _ = try addEntry(units, attributes: FATDirectoryEntry.attributeDirectory, cluster: cluster, size: 0, in: parent)
        try sync()
    }

    /// Removes a file, or an empty directory.
    public func remove(_ path: String) throws(TapWalkerError) {
        try check()
        let (parent, name) = try split(path)
        guard let entry = try find(name, in: parent) else { throw TapWalkerError(.input, "no such file or directory: \(path)") }
        if entry.isDirectory {
            var empty = true
            try scan(entry.firstCluster) { (_) throws(TapWalkerError) -> Bool in empty = false; return false }
            guard empty else { throw TapWalkerError(.input, "\(path) is not empty") }
        }
        try erase(entry)
        if entry.firstCluster != 0 { try table.free(chain: entry.firstCluster) }
        try sync()
    }

    /// Renames or moves a file or directory; an existing `to` is refused (FAT has no atomic
    /// replace), and so is moving a directory into itself.
    public func rename(_ from: String, to: String) throws(TapWalkerError) {
        try check()
        let (oldParent, oldName) = try split(from)
        guard let entry = try find(oldName, in: oldParent) else { throw TapWalkerError(.input, "no such file or directory: \(from)") }
        let (newParent, newName) = try split(to)
        let units = try FATName.checked(String(decoding: newName, as: UTF16.self))
        if let existing = try find(units, in: newParent), !(existing.directory == entry.directory && existing.slot == entry.slot) {
            throw TapWalkerError(.input, "\(to) exists")
        }
        if entry.isDirectory {
            // The new parent may not be the directory itself or below it.
            var cluster = newParent
            var steps = 0
            while cluster != 0 && cluster != layout.rootCluster {
                guard cluster != entry.firstCluster else { throw TapWalkerError(.input, "\(from) cannot move into itself") }
                cluster = try parentOf(cluster)
                steps += 1
                guard steps < 4096 else { throw TapWalkerError(.data, "the SD card's directories loop; run fsck on the card") }
            }
        }
        try erase(entry)
        _ = try addEntry(units, attributes: entry.attributes, cluster: entry.firstCluster, size: entry.size, in: newParent)
        if entry.isDirectory && newParent != oldParent {
            let offset = try locate(slot: 1, in: entry.firstCluster)
            let parentCluster = newParent == layout.rootCluster ? 0 : newParent
            data.write16(offset + 26, parentCluster & 0xFFFF)
            data.write16(offset + 20, layout.kind == .fat32 ? parentCluster >> 16 : 0)
        }
        try sync()
    }

    /// Writes everything held back and stops: files still open fail from here on.
    public func unmount() throws(TapWalkerError) {
        guard mounted else { return }
        try sync()
        mounted = false
    }

    /// Writes the cached sectors and the FAT32 free count to the card.
    func sync() throws(TapWalkerError) {
        try data.flush()
        try table.flush()
    }

    func check() throws(TapWalkerError) {
        guard mounted else { throw TapWalkerError(.usage, "the SD card's file system is not mounted") }
    }

    /// The short entry's cluster and size fields of `entry`, rewritten.
    func updateEntry(_ entry: FATDirectoryEntry) throws(TapWalkerError) {
        let offset = try locate(slot: entry.slot, in: entry.directory)
        data.write16(offset + 20, layout.kind == .fat32 ? entry.firstCluster >> 16 : 0)
        data.write16(offset + 26, entry.firstCluster & 0xFFFF)
        data.write32(offset + 28, entry.size)
        data.write16(offset + 22, FATTimestamp.time)
        data.write16(offset + 24, FATTimestamp.date)
    }

    // MARK: - Paths

    /// The names of a path, each checked: "." and ".." are refused.
    static func components(_ path: String) throws(TapWalkerError) -> [[UInt16]] {
        var out: [[UInt16]] = []
        for part in Array(path.utf16).split(separator: 0x2F, omittingEmptySubsequences: true) {
            let name = Array(part)
            if name == [0x2E] || name == [0x2E, 0x2E] {
                throw TapWalkerError(.input, "\(path): '.' and '..' are not allowed in paths on the SD card")
            }
            out.append(name)
        }
        return out
    }

    /// The directory a path's last name is in, and that name.
    func split(_ path: String) throws(TapWalkerError) -> (Int, [UInt16]) {
        var names = try FATVolume.components(path)
        guard let last = names.popLast() else { throw TapWalkerError(.input, "the card's root directory itself cannot be used here") }
        var directory = layout.kind == .fat32 ? layout.rootCluster : 0
        for name in names {
            guard let e = try find(name, in: directory), e.isDirectory else {
                throw TapWalkerError(.input, "no such directory: \(path)")
            }
            directory = e.firstCluster == 0 ? (layout.kind == .fat32 ? layout.rootCluster : 0) : e.firstCluster
        }
        return (directory, last)
    }

    func lookup(_ names: [[UInt16]]) throws(TapWalkerError) -> FATDirectoryEntry? {
        var directory = layout.kind == .fat32 ? layout.rootCluster : 0
        var entry: FATDirectoryEntry? = nil
        for (i, name) in names.enumerated() {
            guard let e = try find(name, in: directory) else { return nil }
            if i < names.count - 1 {
                guard e.isDirectory else { return nil }
                directory = e.firstCluster
            }
            entry = e
        }
        return entry
    }

    /// The cluster of the directory at `path` (0 for FAT12/16's root).
    func directoryCluster(_ path: String) throws(TapWalkerError) -> Int {
        let names = try FATVolume.components(path)
        if names.isEmpty { return layout.kind == .fat32 ? layout.rootCluster : 0 }
        guard let e = try lookup(names) else { throw TapWalkerError(.input, "no such directory: \(path)") }
        guard e.isDirectory else { throw TapWalkerError(.input, "not a directory: \(path)") }
        return e.firstCluster
    }

    /// The parent directory of the directory at `cluster`, from its ".." entry.
    private func parentOf(_ cluster: Int) throws(TapWalkerError) -> Int {
        let offset = try locate(slot: 1, in: cluster)
        let parent = data.read16(offset + 26) | (layout.kind == .fat32 ? data.read16(offset + 20) << 16 : 0)
        return parent
    }

    static func dotName(_ dots: Int) -> [UInt8] {
        var name = [UInt8](repeating: 0x20, count: 11)
        for i in 0..<dots { name[i] = UInt8(ascii: ".") }
        return name
    }
}
