import Foundation
import TapWalkerCore
import TapWalkerDevice
import TapWalkerFAT
import TapWalkerTestSupport
import Testing

/// A card's blocks in memory, as `SDCardBlocks` gives them to the device (the chip's sectors,
/// the virtual ESP32's image).
private final class MemoryBlocks: SDCardBlocks {
    var bytes: [UInt8]
    let blockBytes = 512
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func blockCount() throws(TapWalkerError) -> Int { bytes.count / blockBytes }
    func read(block: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        let start = block * blockBytes
        guard start >= 0, start + buffer.count <= bytes.count else { throw TapWalkerError(.device, "past the card's end") }
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + buffer.count)])) }
    }
    func write(block: Int, _ data: UnsafeRawBufferPointer) throws(TapWalkerError) {
        let start = block * blockBytes
        guard start >= 0, start + data.count <= bytes.count else { throw TapWalkerError(.device, "past the card's end") }
        for i in 0..<data.count { bytes[start + i] = data[i] }
    }
}

private final class Counter { var count = 0 }

extension DeviceFile {
    func read(into bytes: inout [UInt8]) throws(TapWalkerError) -> Int {
        try bytes.withMutableBytes { (b) throws(TapWalkerError) -> Int in try read(into: b) }
    }
    func write(_ bytes: [UInt8]) throws(TapWalkerError) {
        try bytes.withBytes { (b) throws(TapWalkerError) in try write(b) }
    }
}

@Suite("FATCard: the card's FAT as the device's /sd")
struct FATCardTests {
    @Test("files mcopy put on the card are listed and read through the device's file system; a file written there is mcopy's after release, and fsck finds nothing wrong")
    func roundTrip() throws {
        let image = try FATImage(fat: 16, megabytes: 16)
        try image.put(Array("hello from mtools\n".utf8), as: "/hello.txt")
        let blocks = MemoryBlocks([UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path))))
        let opened = Counter()
        let card = FATCard(mutex: NoMutex()) { () throws(TapWalkerError) -> any SDCardBlocks in
            opened.count += 1
            return blocks
        }
        let files = try card.mount()
        #expect(opened.count == 1)
        #expect(try files.list("/").map(\.name) == ["hello.txt"])
        let hello = try files.open("/hello.txt", mode: .read)
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = try hello.read(into: &buffer)
        try hello.close()
        #expect(Array(buffer[..<n]) == Array("hello from mtools\n".utf8))
        let written = pattern(5000, seed: 7)
        try files.makeDirectory("/bits")
        let file = try files.open("/bits/a long name.bin", mode: .write)
        try file.write(written)
        try file.close()
        try card.unmount()
        try Data(blocks.bytes).write(to: URL(fileURLWithPath: image.path))
        #expect(try image.get("/bits/a long name.bin") == written)
        try image.fsck()
        // Mounted again, the card is asked for its blocks again (a card put in later is found).
        _ = try card.mount()
        #expect(opened.count == 2)
    }

    @Test("a slot without a card says the board support's words; a card without FAT says so")
    func refusals() {
        let empty = FATCard(mutex: NoMutex()) { () throws(TapWalkerError) -> any SDCardBlocks in
            throw TapWalkerError(.input, "no SD card answered in the slot")
        }
        do throws(TapWalkerError) {
            _ = try empty.mount()
            Issue.record("an empty slot was mounted")
        } catch {
            #expect(error.message == "no SD card answered in the slot")
        }
        let blank = FATCard(mutex: NoMutex()) { () throws(TapWalkerError) -> any SDCardBlocks in MemoryBlocks([UInt8](repeating: 0, count: 1 << 20)) }
        do throws(TapWalkerError) {
            _ = try blank.mount()
            Issue.record("a card of zeros was mounted")
        } catch {
            #expect(error.message.contains("no FAT file system"), "\(error.message)")
        }
    }
}
