import TapWalkerCore

/// Where the FAT volume starts on a card: at sector 0 when the card holds the volume itself (as
/// mkfs.vfat makes it on an image), or in the first FAT partition of a master boot record, as SD
/// cards come formatted (docs/fat.md, "Partitions").
public enum FATPartition {
    /// The partition types of FAT volumes: FAT12, FAT16 (small, large, LBA) and FAT32 (CHS, LBA).
    static let fatTypes: [UInt8] = [0x01, 0x04, 0x06, 0x0E, 0x0B, 0x0C]

    /// The sectors of the card's FAT volume: `device` itself when sector 0 is a boot sector
    /// (it starts with a jump), else the first MBR entry of a FAT type, confined to its extent.
    /// A sector 0 that is neither is left to `FATVolume`, which names what it lacks.
    public static func volume(on device: any FATSectors) throws(TapWalkerError) -> any FATSectors {
        var sector = [UInt8](repeating: 0, count: FATLayout.sectorBytes)
        try sector.withMutableBytes { (p) throws(TapWalkerError) in try device.read(sector: 0, into: p) }
        guard sector[510] == 0x55, sector[511] == 0xAA, sector[0] != 0xEB, sector[0] != 0xE9 else { return device }
        let total = try device.sectorCount()
        for entry in 0..<4 {
            let at = 446 + entry * 16
            guard fatTypes.contains(sector[at + 4]) else { continue }
            let start = FATPartition.read32(sector, at + 8)
            let count = FATPartition.read32(sector, at + 12)
            guard start > 0, count > 0, start + count <= total else {
                throw TapWalkerError(.data, "the card holds no FAT file system: its partition \(entry + 1) (sectors \(start) + \(count)) does not fit on the card's \(total) sectors")
            }
            return FATPartitionSectors(device, start: start, count: count)
        }
        return device
    }

    static func read32(_ bytes: [UInt8], _ at: Int) -> Int {
        Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
    }
}

/// One partition's sectors, numbered from its start; nothing outside it can be reached.
final class FATPartitionSectors: FATSectors {
    private let device: any FATSectors
    private let start: Int
    private let count: Int

    init(_ device: any FATSectors, start: Int, count: Int) {
        self.device = device
        self.start = start
        self.count = count
    }

    func sectorCount() throws(TapWalkerError) -> Int { count }

    func read(sector: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        try device.read(sector: try inside(sector), into: buffer)
    }

    func write(sector: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try device.write(sector: try inside(sector), bytes)
    }

    private func inside(_ sector: Int) throws(TapWalkerError) -> Int {
        guard sector >= 0, sector < count else {
            throw TapWalkerError(.data, "sector \(sector) is outside the \(count)-sector FAT partition; nothing was read or written")
        }
        return start + sector
    }
}
