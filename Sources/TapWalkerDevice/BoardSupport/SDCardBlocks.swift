import TapWalkerCore

/// Board support: the SD card as 512-byte blocks (raw images, `sd@ADDR` uploads), under its file
/// system. On the chip, ESP-IDF's sdmmc/sdspi host; on the host, an image file.
public protocol SDCardBlocks: AnyObject {
    /// 512: SD cards address 512-byte blocks (SD Physical Layer Simplified Specification).
    var blockBytes: Int { get }
    /// The card's size in blocks; throws when no card is inserted.
    func blockCount() throws(TapWalkerError) -> Int
    /// Reads `buffer.count / blockBytes` blocks starting at `block`.
    func read(block: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError)
    /// Writes whole blocks starting at `block`.
    func write(block: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError)
}
