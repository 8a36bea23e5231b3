/// One SPI transaction at a time: CS low, bytes out (MSB first), bytes in, CS high.
/// Implemented over JTAG by `ECP5SPIBridge`; on the ESP32 it could be the SPI peripheral directly.
public protocol SPIBus: AnyObject {
    /// Sends `command`, then clocks `readCount` more bytes (MOSI low) and returns what came back
    /// during those. CS stays low for the whole transaction.
    func transfer(_ command: [UInt8], readCount: Int) throws(TapWalkerError) -> [UInt8]
    /// As `transfer(_:readCount:)` with `into.count` bytes read into `into`: a bulk read that
    /// allocates nothing per call (the flash writer reads every sector this way).
    func transfer(_ command: [UInt8], into: UnsafeMutableRawBufferPointer) throws(TapWalkerError)
    /// Lets time pass (flash operations complete in their own time).
    func wait(microseconds: UInt32) throws(TapWalkerError)
}

extension SPIBus {
    public func transfer(_ command: [UInt8], into: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        let got = try transfer(command, readCount: into.count)
        for i in 0..<got.count { into[i] = got[i] }
    }
}
