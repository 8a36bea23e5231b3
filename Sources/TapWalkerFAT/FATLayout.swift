import TapWalkerCore

/// The three kinds of FAT, told apart by the number of clusters alone (docs/fat.md).
public enum FATKind: Sendable {
    case fat12, fat16, fat32

    public var name: String {
        switch self {
        case .fat12: return "FAT12"
        case .fat16: return "FAT16"
        case .fat32: return "FAT32"
        }
    }
}

/// Where a FAT volume keeps what, read from its boot sector's BIOS parameter block
/// (docs/fat.md, "Boot sector"). Sectors are counted from the start of the device.
struct FATLayout {
    static let sectorBytes = 512
    let kind: FATKind
    let sectorsPerCluster: Int
    /// The first sector of the first FAT copy.
    let fatStart: Int
    let fatSectors: Int
    let fatCopies: Int
    /// FAT12/16: the fixed root directory region; FAT32: empty.
    let rootStart: Int
    let rootSectors: Int
    /// FAT32: the root directory's first cluster; 0 on FAT12/16.
    let rootCluster: Int
    let dataStart: Int
    /// Clusters are numbered 2 ..< clusterCount + 2.
    let clusterCount: Int
    /// FAT32: the FSInfo sector, 0 when there is none.
    let fsInfoSector: Int

    var clusterBytes: Int { sectorsPerCluster * FATLayout.sectorBytes }
    var lastCluster: Int { clusterCount + 1 }

    func firstSector(ofCluster cluster: Int) -> Int {
        dataStart + (cluster - 2) * sectorsPerCluster
    }

    /// Reads the boot sector (already in `cache`, sector 0) and checks every field the volume
    /// relies on, so that a card that does not hold a FAT file system is named as such.
    init(bootSector cache: FATSectorCache, deviceSectors: Int) throws(TapWalkerError) {
        func refuse(_ why: String) -> TapWalkerError {
            TapWalkerError(.data, "the card holds no FAT file system: \(why)")
        }
        guard cache[510] == 0x55, cache[511] == 0xAA else { throw refuse("its first sector does not end in 55 AA") }
        guard cache[0] == 0xEB || cache[0] == 0xE9 else { throw refuse("its first sector does not start with a jump") }
        let bytesPerSector = cache.read16(11)
        guard bytesPerSector == FATLayout.sectorBytes else {
            throw refuse("\(bytesPerSector)-byte sectors; only 512-byte sectors, an SD card's blocks, are read")
        }
        let perCluster = Int(cache[13])
        guard perCluster > 0, perCluster & (perCluster - 1) == 0 else { throw refuse("\(perCluster) sectors per cluster") }
        let reserved = cache.read16(14)
        let copies = Int(cache[16])
        guard reserved > 0, copies > 0 else { throw refuse("no reserved sectors or no FAT") }
        let rootEntries = cache.read16(17)
        let total = cache.read16(19) != 0 ? cache.read16(19) : cache.read32(32)
        let fatSize = cache.read16(22) != 0 ? cache.read16(22) : cache.read32(36)
        guard total > 0, fatSize > 0 else { throw refuse("a size or FAT size of 0") }
        guard total <= deviceSectors else {
            throw refuse("it claims \(total) sectors but the card has \(deviceSectors)")
        }
        let rootSectors = (rootEntries * 32 + FATLayout.sectorBytes - 1) / FATLayout.sectorBytes
        let dataStart = reserved + copies * fatSize + rootSectors
        guard dataStart < total else { throw refuse("no room for data") }
        let clusters = (total - dataStart) / perCluster
        let kind: FATKind = clusters < 4085 ? .fat12 : clusters < 65525 ? .fat16 : .fat32
        // The FAT must have an entry for every cluster, or a cluster number would point past it.
        let entryBits = kind == .fat12 ? 12 : kind == .fat16 ? 16 : 32
        guard fatSize * FATLayout.sectorBytes * 8 / entryBits >= clusters + 2 else {
            throw refuse("its FAT of \(fatSize) sectors is too small for \(clusters) clusters")
        }
        if kind == .fat32 {
            guard rootEntries == 0, cache.read16(22) == 0 else { throw refuse("a FAT32 volume with FAT16 fields") }
            let root = cache.read32(44)
            guard root >= 2, root <= clusters + 1 else { throw refuse("the root directory's cluster \(root) is outside the volume") }
            // ExtFlags bit 7: only one FAT copy is active; every volume mkfs makes mirrors them.
            guard cache.read16(40) & 0x80 == 0 else { throw refuse("a FAT32 volume with its FAT copies not mirrored") }
            rootCluster = root
            let info = cache.read16(48)
            fsInfoSector = info > 0 && info < reserved ? info : 0
        } else {
            guard rootEntries > 0 else { throw refuse("a FAT12/16 volume without root directory entries") }
            rootCluster = 0
            fsInfoSector = 0
        }
        self.kind = kind
        sectorsPerCluster = perCluster
        fatStart = reserved
        fatSectors = fatSize
        fatCopies = copies
        rootStart = reserved + copies * fatSize
        self.rootSectors = rootSectors
        self.dataStart = dataStart
        clusterCount = clusters
    }
}
