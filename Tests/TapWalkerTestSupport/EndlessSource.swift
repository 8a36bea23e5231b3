import TapWalkerCore

/// An input that never ends: `prefix`, then `fill` forever, and no announced size — what a
/// stream that keeps sending looks like to a reader that must bound it.
public final class EndlessSource: ByteSource {
    public let prefix: [UInt8]
    public let fill: UInt8
    public private(set) var served = 0

    public init(_ prefix: [UInt8], then fill: UInt8) {
        self.prefix = prefix
        self.fill = fill
    }

    public var totalBytes: Int? { nil }
    public var name: String { "endless.bit" }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        for i in 0..<buffer.count { buffer[i] = served + i < prefix.count ? prefix[served + i] : fill }
        served += buffer.count
        return buffer.count
    }
}
