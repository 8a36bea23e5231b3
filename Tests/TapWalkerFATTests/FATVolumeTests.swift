import TapWalkerCore
import TapWalkerFAT
import Testing

// The FAT volume against images made by mkfs.vfat and filled by mcopy; what the volume writes is
// read back by mcopy and mdir and checked by fsck.vfat -n.

@Suite("FAT volume on mkfs.vfat images")
struct FATVolumeTests {
    @Test("FAT12, FAT16 and FAT32 are told apart by their cluster count, as mkfs.vfat made them",
          arguments: [(12, 2, FATKind.fat12), (16, 32, .fat16), (32, 64, .fat32)])
    func kinds(bits: Int, megabytes: Int, kind: FATKind) throws {
        let image = try FATImage(fat: bits, megabytes: megabytes, options: bits == 32 ? ["-s", "1"] : [])
        let volume = try image.mount()
        #expect(volume.kind == kind)
        #expect(try volume.list("/").isEmpty)
        #expect(try volume.freeBytes() > 0)
    }

    @Test("files put in by mcopy are listed with their long names and sizes and read back byte for byte",
          arguments: [12, 16, 32])
    func readsWhatMcopyWrote(bits: Int) throws {
        let image = try FATImage(fat: bits, megabytes: bits == 32 ? 64 : bits == 16 ? 16 : 8, options: bits == 32 ? ["-s", "1"] : [])
        let small = pattern(1000, seed: 1)
        let large = pattern(300_000, seed: 2)  // many clusters on every kind
        try image.put(small, as: "/blink.bit")
        try image.makeDirectory("/bitstreams")
        try image.put(large, as: "/bitstreams/A long name with spaces.bit.gz")
        try image.put([1, 2, 3], as: "/README")
        let volume = try image.mount()
        let root = try volume.list("/").map { "\($0.name) \($0.isDirectory) \($0.size)" }.sorted()
        #expect(root == ["README false 3", "bitstreams true 0", "blink.bit false 1000"])
        let inner = try volume.list("/bitstreams")
        #expect(inner.map(\.name) == ["A long name with spaces.bit.gz"])
        #expect(inner.first?.size == large.count)
        #expect(try volume.contents("/blink.bit") == small)
        #expect(try volume.contents("/bitstreams/A long name with spaces.bit.gz", chunk: 4096) == large)
        // Names are found without regard to ASCII case, as FAT compares them.
        #expect(try volume.info("/BLINK.BIT")?.size == 1000)
        #expect(try volume.info("/nothing") == nil)
    }

    @Test("files written by the volume are read back by mcopy, listed by mdir, and fsck.vfat finds nothing wrong",
          arguments: [12, 16, 32])
    func writesWhatMtoolsReads(bits: Int) throws {
        let image = try FATImage(fat: bits, megabytes: bits == 32 ? 64 : bits == 16 ? 16 : 8, options: bits == 32 ? ["-s", "1"] : [])
        try image.put(pattern(5000, seed: 9), as: "/old.bin")
        let volume = try image.mount()
        let big = pattern(400_000, seed: 3)
        try volume.store(big, at: "/Design with a long name.bit", chunk: 1500)
        try volume.store(pattern(10, seed: 4), at: "/SHORT.TXT")
        try volume.makeDirectory("/sub dir")
        try volume.store(pattern(77, seed: 5), at: "/sub dir/inner.bin")
        // Replaced by a shorter file: the old clusters are freed (fsck would report them lost).
        try volume.store(pattern(100, seed: 6), at: "/old.bin")
        try volume.unmount()
        #expect(try image.names() == ["Design with a long name.bit", "SHORT.TXT", "old.bin", "sub dir"])
        #expect(try image.names("/sub dir") == ["inner.bin"])
        #expect(try image.get("/Design with a long name.bit") == big)
        #expect(try image.get("/old.bin") == pattern(100, seed: 6))
        #expect(try image.get("/sub dir/inner.bin") == pattern(77, seed: 5))
        try image.fsck()
    }

    @Test("appending grows a file across cluster boundaries; mcopy reads the whole", arguments: [12, 32])
    func append(bits: Int) throws {
        let image = try FATImage(fat: bits, megabytes: bits == 32 ? 64 : 4, options: bits == 32 ? ["-s", "1"] : [])
        let volume = try image.mount()
        let first = pattern(1500, seed: 11), second = pattern(9000, seed: 12)
        try volume.store(first, at: "/log.bin")
        try volume.store(second, at: "/log.bin", mode: .append, chunk: 333)
        #expect(try volume.info("/log.bin")?.size == 10500)
        try volume.unmount()
        #expect(try image.get("/log.bin") == first + second)
        try image.fsck()
    }

