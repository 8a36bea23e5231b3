import TapWalkerCore

/// Path confinement, the part that needs no file system: every path a client names is resolved
/// against its working directory into an absolute path of the store ("/", "/a/b.bit") with "." and
/// ".." applied. A ".." that would climb above the root is refused, not clamped, so that a client
/// learns it cannot. The store implementation also keeps symbolic links from leading out.
public enum StorePath {
    /// `argument` resolved in `directory` (itself absolute and normalised).
    public static func resolve(_ argument: [UInt8], in directory: [UInt8]) throws(TapWalkerError) -> [UInt8] {
        let slash = UInt8(ascii: "/")
        if argument.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw TapWalkerError(.input, "the path contains control characters; refused")
        }
        let whole = argument.first == slash ? argument : directory + [slash] + argument
        var parts: [ArraySlice<UInt8>] = []
        for part in whole.split(separator: slash, omittingEmptySubsequences: true) {
            if part.count == 1 && part.first == UInt8(ascii: ".") { continue }
            if part.count == 2 && part.allSatisfy({ $0 == UInt8(ascii: ".") }) {
                if parts.isEmpty {
                    throw TapWalkerError(.input, "\(ASCII.printable(argument)) leads outside the served folder; refused")
                }
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        var out: [UInt8] = []
        for p in parts { out.append(slash); out += p }
        return out.isEmpty ? [slash] : out
    }

    /// The last component ("b.bit" of "/a/b.bit"; "/" for the root).
    public static func lastComponent(_ path: [UInt8]) -> [UInt8] {
        guard path.count > 1, let i = path.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return Array(path[(i + 1)...])
    }
}
