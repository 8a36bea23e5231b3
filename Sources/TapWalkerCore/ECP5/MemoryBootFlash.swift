/// A flash image in memory for `ColdBoot`: a few regions of bytes, 0xFF elsewhere. Used to check a
/// layout before it is written.
public final class MemoryBootFlash: BootFlash {
    public let bootFlashSize: Int
    private let pieces: [(Int, [UInt8])]

    public init(size: Int, pieces: [(Int, [UInt8])]) {
        bootFlashSize = size
        self.pieces = pieces
    }

    public func bootRead(from address: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        for i in 0..<buffer.count {
            let a = (address + i) % bootFlashSize
            var b: UInt8 = 0xFF
            for (at, bytes) in pieces where a >= at && a < at + bytes.count { b = bytes[a - at] }
            buffer[i] = b
        }
    }
}
