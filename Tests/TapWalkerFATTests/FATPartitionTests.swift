import Foundation
import TapWalkerCore
import TapWalkerFAT
import Testing

// A card as SD cards come formatted: a master boot record in sector 0 and the FAT volume in a
// partition after it. The volume is made by mkfs.vfat, placed at sector 2048 behind a hand-made
// MBR, written through the partition, then taken out again and checked with mtools and fsck.vfat.

@Suite("FAT volume in an MBR partition")
struct FATPartitionTests {
    static let start = 2048

    /// `image`'s volume behind an MBR whose entry 2 (entry 1 left empty) has `type`.
    func partitioned(_ image: FATImage, type: UInt8) throws -> (path: String, volumeSectors: Int) {
        let volume = try [UInt8](Data(contentsOf: URL(fileURLWithPath: image.path)))
        var mbr = [UInt8](repeating: 0, count: 512)
        let count = volume.count / 512
        let entry = 446 + 16
        mbr[entry + 4] = type
        for i in 0..<4 {
            mbr[entry + 8 + i] = UInt8(truncatingIfNeeded: FATPartitionTests.start >> (8 * i))
            mbr[entry + 12 + i] = UInt8(truncatingIfNeeded: count >> (8 * i))
        }
        mbr[510] = 0x55
        mbr[511] = 0xAA
        let card = mbr + [UInt8](repeating: 0, count: (FATPartitionTests.start - 1) * 512) + volume
        let path = image.directory.appendingPathComponent("card.img").path
        try Data(card).write(to: URL(fileURLWithPath: path))
        return (path, count)
    }

    @Test("files in the first FAT partition are read and written there; the sectors before it stay untouched")
    func readsAndWritesThePartition() throws {
        let image = try FATImage(fat: 16, megabytes: 16)
        try image.put(pattern(3000, seed: 1), as: "/blink.bit")
        let (card, sectors) = try partitioned(image, type: 0x06)
        let volume = try FATVolume(device: try FATPartition.volume(on: try FileSectors(card)))
        #expect(volume.kind == .fat16)
        #expect(try volume.contents("/blink.bit") == pattern(3000, seed: 1))
        try volume.store(pattern(70_000, seed: 2), at: "/written in the partition.bin")
        try volume.unmount()

        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: card)))
        #expect(bytes[512..<(FATPartitionTests.start * 512)].allSatisfy { $0 == 0 })
        try Data(bytes[(FATPartitionTests.start * 512)...]).write(to: URL(fileURLWithPath: image.path))
        #expect(sectors * 512 == bytes.count - FATPartitionTests.start * 512)
        #expect(try image.get("/written in the partition.bin") == pattern(70_000, seed: 2))
        _ = try image.fsck()
    }

    @Test("an unpartitioned volume is used as it is; a partition past the card's end is refused, naming it")
    func plainAndBroken() throws {
        let image = try FATImage(fat: 12, megabytes: 2)
        let plain = try FileSectors(image.path)
        #expect(try FATPartition.volume(on: plain) === plain)
        let (card, _) = try partitioned(image, type: 0x0C)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: card))
        try handle.truncate(atOffset: UInt64(FATPartitionTests.start + 100) * 512)
        try handle.close()
        #expect(throws: TapWalkerError.self) { try FATPartition.volume(on: try FileSectors(card)) }
    }
}
