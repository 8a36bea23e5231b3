import TapWalkerCore

/// Delivers an input only up to `limit` bytes (the room left before the end of the flash or the
/// start of a protected range) and notes whether the input went on past it, so that a stream that
/// runs past the end stops there and the job can say exactly what was written.
final class RegionLimitedSource: ByteSource {
    private let inner: any ByteSource
    private let limit: Int
    private(set) var delivered = 0
    private(set) var cut = false

    init(_ inner: any ByteSource, limit: Int) {
        self.inner = inner
        self.limit = limit
    }

    var name: String { inner.name }
    var totalBytes: Int? { inner.totalBytes.map { min($0, limit) } }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        let room = limit - delivered
        if room <= 0 {
            if !cut {
                // One byte more tells whether the input goes on past the region.
                var probe: UInt8 = 0
                let n = try withUnsafeMutableBytes(of: &probe) { (p) throws(TapWalkerError) in try inner.read(into: p) }
                cut = n > 0
            }
            return 0
        }
        let n = try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, room)]))
        delivered += n
        return n
    }
}
