import TapWalkerCore

/// The blocks a FAT volume lives on: an SD card's 512-byte blocks (an image file on the virtual
/// ESP32). The volume reads and writes one sector at a time, never the whole device.
public protocol FATSectors: AnyObject {
    /// The device's size in 512-byte sectors.
    func sectorCount() throws(TapWalkerError) -> Int
    /// Reads one 512-byte sector into `buffer` (512 bytes).
    func read(sector: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError)
    /// Writes one 512-byte sector from `bytes` (512 bytes).
    func write(sector: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError)
}
