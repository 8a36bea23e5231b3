import TapWalkerPlatform

/// The command line's arguments as the bytes the shell passed. Swift decodes `CommandLine.arguments`
/// as UTF-8 and replaces each invalid sequence with U+FFFD, so a file name that is not valid UTF-8
/// (an old Latin-1 name, say) reaches the options with its bytes lost. `path(_:)` finds them again:
/// a path that contains U+FFFD is matched against the arguments that were repaired, and the part
/// that came from one of them gets that argument's original bytes.
enum RawArguments {
    /// One argument that is not valid UTF-8: its scalars as decoded (U+FFFD where invalid) and,
    /// for each scalar, the bytes it came from.
    private struct Repaired {
        let scalars: [Unicode.Scalar]
        let bytes: [[UInt8]]
    }

    private static let repaired: [Repaired] = {
        var found: [Repaired] = []
        for i in 1..<Int(CommandLine.argc) {
            guard let p = CommandLine.unsafeArgv[i] else { continue }
            let raw = Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlenOf(p)))
            var invalid = false
            var scalars: [Unicode.Scalar] = [], bytes: [[UInt8]] = []
            var parser = Unicode.UTF8.ForwardParser()
            var iterator = raw.makeIterator()
            var offset = 0
            loop: while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid(let encoded):
                    scalars.append(Unicode.UTF8.decode(encoded))
                    bytes.append(Array(raw[offset..<(offset + encoded.count)]))
                    offset += encoded.count
                case .error(let length):
                    invalid = true
                    scalars.append("\u{FFFD}")
                    bytes.append(Array(raw[offset..<(offset + length)]))
                    offset += length
                case .emptyInput:
                    break loop
                }
            }
            if invalid { found.append(Repaired(scalars: scalars, bytes: bytes)) }
        }
        return found
    }()

    /// The path's bytes: its UTF-8, except where a part of it came from an argument that was not
    /// valid UTF-8, which gets the argument's bytes back. Paths built from such an argument
    /// (DIR/passthru….bit, PATH.registers) keep the argument's bytes in their own.
    static func path(_ text: String) -> HostPath {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains("\u{FFFD}"), !repaired.isEmpty else { return HostPath(text) }
        var out: [UInt8] = []
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "\u{FFFD}", let (argument, start, end) = longestMatch(scalars, around: i) else {
                out += Array(String(scalars[i]).utf8)
                i += 1
                continue
            }
            // The valid scalars before `i` had the same bytes in the argument; from `i` on, take
            // the argument's bytes.
            for k in (i - start)..<(end - start) { out += argument.bytes[argument.offset + k] }
            i = end
        }
        return HostPath(bytes: out, display: text)
    }

    /// The longest run of `scalars` that contains index `i` and appears in one repaired argument:
    /// that argument with the offset where the run starts in it, and the run's bounds in `scalars`.
    private static func longestMatch(_ scalars: [Unicode.Scalar], around i: Int) -> ((bytes: [[UInt8]], offset: Int), Int, Int)? {
        var best: ((bytes: [[UInt8]], offset: Int), Int, Int)?
        for argument in repaired {
            for (j, s) in argument.scalars.enumerated() where s == "\u{FFFD}" {
                // Align argument index j with path index i and extend both ways.
                var lo = 0
                while i - lo - 1 >= 0, j - lo - 1 >= 0, scalars[i - lo - 1] == argument.scalars[j - lo - 1] { lo += 1 }
                var hi = 1
                while i + hi < scalars.count, j + hi < argument.scalars.count, scalars[i + hi] == argument.scalars[j + hi] { hi += 1 }
                let length = lo + hi
                if best == nil || length > best!.2 - best!.1 {
                    best = ((argument.bytes, j - lo), i - lo, i + hi)
                }
            }
        }
        return best
    }

    private static func strlenOf(_ p: UnsafeMutablePointer<CChar>) -> Int {
        var n = 0
        while p[n] != 0 { n += 1 }
        return n
    }
}
