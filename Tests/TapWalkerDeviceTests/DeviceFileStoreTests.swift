import Testing
import TapWalkerCore
import TapWalkerServices
@testable import TapWalkerDevice

@Suite struct DeviceFileStoreTests {
    private func read(_ source: any ByteSource) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 7)
        while true {
            let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in try source.read(into: p) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    @Test func writesListsReadsFromAnOffsetAndRemoves() throws {
        let files = MemoryFileSystem()
        let store = DeviceFileStore(files: files)
        let writer = try store.openForWriting("/a.bit", append: false)
        try Array("0123456789".utf8).withBytes { (p) throws(TapWalkerError) in try writer.write(p) }
        try writer.close()
        let appender = try store.openForWriting("/a.bit", append: true)
        try Array("ab".utf8).withBytes { (p) throws(TapWalkerError) in try appender.write(p) }
        try appender.close()
        #expect(files.text("/a.bit") == "0123456789ab")
        #expect(try store.info("/a.bit").size == 12)
        #expect(try store.info("/a.bit").name == "a.bit")
        #expect(try store.info("/").isDirectory)
        files.files["/0.bit"] = [1]
        #expect(try store.list("/").map { $0.name } == ["0.bit", "a.bit"])
        let source = try store.openForReading("/a.bit", offset: 8)
        #expect(source.totalBytes == 4)
        #expect(try read(source) == Array("89ab".utf8))
        try store.removeFile("/a.bit")
        #expect(files.files["/a.bit"] == nil)
        #expect(throws: TapWalkerError.self) { try store.removeFile("/a.bit") }
        #expect(throws: TapWalkerError.self) { try store.openForReading("/missing", offset: 0) }
    }

    @Test func renameNeverReplacesAFileAndDirectoriesNeedTheFileSystem() throws {
        let files = MemoryFileSystem()
        let store = DeviceFileStore(files: files)
        files.files["/a"] = [1]
        files.files["/b"] = [2]
        do {
            try store.rename("/a", to: "/b")
            Issue.record("rename over a file was accepted")
        } catch {
            #expect(error.message.contains("/b exists"))
        }
        #expect(files.files["/b"] == [2])
        try store.rename("/a", to: "/c")
        #expect(files.files["/c"] == [1] && files.files["/a"] == nil)
        do {
            try store.makeDirectory("/d")
            Issue.record("the flat file system made a directory")
        } catch {
            #expect(error.message == "the flash file system cannot make directories; /d was not made")
        }
    }

    @Test func theSDCardIsAddressedInWholeBlocks() throws {
        final class Blocks: SDCardBlocks {
            var data = [UInt8](repeating: 0, count: 4 * 512)
            var blockBytes: Int { 512 }
            func blockCount() throws(TapWalkerError) -> Int { 4 }
            func read(block: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
                for i in 0..<buffer.count { buffer[i] = data[block * 512 + i] }
            }
            func write(block: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
                for i in 0..<bytes.count { data[block * 512 + i] = bytes[i] }
            }
        }
        let blocks = Blocks()
        let card = DeviceSDCard(blocks: blocks)
        #expect(try card.size() == 2048)
        try [UInt8](repeating: 7, count: 512).withBytes { (p) throws(TapWalkerError) in try card.write(at: 1024, p) }
        #expect(blocks.data[1024] == 7 && blocks.data[1535] == 7 && blocks.data[1023] == 0 && blocks.data[1536] == 0)
        #expect(throws: TapWalkerError.self) {
            try [UInt8](repeating: 7, count: 512).withBytes { (p) throws(TapWalkerError) in try card.write(at: 100, p) }
        }
        #expect(try card.mount().contains("does not mount the SD card's file system"))
    }
}
