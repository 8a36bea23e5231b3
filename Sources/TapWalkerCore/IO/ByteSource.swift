/// A stream of input bytes: a file, standard input, a network download, or memory.
///
/// Programmers pull from it in chunks so that no input ever has to be held whole in memory.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns how many, 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int
    /// The total size if known in advance (files), for progress and ETA.
    var totalBytes: Int? { get }
    /// How to name the input in messages ("blink.bit", "standard input").
    var name: String { get }
    /// The compressed container this source decodes (gzip, zlib), told by its first bytes (read
    /// now if they were not yet) before the decoder's memory is allocated, so that a device can
    /// admit that memory first (docs/memory-admission.md); nil for plain input. A source that
    /// decodes nothing answers nil without reading.
    func compressedFormat() throws(TapWalkerError) -> CompressedStream.Format?
}

extension ByteSource {
    public func compressedFormat() throws(TapWalkerError) -> CompressedStream.Format? { nil }
}

extension ByteSource {
    /// Reads the whole stream into memory, for the few jobs that need it at once (a flash image).
    /// Stops with `tooLarge` as soon as more than `limit` bytes arrive, so a runaway input cannot
    /// exhaust memory. Reads straight into the array, no chunk buffer besides it: the array is
    /// sized for `totalBytes` (and one byte more, to see the end) when that is known, else it grows
    /// by doubling from 4 KB, never past one byte over `limit`.
    public func readAll(limit: Int, tooLarge: TapWalkerError) throws(TapWalkerError) -> [UInt8] {
        var all: [UInt8] = []
        var count = 0
        while true {
            if count == all.count {
                var grow = min(max(4096, all.count), limit + 1 - all.count)
                if all.isEmpty, let total = totalBytes, total < limit { grow = total + 1 }
                all.reserveCapacity(all.count + grow)
                all.append(contentsOf: repeatElement(0, count: grow))
            }
            let n = try all.withMutableBytes { (p) throws(TapWalkerError) in
                try read(into: UnsafeMutableRawBufferPointer(rebasing: p[count...]))
            }
            if n == 0 {
                all.removeLast(all.count - count)
                return all
            }
            count += n
            if count > limit { throw tooLarge }
        }
    }
}

/// Bytes already in memory (tests, the embedded check, small payloads).
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    public let name: String

    public init(_ bytes: [UInt8], name: String = "memory") {
        self.bytes = bytes
        self.name = name
    }

    public var totalBytes: Int? { bytes.count }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { all in
            UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: all[position..<(position + n)]))
        }
        position += n
        return n
    }
}
