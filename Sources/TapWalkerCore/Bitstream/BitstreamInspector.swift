/// Reads a whole bitstream as the device would and reports what it holds and its first problem.
/// Streaming: memory use is a few kilobytes whatever the input size.
public struct BitstreamInfo: Sendable {
    public var name: String
    /// Strings of the comment header ("Part: …"), empty if the header was stripped.
    public var headerStrings: [String] = []
    public var bytes = 0
    public var preambleOffset: Int?
    /// The IDCODE in VERIFY_ID and the part it names.
    public var idcode: UInt32?
    public var part: Part?
    public var compressed = false
    public var frames = 0
    public var usercode: UInt32?
    public var ebrWrites = 0
    public var ebrFrames = 0
    public var crcChecks = 0
    public var programDone = false
    public var commandsAfterDone = 0
    /// The first problem: the device's own verdict (with a BSE code), or with `code == .none` one the
    /// device has no code for: an incomplete stream (it would not raise DONE), or input longer than
    /// the part's `maximumBitstreamBytes` (the checker stops there).
    public var problem: ConfigurationEngine.Problem?

    public var isValid: Bool { problem == nil }

    /// The value of a header string such as "Part" ("Part: LFE5U-85F-6CABGA381" → "LFE5U-85F-6CABGA381").
    public func header(_ key: String) -> String? {
        let prefix = Array(key.utf8) + Array(": ".utf8)
        for s in headerStrings {
            let b = Array(s.utf8)
            if b.starts(with: prefix) { return String(decoding: b[prefix.count...], as: UTF8.self) }
        }
        return nil
    }

    /// Why this input is not a bitstream at all (empty, or no preamble), as an input error; nil if
    /// it is one (valid or not).
    public var notABitstream: TapWalkerError? {
        if bytes == 0 { return TapWalkerError(.input, "\(name) is empty; nothing was written") }
        if preambleOffset == nil {
            return TapWalkerError(.input, "\(name) is not an ECP5 bitstream: no preamble (FF FF BD B3) in its \(bytes) bytes; nothing was written")
        }
        return nil
    }
}

public enum BitstreamInspector {
    /// Feeds `source` through a configuration engine, as the device `part` would take it (its
    /// IDCODE must match VERIFY_ID), or with `part` nil taking the part from VERIFY_ID.
    ///
    /// The whole check before anything is erased: reads until the first problem or the end, and never
    /// past the part's `maximumBitstreamBytes`, so endless or exploding input ends in bounded time
    /// and memory (`bytes` then tells how far it read).
    public static func inspect(_ source: any ByteSource, for part: Part? = nil, progress: ProgressHandler? = nil)
        throws(TapWalkerError) -> BitstreamInfo
    {
        let tracker = Tracker(name: source.name, part: part)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while !tracker.stopped {
            let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) in try source.read(into: p) }
            if n == 0 { break }
            buffer.withUnsafeBytes { tracker.consume(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            progress?(Progress(phase: "reading", done: tracker.bytes, total: source.totalBytes))
        }
        return tracker.finish()
    }

    /// Incremental form, for callers that already stream the bytes somewhere (the SRAM programmer).
    public final class Tracker {
        let name: String
        let engine: ConfigurationEngine
        var header = BitstreamHeaderReader()
        public private(set) var bytes = 0

        /// `part`: the device the bitstream is for (VERIFY_ID must name it); nil takes it from VERIFY_ID.
        public init(name: String, part: Part? = nil) {
            self.name = name
            engine = ConfigurationEngine(part: part)
            engine.limitsLength = true
        }

        public var engineState: ConfigurationEngine { engine }

        /// A problem was found: more input cannot make the bitstream valid.
        public var stopped: Bool { engine.problem != nil }

        public func consume(_ chunk: UnsafeRawBufferPointer) {
            if !header.finished { for b in chunk { header.consume(b); if header.finished { break } } }
            engine.consume(chunk)
            bytes += chunk.count
        }

        public func finish() -> BitstreamInfo {
            var info = BitstreamInfo(name: name)
            info.headerStrings = header.strings
            info.bytes = bytes
            info.preambleOffset = engine.preambleOffset
            info.idcode = engine.verifiedID
            info.part = engine.part
            info.compressed = engine.compressed
            info.frames = engine.framesWritten
            info.usercode = engine.userCode
            info.ebrWrites = engine.ebrWrites
            info.ebrFrames = engine.ebrFramesWritten
            info.crcChecks = engine.crcChecks
            info.programDone = engine.programDone
            info.commandsAfterDone = engine.commandsAfterDone
            info.problem = engine.problem ?? incompleteness()
            return info
        }

        private func incompleteness() -> ConfigurationEngine.Problem? {
            if engine.preambleOffset == nil {
                return .init(code: .preamble, offset: bytes, frame: nil, message: "no preamble (FF FF BD B3) found")
            }
            guard let part = engine.part else {
                return .init(code: .none, offset: bytes, frame: nil, message: "ends before VERIFY_ID")
            }
            if engine.framesWritten < part.frames {
                return .init(code: .none, offset: bytes, frame: nil,
                             message: "ends after \(engine.framesWritten) of \(part.frames) frames (truncated)")
            }
            if !engine.programDone {
                return .init(code: .none, offset: bytes, frame: nil, message: "ends before ISC_PROGRAM_DONE (truncated)")
            }
            return nil
        }
    }
}
