import Testing
import TapWalkerCore
import TapWalkerServices
@testable import TapWalkerDevice

/// A card slot whose file system is a `MemoryFileSystem`, with the card and its FAT switchable.
final class FakeCardSlot: SDCardFileSystem {
    let files = MemoryFileSystem()
    var inserted = true
    var hasFAT = true
    var mounts = 0
    var releases = 0

    func mount() throws(TapWalkerError) -> any DeviceFileSystem {
        guard inserted else { throw TapWalkerError(.input, "no SD card is inserted") }
        guard hasFAT else { throw TapWalkerError(.data, "the card holds no FAT file system") }
        mounts += 1
        return files
    }

    func unmount() throws(TapWalkerError) { releases += 1 }
}

/// The card's raw blocks in memory.
final class MemoryBlocks: SDCardBlocks {
    var bytes = [UInt8](repeating: 0xEE, count: 64 * 512)
    var blockBytes: Int { 512 }
    func blockCount() throws(TapWalkerError) -> Int { bytes.count / 512 }
    func read(block: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        for i in 0..<buffer.count { buffer[i] = bytes[block * 512 + i] }
    }
    func write(block: Int, _ data: UnsafeRawBufferPointer) throws(TapWalkerError) {
        for i in 0..<data.count { bytes[block * 512 + i] = data[i] }
    }
}

@Suite struct SDCardFilesTests {
    private func tree(_ slot: FakeCardSlot, mount: Bool = true) -> (DeviceFileTree, MemoryFileSystem, SDCardMount) {
        let flash = MemoryFileSystem()
        let sd = SDCardMount(card: slot, mutex: LockMutex())
        if mount { _ = try? sd.mount() }
        return (DeviceFileTree(flash: flash, sd: sd), flash, sd)
    }

    private func write(_ tree: DeviceFileTree, _ path: String, _ text: String) throws {
        let file = try tree.open(path, mode: .write)
        try Array(text.utf8).withBytes { (p) throws(TapWalkerError) in try file.write(p) }
        try file.close()
    }

    @Test("/sd/… goes to the card's file system (any case of sd), everything else to the flash; the root lists sd")
    func routing() throws {
        let slot = FakeCardSlot()
        let (tree, flash, _) = tree(slot)
        try write(tree, "/sd/blink.bit", "card")
        try write(tree, "/SD/Other.bit", "card too")
        try write(tree, "/sdx.bit", "flash")
        try write(tree, "/top.bit", "flash")
        #expect(slot.files.text("/blink.bit") == "card")
        #expect(slot.files.text("/Other.bit") == "card too")
        #expect(flash.text("/sdx.bit") == "flash" && flash.text("/top.bit") == "flash")
        #expect(flash.files["/sd/blink.bit"] == nil)
        let root = try tree.list("/")
        #expect(root.filter { $0.name == "sd" && $0.isDirectory }.count == 1)
        #expect(try tree.info("/sd")?.isDirectory == true)
        #expect(try tree.list("/sd").map(\.name).sorted() == ["/Other.bit", "/blink.bit"])
        try tree.rename("/sd/blink.bit", to: "/sd/b.bit")
        #expect(slot.files.text("/b.bit") == "card")
        #expect(throws: TapWalkerError.self) { try tree.rename("/sd/b.bit", to: "/b.bit") }
        #expect(slot.files.text("/b.bit") == "card", "a rename across the two file systems changes nothing")
        #expect(throws: TapWalkerError.self) { try tree.remove("/sd") }
        try tree.remove("/sd/b.bit")
        #expect(slot.files.files["/b.bit"] == nil)
    }

