import TapWalkerCore

/// An input whose first bytes were read ahead (up to a bound) so that they can be checked before
/// the board is touched, then delivered again followed by the rest of the input. When the input
/// ended within the bound, `complete` is true and `prefix` is all of it: the job can check it whole.
/// A checker can follow every byte delivered (`tracker`), so an input too large to hold is still
/// checked on its way through.
public final class PrefetchedSource: ByteSource {
    public let prefix: [UInt8]
    public let complete: Bool
    private let rest: any ByteSource
    private var position = 0
    public let tracker: BitstreamInspector.Tracker?

    /// Reads up to `limit` bytes of `source` ahead (one more tells whether the input goes on).
    public init(_ source: any ByteSource, limit: Int, track: Bool) throws(TapWalkerError) {
        rest = source
        // Read straight into the held bytes, a sector at a time: a small bound (a device's) costs
        // no more than itself, with no second buffer.
        var held: [UInt8] = []
        held.reserveCapacity(min(limit + 1, 65536 + 1))
        var ended = false
        while held.count <= limit {
            let want = min(FlashChip.sectorSize, limit + 1 - held.count)
            let at = held.count
            held.append(contentsOf: repeatElement(0, count: want))
            let n = try held.withMutableBytes { (p) throws(TapWalkerError) in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: p[at..<(at + want)]))
            }
            held.removeLast(want - n)
            if n == 0 { ended = true; break }
        }
        prefix = held
        complete = ended
        tracker = track ? BitstreamInspector.Tracker(name: source.name) : nil
    }

    public var name: String { rest.name }
    public var totalBytes: Int? { complete ? prefix.count : rest.totalBytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        var n = 0
        if position < prefix.count {
            n = min(buffer.count, prefix.count - position)
            prefix.withUnsafeBytes { p in
                buffer.baseAddress!.copyMemory(from: p.baseAddress! + position, byteCount: n)
            }
        } else if !complete {
            n = try rest.read(into: buffer)
        }
        position += n
        if let tracker, n > 0 { tracker.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
        return n
    }

    /// The prefix checked as a bitstream: the whole input when `complete`, else its first bytes.
    public func inspectPrefix() -> BitstreamInfo {
        let tracker = BitstreamInspector.Tracker(name: name)
        prefix.withUnsafeBytes { tracker.consume($0) }
        return tracker.finish()
    }
}
