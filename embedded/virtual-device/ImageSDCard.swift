import TapWalkerCore
import TapWalkerDevice

/// The SD card as an image file of the host ([virtual] sd_image): its size, a whole number of
/// 512-byte blocks, is the card's. Reads and writes go straight to the file, block by block.
final class ImageSDCard: SDCardBlocks {
    let blockBytes = 512
    let path: String
    private let fd: Int32
    private let blocks: Int

    /// Opens an existing image; throws when it is missing or not whole blocks.
    init(path: String) throws(TapWalkerError) {
        let size = path.withCString { virtual_file_size($0) }
        guard size >= 0 else { throw TapWalkerError(.input, "no SD card: \(path) does not exist") }
        guard size > 0, size % 512 == 0 else {
            throw TapWalkerError(.input, "no SD card: \(path) is \(size) bytes, not a whole number of 512-byte blocks")
        }
        let fd = path.withCString { virtual_open_image($0, 0) }
        guard fd >= 0 else { throw TapWalkerError(.input, "no SD card: cannot open \(path): \(BSD.lastError())") }
        self.path = path
        self.fd = fd
        blocks = Int(size / 512)
    }

    deinit { _ = bsd_close(fd) }

    func blockCount() throws(TapWalkerError) -> Int { blocks }

    func read(block: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        try check(block: block, bytes: buffer.count)
        guard virtual_pread_all(fd, buffer.baseAddress, buffer.count, Int64(block * blockBytes)) == 0 else {
            throw TapWalkerError(.device, "SD card: reading block \(block) failed")
        }
    }

    func write(block: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try check(block: block, bytes: bytes.count)
        guard virtual_pwrite_all(fd, bytes.baseAddress, bytes.count, Int64(block * blockBytes)) == 0 else {
            throw TapWalkerError(.device, "SD card: writing block \(block) failed")
        }
    }

    /// A card takes whole blocks inside it; anything else is the caller's mistake, refused as
    /// the card would refuse it.
    private func check(block: Int, bytes: Int) throws(TapWalkerError) {
        guard bytes % blockBytes == 0 else { throw TapWalkerError(.device, "SD card: \(bytes) bytes is not whole 512-byte blocks") }
        guard block >= 0, block + bytes / blockBytes <= blocks else {
            throw TapWalkerError(.device, "SD card: blocks \(block)..<\(block + bytes / blockBytes) are past its end (\(blocks) blocks)")
        }
    }
}
