import TapWalkerCore

/// The slots of one directory: the fixed root region of FAT12/16 (`directory` 0) or a cluster
/// chain. Each slot is a 32-byte entry; they are read through the volume's data cache a sector
/// at a time.
extension FATVolume {
    /// The entries of `directory` (without "." and ".." and the volume label), in slot order;
    /// `visit` returns false to stop.
    func scan(_ directory: Int, _ visit: (FATDirectoryEntry) throws(TapWalkerError) -> Bool) throws(TapWalkerError) {
        var long = [UInt16](repeating: 0, count: 260)
        var longParts = 0
        var expected = 0
        var checksum: UInt8 = 0
        var longStart = 0
        try walkSlots(directory) { (slot, offset) throws(TapWalkerError) -> Bool in
            let first = data[offset]
            if first == 0 { return false }
            let attributes = data[offset + 11]
            if first == FATDirectoryEntry.deleted { expected = 0; return true }
            if attributes & 0x3F == FATDirectoryEntry.attributeLongName {
                let order = Int(first & 0x1F)
                if first & 0x40 != 0 {
                    longParts = order
                    expected = order
                    checksum = data[offset + 13]
                    longStart = slot
                }
                guard order == expected, order >= 1, order <= 20, data[offset + 13] == checksum else { expected = 0; return true }
                for (i, at) in FATName.longUnitOffsets.enumerated() {
                    long[(order - 1) * 13 + i] = UInt16(data.read16(offset + at))
                }
                expected -= 1
                return true
            }
            var short = [UInt8](repeating: 0, count: 11)
            for i in 0..<11 { short[i] = data[offset + i] }
            defer { expected = 0; longParts = 0 }
            if attributes & FATDirectoryEntry.attributeVolumeLabel != 0 { return true }
            if short[0] == UInt8(ascii: "."), short[1] == 0x20 || short[1] == UInt8(ascii: ".") { return true }
            var units: [UInt16] = []
            var hasLong = false
            if longParts > 0, expected == 0, FATName.checksum(short) == checksum {
                for u in long.prefix(longParts * 13) {
                    if u == 0 || u == 0xFFFF { break }
                    units.append(u)
                }
                hasLong = !units.isEmpty
            }
            let name = hasLong ? String(decoding: units, as: UTF16.self) : FATName.display(short: short, caseBits: data[offset + 12])
            if !hasLong { units = Array(name.utf16) }
            let cluster = data.read16(offset + 26) | (layout.kind == .fat32 ? data.read16(offset + 20) << 16 : 0)
            let entry = FATDirectoryEntry(
                name: name, nameUnits: units, shortName: short, attributes: attributes, firstCluster: cluster,
                size: data.read32(offset + 28), directory: directory, slot: slot, firstSlot: hasLong ? longStart : slot)
            return try visit(entry)
        }
    }

    /// The entry named `name` in `directory`, by long or short name, without regard to ASCII case.
    func find(_ name: [UInt16], in directory: Int) throws(TapWalkerError) -> FATDirectoryEntry? {
        var found: FATDirectoryEntry? = nil
        let short = FATName.exactShortName(name)
        try scan(directory) { (entry) throws(TapWalkerError) -> Bool in
            if FATName.equal(entry.nameUnits, name) || short.map({ $0 == entry.shortName }) ?? false {
                found = entry
                return false
            }
            return true
        }
        return found
    }

    /// Visits each slot of `directory` with the data cache holding its sector: (slot, byte offset
    /// in the cache). Stops when `visit` returns false or at the directory's end.
    func walkSlots(_ directory: Int, from start: Int = 0, _ visit: (Int, Int) throws(TapWalkerError) -> Bool) throws(TapWalkerError) {
        let perSector = FATLayout.sectorBytes / FATDirectoryEntry.bytes
        var slot = 0
        if directory == 0 {
            for s in 0..<layout.rootSectors {
                try data.load(layout.rootStart + s)
                for i in 0..<perSector {
                    if slot >= start, try !visit(slot, i * FATDirectoryEntry.bytes) { return }
                    slot += 1
                }
            }
            return
        }
        var cluster: Int? = directory
        var clusters = 0
        while let c = cluster {
            guard table.isValid(c), clusters <= FATVolume.maximumDirectoryClusters(layout) else {
                throw TapWalkerError(.data, "the SD card's file system is damaged: a directory's chain is broken; run fsck on the card")
            }
            let perCluster = perSector * layout.sectorsPerCluster
            if slot + perCluster > start {
                for s in 0..<layout.sectorsPerCluster {
                    try data.load(layout.firstSector(ofCluster: c) + s)
                    for i in 0..<perSector {
                        if slot >= start, try !visit(slot, i * FATDirectoryEntry.bytes) { return }
                        slot += 1
                    }
                }
            } else {
                slot += perCluster
            }
            cluster = try table.next(c)
            clusters += 1
        }
    }

    /// Loads the sector of `slot` of `directory` into the data cache; returns its byte offset.
    func locate(slot: Int, in directory: Int) throws(TapWalkerError) -> Int {
        var offset = -1
        try walkSlots(directory, from: slot) { (s, at) throws(TapWalkerError) -> Bool in
            offset = at
            return false
        }
        guard offset >= 0 else { throw TapWalkerError(.data, "the SD card's file system is damaged: a directory ends early") }
        return offset
    }