    @Test("rename within and across directories, delete and remove an empty directory, as mdir then sees them",
          arguments: [16, 32])
    func renameAndDelete(bits: Int) throws {
        let image = try FATImage(fat: bits, megabytes: bits == 32 ? 64 : 16, options: bits == 32 ? ["-s", "1"] : [])
        try image.put(pattern(3000, seed: 21), as: "/blink.bit")
        try image.put(pattern(40, seed: 22), as: "/gone.txt")
        try image.makeDirectory("/keep")
        try image.makeDirectory("/empty")
        let volume = try image.mount()
        try volume.rename("/blink.bit", to: "/keep/Blink renamed.bit")
        try volume.rename("/keep", to: "/kept")
        try volume.remove("/gone.txt")
        try volume.remove("/empty")
        #expect(throws: TapWalkerError.self) { try volume.remove("/kept") }  // not empty
        #expect(throws: TapWalkerError.self) { try volume.rename("/kept", to: "/kept/inside") }
        try volume.makeDirectory("/kept/deeper")
        try volume.rename("/kept/deeper", to: "/deeper")  // its ".." now names the root
        try volume.unmount()
        #expect(try image.names() == ["deeper", "kept"])
        #expect(try image.names("/kept") == ["Blink renamed.bit"])
        #expect(try image.get("/kept/Blink renamed.bit") == pattern(3000, seed: 21))
        try image.fsck()
    }

    @Test("a directory of 150 long names grows over several clusters; mdir lists every one")
    func manyEntries() throws {
        let image = try FATImage(fat: 16, megabytes: 16, options: ["-s", "1"])
        let volume = try image.mount()
        try volume.makeDirectory("/many")
        var expected: [String] = []
        for i in 0..<150 {
            let name = "bitstream number \(i) of many.bit"
            expected.append(name)
            try volume.store([UInt8(i & 0xFF)], at: "/many/" + name)
        }
        #expect(try volume.list("/many").count == 150)
        try volume.unmount()
        #expect(try image.names("/many") == expected.sorted())
        #expect(try image.get("/many/bitstream number 149 of many.bit") == [149])
        try image.fsck()
    }

    @Test("what mdel removes and mcopy adds after the volume wrote is seen by a new mount; the volume's short names do not clash")
    func interleaved() throws {
        let image = try FATImage(fat: 32, megabytes: 64, options: ["-s", "1"])
        let volume = try image.mount()
        for i in 0..<3 { try volume.store(pattern(100 + i, seed: UInt32(30 + i)), at: "/long name \(i).bit") }
        try volume.unmount()
        try FATImage.run("mdel", ["-i", image.path, "::/long name 1.bit"])
        try image.put(pattern(50, seed: 40), as: "/long name 3.bit")
        let again = try image.mount()
        #expect(try again.list("/").map(\.name).sorted() == ["long name 0.bit", "long name 2.bit", "long name 3.bit"])
        #expect(try again.contents("/long name 3.bit") == pattern(50, seed: 40))
        try image.fsck()
    }

    @Test("a card without a FAT file system is named as such; '..' and bad names are refused before anything is written")
    func refusals() throws {
        let image = try FATImage(fat: 12, megabytes: 2)
        let blank = try FileSectors(image.path)
        try [UInt8](repeating: 0, count: 512).withBytes { (p) throws(TapWalkerError) in try blank.write(sector: 0, p) }
        do {
            _ = try image.mount()
            Issue.record("a zeroed boot sector was mounted")
        } catch {
            #expect(error.message.contains("holds no FAT file system"))
        }
        let formatted = try FATImage(fat: 16, megabytes: 16)
        let volume = try formatted.mount()
        let sectors = try FileSectors(formatted.path)
        _ = sectors
        for bad in ["/../etc/passwd", "/a/./b", "/x/.."] {
            #expect(throws: TapWalkerError.self) { try volume.open(bad, mode: .write) }
        }
        for bad in ["/a:b", "/what?", "/trailing.", "/star*"] {
            #expect(throws: TapWalkerError.self) { try volume.store([1], at: bad) }
        }
        #expect(try volume.list("/").isEmpty)
        try volume.unmount()
        #expect(throws: TapWalkerError.self) { try volume.list("/") }
        try formatted.fsck()
    }

    @Test("a full card refuses the write that does not fit and fsck finds it consistent")
    func full() throws {
        let image = try FATImage(fat: 12, megabytes: 1)
        let volume = try image.mount()
        let free = try volume.freeBytes()
        #expect(throws: TapWalkerError.self) { try volume.store(pattern(free + 4096, seed: 50), at: "/big.bin", chunk: 4096) }
        try volume.unmount()
        try image.fsck()
    }

    @Test("reading a 300 KB file moves its sectors one at a time, never the image")
    func boundedReads() throws {
        let image = try FATImage(fat: 16, megabytes: 32)
        try image.put(pattern(300_000, seed: 60), as: "/big.bit")
        let sectors = try FileSectors(image.path)
        let volume = try FATVolume(device: sectors)
        #expect(try volume.contents("/big.bit", chunk: 512) == pattern(300_000, seed: 60))
        // 586 data sectors plus a few of the table and the directory, far from the image's 65,536.
        #expect(sectors.reads < 700)
    }
}