    @Test("a released card: /sd answers why, the flash goes on; mounting again brings the files back")
    func released() throws {
        let slot = FakeCardSlot()
        let (tree, _, sd) = tree(slot)
        try write(tree, "/sd/a.bit", "x")
        #expect(try sd.unmount().contains("released"))
        #expect(slot.releases == 1)
        #expect(!sd.isMounted)
        do {
            _ = try tree.list("/sd")
            Issue.record("a released card was listed")
        } catch {
            #expect(error.message.contains("not mounted") && error.message.contains("MOUNT"))
        }
        try write(tree, "/still.bit", "flash works")
        #expect(sd.state.contains("not mounted"))
        #expect(try sd.mount().contains("mounted at /sd"))
        #expect(try tree.info("/sd/a.bit")?.size == 1)
        #expect(sd.state == "SD card: mounted at /sd")
    }

    @Test("no card, or a card without FAT: the mount says which, /sd says so, the rest of the tree works")
    func missingCardOrFAT() throws {
        for (inserted, hasFAT, words) in [(false, true, "no SD card"), (true, false, "no FAT")] {
            let slot = FakeCardSlot()
            slot.inserted = inserted
            slot.hasFAT = hasFAT
            let (tree, flash, sd) = tree(slot, mount: false)
            do {
                _ = try sd.mount()
                Issue.record("mounted without a card or FAT")
            } catch {
                #expect(error.message.contains(words))
            }
            #expect(sd.state.contains(words))
            do {
                _ = try tree.open("/sd/x.bit", mode: .read)
                Issue.record("opened a file on a card that is not mounted")
            } catch {
                #expect(error.message.contains(words))
            }
            try write(tree, "/top.bit", "ok")
            #expect(flash.text("/top.bit") == "ok")
        }
    }

    @Test("a raw sd@ write releases the mounted file system first, mounts it again after, and says so")
    func rawWriteRemounts() throws {
        let slot = FakeCardSlot()
        let sd = SDCardMount(card: slot, mutex: LockMutex())
        _ = try sd.mount()
        let blocks = MemoryBlocks()
        let card = DeviceSDCard(blocks: blocks, files: sd)
        let board = BoardService(cable: SimulatedBoard(part: "85f").sim, lock: JobLock(mutex: LockMutex()), sdCard: card, clock: HostClock())
        let result = board.writeSD(MemorySource([UInt8](repeating: 7, count: 1024), name: "raw"), offset: 512)
        #expect(result.failure == nil)
        #expect(blocks.bytes[512..<1536].allSatisfy { $0 == 7 } && blocks.bytes[511] == 0xEE)
        #expect(slot.releases == 1 && slot.mounts == 2)
        #expect(sd.isMounted)
        #expect(result.summary.contains("released for the raw write and mounted again"))

        // Not mounted before: left so, and nothing is said about it.
        _ = try sd.unmount()
        let plain = board.writeSD(MemorySource([UInt8](repeating: 8, count: 512), name: "raw"), offset: 0)
        #expect(plain.failure == nil && plain.fileSystem == nil)
        #expect(!sd.isMounted && slot.mounts == 2)

        // The card lost its FAT to the write: the write stands, and the summary says why /sd is gone.
        _ = try sd.mount()
        slot.hasFAT = false
        let wiped = board.writeSD(MemorySource([UInt8](repeating: 9, count: 512), name: "raw"), offset: 0)
        #expect(wiped.failure == nil)
        #expect(wiped.summary.contains("could not be mounted again") && wiped.summary.contains("no FAT"))
        #expect(!sd.isMounted && sd.state.contains("no FAT"))
    }

    @Test("an empty slot: raw writes are refused saying so, nothing is written")
    func emptySlot() {
        let card = DeviceSDCard(blocks: nil, files: nil)
        let board = BoardService(cable: SimulatedBoard(part: "85f").sim, lock: JobLock(mutex: LockMutex()), sdCard: card, clock: HostClock())
        let result = board.writeSD(MemorySource([1, 2, 3], name: "raw"), offset: 0)
        #expect(result.failure?.message.contains("no SD card") == true)
        #expect(result.written.isEmpty)
    }
}
