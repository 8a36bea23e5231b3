import TapWalkerCore

/// The file allocation table: one entry per cluster, the number of the next cluster of the same
/// file, 0 for a free cluster, or an end-of-chain mark (docs/fat.md, "The table"). Every change
/// goes to all copies of the table; the free count of FAT32's FSInfo sector is kept up to date.
final class FATTable {
    let layout: FATLayout
    private let cache: FATSectorCache
    /// Where the search for a free cluster starts: after the last one handed out.
    private var nextFree = 2
    /// Free clusters, or nil while unknown (counted on first need).
    private(set) var freeCount: Int?
    private var fsInfoDirty = false
    /// Sector distances from the first copy of the table to the others.
    private let mirrors: [Int]

    init(layout: FATLayout, cache: FATSectorCache) throws(TapWalkerError) {
        self.layout = layout
        self.cache = cache
        var mirrors: [Int] = []
        for copy in 1..<max(layout.fatCopies, 1) { mirrors.append(copy * layout.fatSectors) }
        self.mirrors = mirrors
        if layout.fsInfoSector > 0 {
            try cache.load(layout.fsInfoSector)
            if cache.read32(0) == 0x4161_5252, cache.read32(484) == 0x6141_7272 {
                let free = cache.read32(488)
                if free <= layout.clusterCount { freeCount = free }
                let hint = cache.read32(492)
                if hint >= 2, hint <= layout.lastCluster { nextFree = hint }
            }
        }
    }

    /// The value every chain ends with (the largest of the kind).
    var endOfChain: Int {
        switch layout.kind {
        case .fat12: return 0xFFF
        case .fat16: return 0xFFFF
        case .fat32: return 0x0FFF_FFFF
        }
    }

    func isEnd(_ value: Int) -> Bool {
        switch layout.kind {
        case .fat12: return value >= 0xFF8
        case .fat16: return value >= 0xFFF8
        case .fat32: return value >= 0x0FFF_FFF8
        }
    }

    func isValid(_ cluster: Int) -> Bool { cluster >= 2 && cluster <= layout.lastCluster }

    /// The entry of `cluster`.
    func entry(_ cluster: Int) throws(TapWalkerError) -> Int {
        switch layout.kind {
        case .fat12:
            let at = cluster + cluster / 2
            let pair = try byte(at) | (try byte(at + 1)) << 8
            return cluster & 1 == 1 ? pair >> 4 : pair & 0xFFF
        case .fat16:
            return try byte(cluster * 2) | (try byte(cluster * 2 + 1)) << 8
        case .fat32:
            var value = 0
            for i in 0..<4 { value |= (try byte(cluster * 4 + i)) << (8 * i) }
            return value & 0x0FFF_FFFF
        }
    }

    /// The cluster after `cluster` in its chain, or nil at the end; a chain that points outside
    /// the volume (or at a free or bad cluster) is a damaged volume and is refused.
    func next(_ cluster: Int) throws(TapWalkerError) -> Int? {
        let value = try entry(cluster)
        if isEnd(value) { return nil }
        guard isValid(value) else {
            throw TapWalkerError(.data, "the SD card's file system is damaged: cluster \(cluster) points to \(value); run fsck on the card")
        }
        return value
    }

    func setEntry(_ cluster: Int, _ value: Int) throws(TapWalkerError) {
        let old = try entry(cluster)
        if var free = freeCount {
            if old == 0 && value != 0 { free -= 1 }
            if old != 0 && value == 0 { free += 1 }
            freeCount = free
            fsInfoDirty = true
        }
        switch layout.kind {
        case .fat12:
            let at = cluster + cluster / 2
            let pair = try byte(at) | (try byte(at + 1)) << 8
            let merged = cluster & 1 == 1 ? (pair & 0x000F) | (value << 4) : (pair & 0xF000) | value
            try setByte(at, merged & 0xFF)
            try setByte(at + 1, merged >> 8)
        case .fat16:
            try setByte(cluster * 2, value & 0xFF)
            try setByte(cluster * 2 + 1, value >> 8)
        case .fat32:
            // The top four bits are reserved: kept as they were.
            let high = (try byte(cluster * 4 + 3)) & 0xF0
            let full = value & 0x0FFF_FFFF | high << 24
            for i in 0..<4 { try setByte(cluster * 4 + i, (full >> (8 * i)) & 0xFF) }
        }
    }

    /// A free cluster, marked as the end of a chain, linked after `previous` when given.
    func allocate(after previous: Int?) throws(TapWalkerError) -> Int {
        if freeCount == 0 { throw full() }
        let count = layout.clusterCount
        var candidate = nextFree
        for _ in 0..<count {
            if !isValid(candidate) { candidate = 2 }
            if try entry(candidate) == 0 {
                try setEntry(candidate, endOfChain)
                if let previous { try setEntry(previous, candidate) }
                nextFree = candidate + 1
                return candidate
            }
            candidate += 1
        }
        freeCount = 0
        throw full()
    }

    /// Frees every cluster of the chain starting at `first`.
    func free(chain first: Int) throws(TapWalkerError) {
        var cluster: Int? = first
        var steps = 0
        while let c = cluster, isValid(c) {
            let next = try self.next(c)
            try setEntry(c, 0)
            cluster = next
            steps += 1
            guard steps <= layout.clusterCount else {
                throw TapWalkerError(.data, "the SD card's file system is damaged: a chain loops; run fsck on the card")
            }
        }
    }

    /// Free clusters (counted when FSInfo did not say).
    func countFree() throws(TapWalkerError) -> Int {
        if let freeCount { return freeCount }
        var free = 0
        for c in 2...layout.lastCluster where try entry(c) == 0 { free += 1 }
        freeCount = free
        fsInfoDirty = layout.fsInfoSector > 0
        return free
    }

    /// Writes the table's cached sector and FSInfo's counts.
    func flush() throws(TapWalkerError) {
        try cache.flush()
        guard fsInfoDirty, layout.fsInfoSector > 0 else { return }
        try cache.load(layout.fsInfoSector)
        if cache.read32(0) == 0x4161_5252, cache.read32(484) == 0x6141_7272 {
            cache.write32(488, freeCount ?? -1)  // FFFFFFFF: unknown (an Int of 32 bits cannot hold it)
            cache.write32(492, nextFree)
        }
        try cache.flush()
        fsInfoDirty = false
    }

    private func full() -> TapWalkerError {
        TapWalkerError(.data, "the SD card is full")
    }

    private func locate(_ offset: Int) throws(TapWalkerError) -> Int {
        let sector = layout.fatStart + offset / FATLayout.sectorBytes
        try cache.load(sector, mirrors: mirrors)
        return offset % FATLayout.sectorBytes
    }

    private func byte(_ offset: Int) throws(TapWalkerError) -> Int {
        Int(cache[try locate(offset)])
    }

    private func setByte(_ offset: Int, _ value: Int) throws(TapWalkerError) {
        let at = try locate(offset)
        cache[at] = UInt8(truncatingIfNeeded: value)
    }
}
