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
/// The decoder is allocated at the first `read`, not when the format is found (`compressedFormat`),
/// so a device can admit its memory in between (docs/memory-admission.md).
public final class DecompressingSource: ByteSource {
    private let inner: ByteSource
    private var prefix: [UInt8] = []
    private var prefixPos = 0
    private var sniffed = false
    private var innerEnded = false
    /// The container found by `sniff` (nil: plain input, or not yet looked at).
    private var detected: CompressedStream.Format?
    /// The decoder, made at the first read of a compressed input.
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
        if detected != nil { return nil }
        return inner.totalBytes
    }

    /// The container found (nil: plain input, or not yet looked at). Reading once decides it.
    public var format: CompressedStream.Format? { detected }

    public func compressedFormat() throws(TapWalkerError) -> CompressedStream.Format? {
        try sniff()
        return detected
    }

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
        detected = prefix.withUnsafeBytes { CompressedStream.detect($0) }
    }

    /// The decoder for a compressed input, made at its first read with the sniffed bytes fed.
    private func decoder() -> CompressedStream? {
        if let stream { return stream }
        guard let detected else { return nil }
        let s = CompressedStream(format: detected, windowBits: windowBits, inputCapacity: inputCapacity)
        _ = prefix.withUnsafeBytes { s.feed($0) }
        prefix = []
        stream = s
        return s
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        try sniff()
        guard let stream = decoder() else {
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
