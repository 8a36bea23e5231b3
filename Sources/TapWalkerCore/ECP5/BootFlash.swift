/// The SPI flash as the ECP5 reads it when it boots (master SPI READ): the simulated flash inside
/// the simulator, or the board's flash through the JTAG bridge for the boot check. One seam, so
/// that the cold boot is written once (`ColdBoot`) and both read the same bytes the same way.
public protocol BootFlash: AnyObject {
    /// The flash's size in bytes. A 24-bit READ address wraps at the end of the chip.
    var bootFlashSize: Int { get }
    /// Reads `buffer.count` bytes from `address` (< `bootFlashSize`), wrapping at the end.
    func bootRead(from address: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError)
}

extension SPIFlash: BootFlash {
    public var bootFlashSize: Int { chip.size }

    public func bootRead(from address: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        var done = 0
        while done < buffer.count {
            let at = (address + done) % chip.size
            let n = min(buffer.count - done, chip.size - at, SPIFlash.readTransactionBytes)
            try read(address: at, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + n]))
            done += n
        }
    }
}
