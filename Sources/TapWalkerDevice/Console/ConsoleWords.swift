import TapWalkerCore

/// A console line cut into words: blanks separate words; "double quotes" or 'single quotes'
/// group a file name with spaces into one word. Inside double quotes, \" and \\ stand for " and
/// \; single quotes take everything literally. Nothing else is special: no variables, globbing
/// or command substitution, because nothing on the console is executed as code.
public enum ConsoleWords {
    public static func split(_ line: [UInt8]) throws(TapWalkerError) -> [[UInt8]] {
        var words: [[UInt8]] = []
        var word: [UInt8] = []
        var inWord = false
        var i = 0
        while i < line.count {
            let b = line[i]
            i += 1
            switch b {
            case 0x20, 0x09:
                if inWord { words.append(word); word = []; inWord = false }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                inWord = true
                var closed = false
                while i < line.count {
                    let c = line[i]
                    i += 1
                    if c == b { closed = true; break }
                    if b == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") && i < line.count
                        && (line[i] == UInt8(ascii: "\"") || line[i] == UInt8(ascii: "\\")) {
                        word.append(line[i])
                        i += 1
                        continue
                    }
                    word.append(c)
                }
                guard closed else {
                    throw TapWalkerError(.usage, "a quote (\(b == UInt8(ascii: "\"") ? "\"" : "'")) is not closed")
                }
            default:
                guard b >= 0x20 && b != 0x7F else {
                    throw TapWalkerError(.usage, "control character \(ASCII.hex(b)) in the line")
                }
                inWord = true
                word.append(b)
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
