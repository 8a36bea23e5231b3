/// Splits SVF text into words, parenthesised hex vectors and statement ends, reading its source in
/// small chunks and counting lines for messages. Comments (`!` or `//` to the end of the line) and
/// white space (line ends included: a statement may span lines) separate words (docs/svf.md §1).
/// Memory: one 1 KB read buffer, a word of at most `maxWordLength` bytes, and the digits of the
/// vector being read (bounded by the caller).
final class SVFTokenizer {
    enum Token: Equatable {
        case word([UInt8])
        case openParenthesis
        case semicolon
        case end
    }

    static let maxWordLength = 64

    private let source: any ByteSource
    private var buffer = [UInt8](repeating: 0, count: 1024)
    private var count = 0
    private var position = 0
    private var pushedBack: UInt8?
    /// The line the last byte read is on (1-based).
    private(set) var line = 1
    /// Bytes read from the source so far, for progress.
    private(set) var bytesRead = 0

    init(_ source: any ByteSource) {
        self.source = source
    }

    var name: String { source.name }
    var totalBytes: Int? { source.totalBytes }

    private func nextByte() throws(TapWalkerError) -> UInt8? {
        if let b = pushedBack {
            pushedBack = nil
            return b
        }
        if position == count {
            count = try buffer.withMutableBytes { (p) throws(TapWalkerError) in try source.read(into: p) }
            position = 0
            bytesRead += count
            if count == 0 { return nil }
        }
        let b = buffer[position]
        position += 1
        if b == 10 { line += 1 }
        return b
    }

    private func pushBack(_ b: UInt8) {
        pushedBack = b
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 || b == 12 || b == 11 }

    func malformed(_ what: String) -> TapWalkerError {
        TapWalkerError(.input, "\(source.name) line \(line): \(what)")
    }

    /// Skips white space and comments; returns the first other byte, nil at the end.
    private func skipBlank() throws(TapWalkerError) -> UInt8? {
        while let b = try nextByte() {
            if SVFTokenizer.isSpace(b) { continue }
            if b == UInt8(ascii: "!") {
                try skipLine()
                continue
            }
            if b == UInt8(ascii: "/") {
                guard try nextByte() == UInt8(ascii: "/") else { throw malformed("a single '/' (comments start with // or !)") }
                try skipLine()
                continue
            }
            return b
        }
        return nil
    }

    private func skipLine() throws(TapWalkerError) {
        while let b = try nextByte(), b != 10 {}
    }

    /// The line the last token began on.
    private(set) var tokenLine = 1

    func next() throws(TapWalkerError) -> Token {
        guard let first = try skipBlank() else { return .end }
        tokenLine = line
        if first == UInt8(ascii: ";") { return .semicolon }
        if first == UInt8(ascii: "(") { return .openParenthesis }
        var word: [UInt8] = [first]
        while let b = try nextByte() {
            if SVFTokenizer.isSpace(b) { break }
            if b == UInt8(ascii: ";") || b == UInt8(ascii: "(") || b == UInt8(ascii: "!") || b == UInt8(ascii: "/") {
                pushBack(b)
                break
            }
            guard word.count < SVFTokenizer.maxWordLength else { throw malformed("a word longer than \(SVFTokenizer.maxWordLength) characters") }
            word.append(b)
        }
        for b in word where b < 0x21 || b > 0x7E || b == UInt8(ascii: ")") {
            throw malformed("unexpected character \(b < 0x21 || b > 0x7E ? "0x" + String(b, radix: 16) : "')'") in a statement")
        }
        // Keywords are case-insensitive; numbers and state names are unaffected by upper-casing.
        return .word(word.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 })
    }

    /// After `(`: reads hex digits up to `)`, white space and line ends allowed between them, into
    /// `digits` (one value 0–15 per byte, most significant first, leading zeros dropped). Fails
    /// with the line as soon as more than `maxDigits` significant digits arrive.
    func hexDigits(into digits: inout [UInt8], maxDigits: Int, what: String) throws(TapWalkerError) {
        digits.removeAll(keepingCapacity: true)
        while true {
            guard let b = try nextByte() else { throw malformed("the file ends inside the \(what) vector (no ')')") }
            if SVFTokenizer.isSpace(b) { continue }
            if b == UInt8(ascii: ")") { return }
            let value: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = b - 0x30
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = b - 0x37
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = b - 0x57
            default:
                let shown = b >= 0x21 && b <= 0x7E ? "'" + String(decoding: [b], as: UTF8.self) + "'" : "byte 0x" + String(b, radix: 16)
                throw malformed("\(shown) is not a hex digit in the \(what) vector")
            }
            if value == 0 && digits.isEmpty { continue }
            guard digits.count < maxDigits else { throw malformed("the \(what) vector has more bits than the length the statement declares") }
            digits.append(value)
        }
    }
}
