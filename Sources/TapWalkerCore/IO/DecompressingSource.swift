/// A `ByteSource` that decompresses gzip and zlib input transparently and passes anything else
/// through unchanged. The format is recognised by content (the first bytes, see
/// `CompressedStream.detect`), never by name: an ECP5 bitstream starts FF 00 or FF FF BD B3 and
/// matches neither.
///
/// `name` is the inner source's name. `totalBytes` is the inner total for plain input and nil for
/// compressed input (the decompressed size is not known in advance).
///
/// Memory: 16 bytes for the sniffed prefix; when compressed, the decoder's (about 39 KB for gzip,
/// 6.4 KB + the declared window for zlib, 10.5 KB for a 4 KB window; see `Inflater`), read straight
/// from the inner source into the decoder's input buffer (`inputCapacity`, 1 KB) without another copy.
public final class DecompressingSource: ByteSource {
    private let inner: ByteSource
    private var prefix: [UInt8] = []
    private var prefixPos = 0
    private var sniffed = false
    private var innerEnded = false
    private var stream: CompressedStream?
    private let windowBits: Int
    private let inputCapacity: Int

    /// `windowBits`: the window for gzip streams (15 = 32 KB, what gzip writes; smaller saves memory
    /// but refuses streams that reach further back). zlib streams declare their own.
    public init(_ inner: ByteSource, windowBits: Int = 15, inputCapacity: Int = 1024) {
        self.inner = inner
        self.windowBits = windowBits
        self.inputCapacity = inputCapacity
    }

    public var name: String { inner.name }

    public var totalBytes: Int? {
        if stream != nil { return nil }
        return inner.totalBytes
    }

    /// The container found (nil: plain input, or not yet looked at). Reading once decides it.
    public var format: CompressedStream.Format? { stream?.format }

    /// Reads the first bytes and decides; called by the first `read`.
    public func sniff() throws(TapWalkerError) {
        if sniffed { return }
        sniffed = true
        prefix = [UInt8](repeating: 0, count: 3)
        var have = 0
        while have < 3 {
            let n = try prefix.withMutableBytes { (p) throws(TapWalkerError) -> Int in
                try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: p[have...]))
            }
            if n == 0 { innerEnded = true; break }
            have += n
        }
        prefix.removeLast(3 - have)
        let format = prefix.withUnsafeBytes { CompressedStream.detect($0) }
        guard let format else { return }
        let s = CompressedStream(format: format, windowBits: windowBits, inputCapacity: inputCapacity)
        _ = prefix.withUnsafeBytes { s.feed($0) }
        prefix = []
        stream = s
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        try sniff()
        guard let stream else {
            // Plain input: the sniffed bytes first, then straight from the inner source.
            if prefixPos < prefix.count {
                let n = min(buffer.count, prefix.count - prefixPos)
                prefix.withUnsafeBytes { p in
                    UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: p[prefixPos..<(prefixPos + n)]))
                }
                prefixPos += n
                return n
            }
            if innerEnded { return 0 }
            return try inner.read(into: buffer)
        }
        var declaredEnd = false
        while true {
            let n = try stream.read(into: buffer)
            if n > 0 || stream.isFinished { return n }
            if innerEnded {
                // The decoder throws on truncation once told the input ended; never spin.
                if declaredEnd { throw TapWalkerError(.data, "compressed input \(inner.name) ends early") }
                stream.finishInput()
                declaredEnd = true
                continue
            }
            if stream.inputSpace == 0 { throw TapWalkerError(.data, "compressed input \(inner.name): the decoder made no progress") }
            if try stream.fill(from: inner) == 0 { innerEnded = true }
        }
    }
}
