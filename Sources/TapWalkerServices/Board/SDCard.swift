import TapWalkerCore

/// The SD card as a block device for raw images (`STOR sd@ADDR`), and its file system's mount
/// state for SITE MOUNT/UMOUNT. The host maps it to an image file or a block device (`--sd`); the
/// ESP32 to its SD slot.
public protocol SDCard: AnyObject {
    /// How to name the card in messages ("card.img").
    var name: String { get }
    /// The card's size in bytes, a multiple of 512.
    func size() throws(TapWalkerError) -> Int
    func write(at offset: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError)
    /// Fills `buffer` with the card's bytes from `offset` (the block a partial write merges into).
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError)
    /// Makes what was written durable (fsync).
    func flush() throws(TapWalkerError)
    /// Mounts the card's file system under /sd; returns what happened, in a line.
    func mount() throws(TapWalkerError) -> String
    /// Releases the card (before a raw write, or a SITE PROG of a file on it); returns what happened.
    func unmount() throws(TapWalkerError) -> String
}