    /// `count` free slots in a row in `directory`, the directory grown by zeroed clusters when it
    /// has no such run (the fixed root of FAT12/16 cannot grow). Returns the first slot.
    func freeSlots(_ count: Int, in directory: Int) throws(TapWalkerError) -> Int {
        var runStart = 0
        var run = 0
        var total = 0
        var found: Int? = nil
        try walkSlots(directory) { (slot, offset) throws(TapWalkerError) -> Bool in
            total = slot + 1
            let first = data[offset]
            if first == 0 || first == FATDirectoryEntry.deleted {
                if run == 0 { runStart = slot }
                run += 1
                if run == count { found = runStart; return false }
            } else {
                run = 0
            }
            return true
        }
        if let found { return found }
        guard directory != 0 else {
            throw TapWalkerError(.data, "the SD card's root directory is full (\(total) entries); use a directory")
        }
        let start = run > 0 ? runStart : total
        var have = run
        var last = directory
        while let n = try table.next(last) { last = n }
        let perCluster = layout.clusterBytes / FATDirectoryEntry.bytes
        while have < count {
            guard total / perCluster < FATVolume.maximumDirectoryClusters(layout) else {
                throw TapWalkerError(.data, "the directory is full (65,536 entries, FAT's limit)")
            }
            last = try table.allocate(after: last)
            try zero(cluster: last)
            have += perCluster
        }
        return start
    }

    /// Fills a cluster with zeros (a new directory's cluster: every slot free, the end mark first).
    func zero(cluster: Int) throws(TapWalkerError) {
        for s in 0..<layout.sectorsPerCluster {
            try data.replace(layout.firstSector(ofCluster: cluster) + s)
        }
        try data.flush()
    }

    /// Writes a short entry at `slot` (long-name entries for `name` before it, from `firstSlot`).
    func writeEntry(_ name: [UInt16], short: [UInt8], longName: Bool, attributes: UInt8, cluster: Int, size: Int,
                    in directory: Int, at firstSlot: Int) throws(TapWalkerError) -> Int {
        let parts = longName ? (name.count + 12) / 13 : 0
        let sum = FATName.checksum(short)
        for k in 0..<parts {
            let order = parts - k
            let offset = try locate(slot: firstSlot + k, in: directory)
            data[offset] = UInt8(order) | (k == 0 ? 0x40 : 0)
            data[offset + 11] = FATDirectoryEntry.attributeLongName
            data[offset + 12] = 0
            data[offset + 13] = sum
            data.write16(offset + 26, 0)
            for (i, at) in FATName.longUnitOffsets.enumerated() {
                let index = (order - 1) * 13 + i
                let unit: Int = index < name.count ? Int(name[index]) : index == name.count ? 0 : 0xFFFF
                data.write16(offset + at, unit)
            }
        }
        let slot = firstSlot + parts
        let offset = try locate(slot: slot, in: directory)
        for i in 0..<11 { data[offset + i] = short[i] }
        data[offset + 11] = attributes
        for i in 12..<32 { data[offset + i] = 0 }
        data.write16(offset + 14, FATTimestamp.time)
        data.write16(offset + 16, FATTimestamp.date)
        data.write16(offset + 18, FATTimestamp.date)
        data.write16(offset + 20, layout.kind == .fat32 ? cluster >> 16 : 0)
        data.write16(offset + 22, FATTimestamp.time)
        data.write16(offset + 24, FATTimestamp.date)
        data.write16(offset + 26, cluster & 0xFFFF)
        data.write32(offset + 28, size)
        return slot
    }

    /// Marks the entry's slots (long-name ones too) deleted.
    func erase(_ entry: FATDirectoryEntry) throws(TapWalkerError) {
        for slot in entry.firstSlot...entry.slot {
            let offset = try locate(slot: slot, in: entry.directory)
            data[offset] = FATDirectoryEntry.deleted
        }
    }

    /// A new entry for `name` in `directory`; the short name is generated when the name is not
    /// one already. Returns the slot of its short entry.
    func addEntry(_ name: [UInt16], attributes: UInt8, cluster: Int, size: Int, in directory: Int) throws(TapWalkerError) -> Int {
        var short = FATName.exactShortName(name)
        let longName = short == nil
        if short == nil {
            // One pass over the directory collects the short names that could clash (same
            // extension, same first letters), so trying "~1", "~2"... costs no further reads.
            let basis = FATName.generatedShortName(name, number: 1)
            var near: [[UInt8]] = []
            try scan(directory) { (e) throws(TapWalkerError) -> Bool in
                if e.shortName[8..<11] == basis[8..<11], e.shortName[0] == basis[0] { near.append(e.shortName) }
                return true
            }
            for n in 1...999_999 {
                let candidate = FATName.generatedShortName(name, number: n)
                if !near.contains(candidate) { short = candidate; break }
            }
            guard short != nil else { throw TapWalkerError(.data, "no short name is free for this name in its directory") }
        }
        let slots = longName ? (name.count + 12) / 13 + 1 : 1
        let first = try freeSlots(slots, in: directory)
        return try writeEntry(name, short: short!, longName: longName, attributes: attributes, cluster: cluster, size: size,
                              in: directory, at: first)
    }
}
