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
}

extension ByteSource {
    /// Reads the whole stream into memory, for the few jobs that need it at once (a flash image).
    /// Stops with `tooLarge` as soon as more than `limit` bytes arrive, so a runaway input cannot
    /// exhaust memory.
    public func readAll(limit: Int, tooLarge: TapWalkerError) throws(TapWalkerError) -> [UInt8] {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try chunk.withMutableBytes { (p) throws(TapWalkerError) in try read(into: p) }
            if n == 0 { return all }
            all += chunk[0..<n]
            if all.count > limit { throw tooLarge }
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
