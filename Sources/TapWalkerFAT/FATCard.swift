import TapWalkerCore
import TapWalkerDevice
import TapWalkerFAT
import TapWalkerServices

/// The SD card's FAT file system on the virtual ESP32: TapWalkerFAT's volume inside the card's
/// image ([virtual] sd_image), as ESP-IDF's FATFS is on the chip's card. The image is opened at
/// each mount (a card put in after start is found) and closed at release; raw `sd@` writes go to
/// the same file, so both see the same bytes. One mutex serialises every call: the volume holds
/// one sector of the table and one of data, which the FTP and HTTP tasks share.
final class ImageFATCard: SDCardFileSystem {
    let path: String
    private let mutex: any PlatformMutex
    private var volume: FATVolume?

    init(path: String, mutex: any PlatformMutex) {
        self.path = path
        self.mutex = mutex
    }

    func mount() throws(TapWalkerError) -> any DeviceFileSystem {
        mutex.lock()
        defer { mutex.unlock() }
        let card: ImageSDCard
        do {
            card = try ImageSDCard(path: path)
        } catch {
            throw TapWalkerError(.input, "no SD card is inserted (\(error.message))")
        }
        let volume = try FATVolume(device: try FATPartition.volume(on: BlockSectors(card)))
        self.volume = volume
        return ImageFATFiles(volume: volume, mutex: mutex)
    }

    func unmount() throws(TapWalkerError) {
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
    func sectorCount() throws(TapWalkerError) -> Int { try blocks.blockCount() * blocks.blockBytes / 512 }
    func read(sector: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        try blocks.read(block: sector, into: buffer)
    }
    func write(sector: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try blocks.write(block: sector, bytes)
    }
}

/// A mounted volume as the device's file system for /sd, each call under the card's mutex.
final class ImageFATFiles: DeviceFileSystem {
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
        return ImageFATFile(try locked { () throws(TapWalkerError) in try volume.open(path, mode: how) }, mutex: mutex)
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
final class ImageFATFile: DeviceFile {
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
