import TapWalkerCore
import TapWalkerPlatform

/// SVF (Serial Vector Format) is a vendor-neutral text file of JTAG vectors: "shift these bits into
/// IR, these into DR, expect these back, wait this long". `tapwalker svf` plays it; the bitstream
/// commands (`prog`, `info`, `flash write|verify`) take bitstreams, which they check before the
/// board is touched, and an SVF holds none. ecppack writes one next to each .bit, so handing them
/// the wrong one of the pair is an easy mistake: it is refused by name or by content, before the
/// cable is opened, with a message that names `tapwalker svf`.
enum SVFInput {
    /// The refusal, exit code 2: what SVF is and which command plays it.
    static func refusal(_ name: String) -> TapWalkerError {
        SVFRecognizer.refusal(name, play: "`tapwalker svf \(name)`")
    }

    /// True for a name ending in .svf or .svf.gz (any case).
    static func hasSVFName(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".svf") || lower.hasSuffix(".svf.gz")
    }

    /// Refuses `path` by name, or by content when it is a regular file that can be read (reading
    /// problems are left to the command, which reports them its own way; a pipe or a download is
    /// not read twice: the board service looks at its content). For `validate()`, so that an SVF
    /// file never gets as far as opening the cable, and the refusal names `tapwalker svf`.
    static func refuse(_ path: String) throws(TapWalkerError) {
        if hasSVFName(path) { throw refusal(path) }
        if path == "-" || HTTPURL.looksLikeURL(path) { return }
        let hostPath = RawArguments.path(path)
        guard hostPath.isRegularFile, let file = try? FileSource(path: hostPath) else { return }
        if SVFRecognizer.looksLikeSVF(firstBytes(DecompressingSource(file))[...]) { throw refusal(path) }
    }

    /// Up to `SVFRecognizer.sniffLength` bytes of `source`, inflated: as many as it gives before
    /// its end or an error (a look-ahead cut short, or a stream that ends early, is judged by what
    /// came).
    static func firstBytes(_ source: DecompressingSource) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: SVFRecognizer.sniffLength)
        var have = 0
        while have < bytes.count {
            guard let n = try? bytes.withMutableBytes({ (p) throws(TapWalkerError) in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: p[have...]))
            }), n > 0 else { break }
            have += n
        }
        bytes.removeLast(bytes.count - have)
        return bytes
    }
}

/// An input whose first bytes are read ahead and handed out again first, refused when they are SVF
/// (decompressed first when the input is gzip or zlib: the board service inflates the input itself,
/// so these bytes go on as they came). For standard input and downloads, which cannot be read twice:
/// the refusal comes before the cable is opened, and names `tapwalker svf`.
final class SniffedSource: ByteSource {
    private let inner: any ByteSource
    private var prefix: [UInt8] = []
    private var position = 0

    init(_ inner: any ByteSource) throws(TapWalkerError) {
        self.inner = inner
        var buffer = [UInt8](repeating: 0, count: SVFRecognizer.sniffLength)
        var have = 0
        while have < buffer.count {
            let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) in
                try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: p[have...]))
            }
            if n == 0 { break }
            have += n
        }
        buffer.removeLast(buffer.count - have)
        prefix = buffer
        // What the job will see first: these bytes, inflated as far as they go.
        let shown = SVFInput.firstBytes(DecompressingSource(MemorySource(buffer, name: inner.name)))
        if SVFRecognizer.looksLikeSVF(shown[...]) { throw SVFInput.refusal(inner.name) }
    }

    var name: String { inner.name }
    var totalBytes: Int? { inner.totalBytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        if position < prefix.count {
            let n = min(buffer.count, prefix.count - position)
            prefix.withUnsafeBytes { p in
                buffer.baseAddress!.copyMemory(from: p.baseAddress! + position, byteCount: n)
            }
            position += n
            return n
        }
        return try inner.read(into: buffer)
    }
}
