import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices

/// The SD card's FAT file system as the device's file store under /sd (`SDCardFileSystem`):
/// TapWalkerFAT's volume over the card's raw blocks (`SDCardBlocks`), on the chip (the card
/// bsp_sdcard.c initialised) and on the virtual ESP32 (the card's image) alike, so both run the
/// same file system code on the same bytes (docs/fat.md). `open` gives the card's blocks at each
/// mount, or throws why there is no card (the virtual ESP32 opens its image then, so a card put
/// in after start is found). One mutex serialises every call: the volume holds one sector of the
/// table and one of data, which the FTP and HTTP tasks share.
public final class FATCard: SDCardFileSystem {
    private let open: () throws(TapWalkerError) -> any SDCardBlocks
    private let mutex: any PlatformMutex
    private var volume: FATVolume?

    public init(mutex: any PlatformMutex, open: @escaping () throws(TapWalkerError) -> any SDCardBlocks) {
        self.open = open
        self.mutex = mutex
    }

    public func mount() throws(TapWalkerError) -> any DeviceFileSystem {
        mutex.lock()
        defer { mutex.unlock() }
        let volume = try FATVolume(device: try FATPartition.volume(on: BlockSectors(try open())))
        self.volume = volume
        return FATCardFiles(volume: volume, mutex: mutex)
    }

    public func unmount() throws(TapWalkerError) {
        mutex.lock()
        defer { mutex.unlock() }
        guard let volume else { return }
        self.volume = nil
        try volume.unmount()
    }
}

/// The card's blocks as the volume's sectors.
final class BlockSectors: FATSectors {
    private let blocks: any SDCardBlocks
    init(_ blocks: any SDCardBlocks) { self.blocks = blocks }
    /// Blocks are 512 bytes (`SDCardBlocks`); never counted in bytes, which a 32-bit Int cannot
    /// hold for a card of 4 GB.
    func sectorCount() throws(TapWalkerError) -> Int { try blocks.blockCount() * (blocks.blockBytes / 512) }
    func read(sector: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        try blocks.read(block: sector, into: buffer)
    }
    func write(sector: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try blocks.write(block: sector, bytes)
    }
}

/// A mounted volume as the device's file system for /sd, each call under the card's mutex.
final class FATCardFiles: DeviceFileSystem {
    private let volume: FATVolume
    private let mutex: any PlatformMutex

    init(volume: FATVolume, mutex: any PlatformMutex) {
        self.volume = volume
        self.mutex = mutex
    }

    var name: String { "sd" }

    func open(_ path: String, mode: DeviceFileMode) throws(TapWalkerError) -> any DeviceFile {
        let how: FATOpenMode
        switch mode {
        case .read: how = .read
        case .write: how = .write
        case .append: how = .append
        }
        return FATCardFile(try locked { () throws(TapWalkerError) in try volume.open(path, mode: how) }, mutex: mutex)
    }

    func info(_ path: String) throws(TapWalkerError) -> DeviceDirectoryEntry? {
        try locked { () throws(TapWalkerError) in
            try volume.info(path).map { DeviceDirectoryEntry(name: $0.name, isDirectory: $0.isDirectory, size: $0.size) }
        }
    }

    func list(_ directory: String) throws(TapWalkerError) -> [DeviceDirectoryEntry] {
        try locked { () throws(TapWalkerError) in
            try volume.list(directory).map { DeviceDirectoryEntry(name: $0.name, isDirectory: $0.isDirectory, size: $0.size) }
        }
    }

    func rename(_ from: String, to: String) throws(TapWalkerError) {
        try locked { () throws(TapWalkerError) in try volume.rename(from, to: to) }
    }

    func remove(_ path: String) throws(TapWalkerError) {
        try locked { () throws(TapWalkerError) in try volume.remove(path) }
    }

    func makeDirectory(_ path: String) throws(TapWalkerError) {
        try locked { () throws(TapWalkerError) in try volume.makeDirectory(path) }
    }

    private func locked<R>(_ body: () throws(TapWalkerError) -> R) throws(TapWalkerError) -> R {
        mutex.lock()
        defer { mutex.unlock() }
        return try body()
    }
}

/// An open file of the card, each call under the card's mutex.
final class FATCardFile: DeviceFile {
    private let file: FATFile
    private let mutex: any PlatformMutex

    init(_ file: FATFile, mutex: any PlatformMutex) {
        self.file = file
        self.mutex = mutex
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        mutex.lock()
        defer { mutex.unlock() }
        return try file.read(into: buffer)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        mutex.lock()
        defer { mutex.unlock() }
        try file.write(bytes)
    }

    func close() throws(TapWalkerError) {
        mutex.lock()
        defer { mutex.unlock() }
        try file.close()
    }
}
