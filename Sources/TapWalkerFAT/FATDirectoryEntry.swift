/// One file or directory as its directory lists it: the short entry (where its first cluster and
/// size live) and the long-name entries before it (docs/fat.md, "Directory entries").
struct FATDirectoryEntry {
    static let bytes = 32
    static let attributeReadOnly: UInt8 = 0x01
    static let attributeVolumeLabel: UInt8 = 0x08
    static let attributeDirectory: UInt8 = 0x10
    static let attributeArchive: UInt8 = 0x20
    /// Read-only, hidden, system and volume label together: a long-name entry.
    static let attributeLongName: UInt8 = 0x0F
    static let deleted: UInt8 = 0xE5

    var name: String
    var nameUnits: [UInt16]
    var shortName: [UInt8]
    var attributes: UInt8
    var firstCluster: Int
    var size: Int
    /// The directory it is in (0: the fixed root of FAT12/16) and the slot of its short entry.
    var directory: Int
    var slot: Int
    /// The slot of its first long-name entry (== `slot` when it has none).
    var firstSlot: Int

    var isDirectory: Bool { attributes & FATDirectoryEntry.attributeDirectory != 0 }
}

/// FAT's date and time fields. The device keeps no calendar, so entries it writes carry one
/// fixed time, 2020-01-01 00:00 (as a device without a clock does); readers show it as such.
enum FATTimestamp {
    static let date = (2020 - 1980) << 9 | 1 << 5 | 1
    static let time = 0
}
