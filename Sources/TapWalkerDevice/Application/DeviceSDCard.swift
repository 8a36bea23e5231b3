import TapWalkerCore
import TapWalkerServices

/// The SD card's blocks as the board service's card for raw writes (`STOR sd@ADDR`, PUT /api/sd).
/// The board service writes whole 512-byte blocks at block boundaries (it merges a partial last
/// block with what the card held), so offsets map straight onto block numbers.
public final class DeviceSDCard: SDCard {
    /// nil: the slot is empty (a card may be mounted later through `files`).
    public let blocks: (any SDCardBlocks)?
    /// The card's file system, when the board mounts one.
    public let files: SDCardMount?

    public init(blocks: (any SDCardBlocks)?, files: SDCardMount? = nil) {
        self.blocks = blocks
        self.files = files
    }

    public var name: String { "sd" }

    public func size() throws(TapWalkerError) -> Int {
        let blocks = try inserted()
        // On a 32-bit chip a card of 2 GB or more has more bytes than an Int holds: refused
        // rather than trapped, since offsets from its end could not be reached either.
        let (bytes, overflow) = try blocks.blockCount().multipliedReportingOverflow(by: blocks.blockBytes)
        guard !overflow else {
            throw TapWalkerError(.device, "sd: the card is larger than this device's byte offsets reach (\(Int.max / 1024 / 1024) MB); nothing was written")
        }
        return bytes
    }

    public func write(at offset: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try inserted().write(block: try block(offset, bytes.count), bytes)
    }

    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        try inserted().read(block: try block(offset, buffer.count), into: buffer)
    }

    private func inserted() throws(TapWalkerError) -> any SDCardBlocks {
        guard let blocks else { throw TapWalkerError(.input, "no SD card was found in the slot when the device started; nothing was written") }
        return blocks
    }

    /// The driver writes through; nothing is held back here.
    public func flush() throws(TapWalkerError) {}

    public func mount() throws(TapWalkerError) -> String {
        guard let files else { return "this board does not mount the SD card's file system; raw writes go to its blocks" }
        return try files.mount()
    }

    public func unmount() throws(TapWalkerError) -> String {
        guard let files else { return "this board does not mount the SD card's file system; nothing to release" }
        return try files.unmount()
    }

    public var fileSystemMounted: Bool { files?.isMounted ?? false }

    private func block(_ offset: Int, _ count: Int) throws(TapWalkerError) -> Int {
        let size = try inserted().blockBytes
        guard size > 0, offset >= 0, offset % size == 0, count % size == 0 else {
            throw TapWalkerError(.usage, "sd: \(count) bytes at \(offset) are not whole \(size)-byte blocks; nothing was written")
        }
        return offset / size
    }
}
