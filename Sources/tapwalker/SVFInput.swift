import TapWalkerCore
import TapWalkerPlatform

/// SVF (Serial Vector Format) is a vendor-neutral text file of JTAG vectors: "shift these bits into
/// IR, these into DR, expect these back, wait this long". `tapwalker svf` plays it; the bitstream
/// commands (`prog`, `info`, `flash write|verify`) take bitstreams, which they check before the
/// board is touched, and an SVF holds none. ecppack writes one next to each .bit, so handing them
/// the wrong one of the pair is an easy mistake: it is refused by name or by content, before the
/// cable is opened, with a message that names `tapwalker svf`.
enum SVFInput {
    /// The statements of the Serial Vector Format Specification (ASSET InterTech), any of
    /// which can come first in a file.
    static let commands: Set<String> = [
        "ENDDR", "ENDIR", "FREQUENCY", "HDR", "HIR", "PIO", "PIOMAP", "RUNTEST", "SDR", "SIR",
        "STATE", "TDR", "TIR", "TRST",
    ]

    /// How many leading bytes `looksLikeSVF` reads: enough for a long comment header.
    static let sniffLength = 4096

    /// The refusal, exit code 2: what SVF is and which command plays it.
    static func refusal(_ name: String) -> TapWalkerError {
        TapWalkerError(.input, """
            \(name) is an SVF file: a list of JTAG vectors to play, not a bitstream. Play it with \
            `tapwalker svf \(name)`, or give this command the .bit the SVF was made from. Nothing was written.
            """)
    }

    /// True for a name ending in .svf or .svf.gz (any case).
    static func hasSVFName(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".svf") || lower.hasSuffix(".svf.gz")
    }

    /// True when `prefix` (the first bytes of an input, decompressed) is SVF text: printable ASCII
    /// whose first statement after comments (`!`, `//`) is an SVF command, or comments only so far.
    static func looksLikeSVF(_ prefix: ArraySlice<UInt8>) -> Bool {
        guard !prefix.isEmpty else { return false }
        for b in prefix where !(b >= 0x20 && b < 0x7F) && b != 9 && b != 10 && b != 13 { return false }
        var lines = prefix.split(separator: 10, omittingEmptySubsequences: true)
        // The last line may be cut off by the prefix's end; it still counts if it is a comment.
        while let line = lines.first {
            lines.removeFirst()
            let text = String(decoding: line, as: UTF8.self).trimmingWhitespace
            if text.isEmpty { continue }
            if text.hasPrefix("!") || text.hasPrefix("//") { continue }
            let word = text.prefix { $0 != " " && $0 != "\t" && $0 != ";" && $0 != "\r" }.uppercased()
            return commands.contains(word)
        }
        // Only comments: SVF's comment syntax on text that is not a bitstream.
        return prefix.first == UInt8(ascii: "!") || prefix.starts(with: Array("//".utf8))
    }

    /// Refuses `path` by name, or by content when it is a regular file that can be read (reading
    /// problems are left to the command, which reports them its own way; a pipe or a device is
    /// not read twice, `openInput` looks at its content). For `validate()`, so that an SVF never
    /// gets as far as the board.
    static func refuse(_ path: String) throws(TapWalkerError) {
        if hasSVFName(path) { throw refusal(path) }
        if path == "-" || HTTPURL.looksLikeURL(path) { return }
        guard let file = try? FileSource(path: RawArguments.path(path)), file.totalBytes != nil else { return }
        let source = DecompressingSource(file)
        var prefix = [UInt8](repeating: 0, count: sniffLength)
        var have = 0
        while have < prefix.count {
            guard let n = try? prefix.withMutableBytes({ (p) throws(TapWalkerError) in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: p[have...]))
            }), n > 0 else { break }
            have += n
        }
        if looksLikeSVF(prefix[0..<have]) { throw refusal(path) }
    }
}

/// An input with its first bytes read ahead (to recognise SVF) and handed out again first.
final class SniffedSource: ByteSource {
    private let inner: any ByteSource
    private var prefix: [UInt8] = []
    private var position = 0

    /// Reads up to `SVFInput.sniffLength` bytes of `inner` and refuses SVF.
    init(_ inner: any ByteSource) throws(TapWalkerError) {
        self.inner = inner
        var buffer = [UInt8](repeating: 0, count: SVFInput.sniffLength)
        var have = 0
        while have < buffer.count {
            let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) in
                try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: p[have...]))
            }
            if n == 0 { break }
            have += n
        }
        buffer.removeLast(buffer.count - have)
        if SVFInput.looksLikeSVF(buffer[...]) { throw SVFInput.refusal(inner.name) }
        prefix = buffer
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

extension String {
    fileprivate var trimmingWhitespace: Substring {
        let s = self.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        var end = s.endIndex
        while end > s.startIndex, [" ", "\t", "\r"].contains(s[s.index(before: end)]) { end = s.index(before: end) }
        return s[s.startIndex..<end]
    }
}
