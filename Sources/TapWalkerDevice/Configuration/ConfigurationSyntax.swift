import TapWalkerCore

/// The line grammar of tapwalker.conf: `[section]`, `key = value`, blank lines and `#` comments.
/// A `#` at the start of a line, or after a space or tab, starts a comment; a value that must
/// hold such a `#`, or leading or trailing spaces, is written in double quotes, where `\"` and
/// `\\` stand for `"` and `\`.
public enum ConfigurationSyntax {
    public enum Entry: Equatable {
        case nothing
        case section([UInt8])
        case pair(key: [UInt8], value: [UInt8])
    }

    /// One line's meaning; a message (without file and line) when it has none.
    public static func parse(_ line: [UInt8]) throws(TapWalkerError) -> Entry {
        var i = 0
        skipBlanks(line, &i)
        if i == line.count || line[i] == UInt8(ascii: "#") { return .nothing }
        if line[i] == UInt8(ascii: "[") {
            i += 1
            let start = i
            while i < line.count && isNameByte(line[i]) { i += 1 }
            let name = Array(line[start..<i])
            guard !name.isEmpty, i < line.count, line[i] == UInt8(ascii: "]") else {
                throw TapWalkerError(.input, "a section header is [name] with letters, digits and _")
            }
            i += 1
            try expectEnd(line, i)
            return .section(name)
        }
        let start = i
        while i < line.count && isNameByte(line[i]) { i += 1 }
        let key = Array(line[start..<i])
        skipBlanks(line, &i)
        guard !key.isEmpty, i < line.count, line[i] == UInt8(ascii: "=") else {
            throw TapWalkerError(.input, "expected key = value, with a key of letters, digits and _")
        }
        i += 1
        skipBlanks(line, &i)
        if i < line.count && line[i] == UInt8(ascii: "\"") {
            i += 1
            var value: [UInt8] = []
            while true {
                guard i < line.count else {
                    throw TapWalkerError(.input, "\(text(key)): the quoted value has no closing \"")
                }
                let b = line[i]
                i += 1
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") {
                    guard i < line.count, line[i] == UInt8(ascii: "\"") || line[i] == UInt8(ascii: "\\") else {
                        throw TapWalkerError(.input, "\(text(key)): in a quoted value only \\\" and \\\\ are escapes")
                    }
                    value.append(line[i])
                    i += 1
                    continue
                }
                value.append(b)
            }
            do { try expectEnd(line, i) } catch { throw TapWalkerError(.input, "\(text(key)): \(error.message)") }
            return .pair(key: key, value: value)
        }
        var end = i
        while end < line.count {
            if line[end] == UInt8(ascii: "#") && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { break }
            end += 1
        }
        while end > i && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
        return .pair(key: key, value: Array(line[i..<end]))
    }

    /// Bytes as text for a message.
    public static func text(_ bytes: [UInt8]) -> String { ASCII.printable(bytes) }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }

    private static func skipBlanks(_ line: [UInt8], _ i: inout Int) {
        while i < line.count && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
    }

    /// Only blanks and a comment may follow.
    private static func expectEnd(_ line: [UInt8], _ start: Int) throws(TapWalkerError) {
        var i = start
        skipBlanks(line, &i)
        guard i == line.count || (line[i] == UInt8(ascii: "#") && i > start) else {
            throw TapWalkerError(.input, "unexpected text after the end: \(text(Array(line[i...])))")
        }
    }
}
