import TapWalkerCore
import TapWalkerServices

/// The SD card's blocks as the board service's card for raw writes (`STOR sd@ADDR`, PUT /api/sd).
/// The board service writes whole 512-byte blocks at block boundaries (it merges a partial last
/// block with what the card held), so offsets map straight onto block numbers.
public final class DeviceSDCard: SDCard {
    public let blocks: any SDCardBlocks

    public init(blocks: any SDCardBlocks) {
        self.blocks = blocks
    }

    public var name: String { "sd" }

    public func size() throws(TapWalkerError) -> Int {
        try blocks.blockCount() * blocks.blockBytes
    }

    public func write(at offset: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try blocks.write(block: try block(offset, bytes.count), bytes)
    }

    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        try blocks.read(block: try block(offset, buffer.count), into: buffer)
    }

    /// The driver writes through; nothing is held back here.
    public func flush() throws(TapWalkerError) {}

    /// The card's file system is not mounted separately on this device: raw writes go to the
    /// blocks, and there is no /sd directory to release first.
    public func mount() throws(TapWalkerError) -> String {
        "the SD card's file system is not mounted separately on this device; raw writes go to its blocks"
    }

    public func unmount() throws(TapWalkerError) -> String {
        "the SD card's file system is not mounted separately on this device; nothing to release"
    }

    private func block(_ offset: Int, _ count: Int) throws(TapWalkerError) -> Int {
        let size = blocks.blockBytes
        guard size > 0, offset >= 0, offset % size == 0, count % size == 0 else {
            throw TapWalkerError(.usage, "sd: \(count) bytes at \(offset) are not whole \(size)-byte blocks; nothing was written")
        }
        return offset / size
    }
}
