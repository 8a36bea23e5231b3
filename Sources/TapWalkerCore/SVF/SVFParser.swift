/// Reads SVF statements one at a time from a byte source and resolves what the SVF rules leave
/// implicit (docs/svf.md): sticky TDI, MASK and SMASK per register, HDR/HIR/TDR/TIR around each
/// scan, ENDIR/ENDDR, the RUNTEST run and end states. It also follows the TAP state the statements
/// lead to, so a STATE path that the TAP cannot take is refused here, before any clock.
///
/// Memory: the tokenizer's 1 KB, plus per vector its hex digits (one byte per digit while it is
/// read) and its bits, up to `maxVectorBits` bits; the sticky TDI/MASK/SMASK of the six registers.
/// Anything malformed is an `.input` error naming the line.
public final class SVFParser {
    /// The longest vector (one SIR/SDR/HDR/… length) accepted; a longer one is refused by its line.
    public let maxVectorBits: Int
    private let tokens: SVFTokenizer
    private var digits: [UInt8] = []
    /// The line the statement last returned starts on.
    public private(set) var line = 0
    public private(set) var statements = 0
    /// The TAP state after the statements read so far (the player starts from Test-Logic-Reset).
    public private(set) var tapState = TAPState.testLogicReset

    private enum Register: Int { case hdr, hir, tdr, tir, sdr, sir }
    private struct Sticky {
        var length = 0
        var tdi = SVFBits.zeros(0)
        var mask = SVFBits.ones(0)
        var smask = SVFBits.ones(0)
        /// Only HDR/HIR/TDR/TIR keep their TDO: it is checked on every scan they wrap.
        var tdo: SVFBits?
    }
    private var sticky = [Sticky](repeating: Sticky(), count: 6)
    private var endIR = TAPState.runTestIdle
    private var endDR = TAPState.runTestIdle
    private var runState = TAPState.runTestIdle
    private var runEnd = TAPState.runTestIdle

    public init(_ source: any ByteSource, maxVectorBits: Int) {
        tokens = SVFTokenizer(source)
        self.maxVectorBits = maxVectorBits
    }

    public var bytesRead: Int { tokens.bytesRead }
    public var totalBytes: Int? { tokens.totalBytes }
    public var name: String { tokens.name }

    /// Reads every statement without playing any: the check made before the first TCK.
    public func readToEnd() throws(TapWalkerError) {
        while try next() != nil {}
    }

    /// The next statement, nil at the end of the file.
    public func next() throws(TapWalkerError) -> SVFStatement? {
        let token = try tokens.next()
        if token == .end { return nil }
        guard case .word(let command) = token else { throw tokens.malformed("a statement must start with a command, not '\(token == .semicolon ? ";" : "(")'") }
        line = tokens.tokenLine
        statements += 1
        let statement = try parse(command)
        switch statement {
        case .scan(let scan): tapState = scan.end
        case .state(let path, _): tapState = path[path.count - 1]
        case .runTest(let run): tapState = run.end
        case .frequency, .setting: break
        }
        return statement
    }

    private func parse(_ command: [UInt8]) throws(TapWalkerError) -> SVFStatement {
        let scans: [(String, Register)] = [("SDR", .sdr), ("SIR", .sir), ("HDR", .hdr), ("HIR", .hir), ("TDR", .tdr), ("TIR", .tir)]
        if let (_, register) = scans.first(where: { ASCII.equal(command, $0.0) }) { return try scan(register, ASCII.printable(command)) }
        if ASCII.equal(command, "RUNTEST") { return try runTest() }
        if ASCII.equal(command, "STATE") { return try state() }
        if ASCII.equal(command, "ENDIR") || ASCII.equal(command, "ENDDR") {
            let words = try arguments(ASCII.printable(command), max: 1)
            guard words.count == 1 else { throw tokens.malformed("\(ASCII.printable(command)) takes one state") }
            let end = try stableState(words[0])
            if ASCII.equal(command, "ENDIR") { endIR = end } else { endDR = end }
            return .setting
        }
        if ASCII.equal(command, "FREQUENCY") { return try frequency() }
        if ASCII.equal(command, "TRST") {
            let words = try arguments("TRST", max: 1)
            guard words.count == 1, ["ON", "OFF", "Z", "ABSENT"].contains(where: { ASCII.equal(words[0], $0) }) else {
                throw tokens.malformed("TRST takes ON, OFF, Z or ABSENT")
            }
            return .setting
        }
        if ASCII.equal(command, "PIO") || ASCII.equal(command, "PIOMAP") {
            throw tokens.malformed("\(ASCII.printable(command)) (parallel vectors) is not supported: TapWalker plays JTAG statements only")
        }
        throw tokens.malformed("unknown command '\(ASCII.printable(command))'")
    }

    // MARK: - Arguments

    /// The words up to `;` (at most `max`); a vector or the end of the file before it is malformed.
    private func arguments(_ command: String, max: Int) throws(TapWalkerError) -> [[UInt8]] {
        var words: [[UInt8]] = []
        while true {
            switch try tokens.next() {
            case .semicolon: return words
            case .word(let w):
                guard words.count < max else { throw tokens.malformed("too many arguments for \(command) ('\(ASCII.printable(w))')") }
                words.append(w)
            case .openParenthesis: throw tokens.malformed("\(command) takes no vector")
            case .end: throw unterminated(command)
            }
        }
    }

    private func unterminated(_ command: String) -> TapWalkerError {
        tokens.malformed("the file ends inside the \(command) statement that starts on line \(line) (no ';')")
    }

    private func stableState(_ word: [UInt8]) throws(TapWalkerError) -> TAPState {
        let state = try anyState(word)
        guard SVFStateName.isStable(state) else {
            throw tokens.malformed("\(ASCII.printable(word)) is not a stable state (RESET, IDLE, DRPAUSE or IRPAUSE)")
        }
        return state
    }

    private func anyState(_ word: [UInt8]) throws(TapWalkerError) -> TAPState {
        guard let state = SVFStateName.state(word) else { throw tokens.malformed("unknown TAP state '\(ASCII.printable(word))'") }
        return state
    }

    private func number(_ word: [UInt8], scale: UInt64, limit: UInt64, what: String) throws(TapWalkerError) -> UInt64 {
        guard let n = SVFNumber(word) else { throw tokens.malformed("'\(ASCII.printable(word))' is not a number (\(what))") }
        guard let v = n.scaled(by: scale, limit: limit) else { throw tokens.malformed("\(what) \(ASCII.printable(word)) is out of range") }
        return v
    }

    // MARK: - Statements

    private func scan(_ register: Register, _ command: String) throws(TapWalkerError) -> SVFStatement {
        guard case .word(let lengthWord) = try tokens.next() else { throw tokens.malformed("\(command) must start with its length in bits") }
        guard let declared = SVFNumber(lengthWord), declared.exponent >= 0, let length64 = declared.scaled(by: 1, limit: UInt64.max >> 8) else {
            throw tokens.malformed("\(command) must start with its length in bits, not '\(ASCII.printable(lengthWord))'")
        }
        guard length64 <= UInt64(maxVectorBits) else {
            throw tokens.malformed("\(command) of \(length64) bits is longer than the \(maxVectorBits) bits this player holds per vector (docs/svf.md §7)")
        }
        let length = Int(length64)
        var given: [SVFBits?] = [nil, nil, nil, nil]  // TDI, TDO, MASK, SMASK
        let keys = ["TDI", "TDO", "MASK", "SMASK"]
        while true {
            let token = try tokens.next()
            if token == .semicolon { break }
            if token == .end { throw unterminated(command) }
            guard case .word(let key) = token, let k = keys.firstIndex(where: { ASCII.equal(key, $0) }) else {
                throw tokens.malformed("\(command) takes TDI, TDO, MASK and SMASK vectors")
            }
            guard given[k] == nil else { throw tokens.malformed("\(keys[k]) is given twice in \(command)") }
            guard try tokens.next() == .openParenthesis else { throw tokens.malformed("\(keys[k]) must be followed by a vector in parentheses") }
            given[k] = try vector(length, what: "\(keys[k]) of \(command)")
        }
        var s = sticky[register.rawValue]
        if length != s.length {
            // SVF repeats TDI, MASK and SMASK only for a scan of the same length (docs/svf.md §3).
            if given[0] == nil && length > 0 {
                throw tokens.malformed("\(command) of \(length) bits gives no TDI, and the previous \(command) had \(s.length) bits (TDI is only repeated for the same length)")
            }
            s.mask = .ones(length)
            s.smask = .ones(length)
        }
        s.length = length
        if let tdi = given[0] { s.tdi = tdi }
        if let mask = given[2] { s.mask = mask }
        if let smask = given[3] { s.smask = smask }
        s.tdo = given[1]
        sticky[register.rawValue] = s
        switch register {
        case .sdr: return .scan(joined(sticky[Register.hdr.rawValue], s, sticky[Register.tdr.rawValue], instruction: false))
        case .sir: return .scan(joined(sticky[Register.hir.rawValue], s, sticky[Register.tir.rawValue], instruction: true))
        default: return .setting
        }
    }

    /// Header, body and trailer in shift order: the header's bits go first, as OpenOCD does
    /// (docs/svf.md §4). TDO is compared where a part gives it, masked out elsewhere.
    private func joined(_ header: Sticky, _ body: Sticky, _ trailer: Sticky, instruction: Bool) -> SVFScan {
        let end = instruction ? endIR : endDR
        if header.length == 0 && trailer.length == 0 {
            return SVFScan(instruction: instruction, tdi: body.tdi, tdo: body.tdo, mask: body.tdo == nil ? .zeros(0) : body.mask, end: end)
        }
        let parts = [header, body, trailer]
        let checked = parts.contains { $0.tdo != nil }
        return SVFScan(
            instruction: instruction, tdi: .joined(parts.map { $0.tdi }),
            tdo: checked ? .joined(parts.map { $0.tdo ?? .zeros($0.length) }) : nil,
            mask: checked ? .joined(parts.map { $0.tdo == nil ? .zeros($0.length) : $0.mask }) : .zeros(0), end: end)
    }

    /// A hex vector of `length` bits, read after its `(`: most significant digit first, so bit 0
    /// is the last digit's low bit. Fewer digits are padded with zeros; a set bit at or above
    /// `length` is refused.
    private func vector(_ length: Int, what: String) throws(TapWalkerError) -> SVFBits {
        try tokens.hexDigits(into: &digits, maxDigits: (length + 3) / 4, what: what)
        var bits = SVFBits.zeros(length)
        let n = digits.count
        for j in 0..<n {
            let value = digits[n - 1 - j]  // digit j from the end holds bits 4j..4j+3
            let at = 4 * j
            if at + 4 > length, value >> (length - at) != 0 {
                throw tokens.malformed("the \(what) vector has more bits than the \(length) it declares")
            }
            bits.bytes[at >> 3] |= value << (at & 7)
        }
        return bits
    }

    private func runTest() throws(TapWalkerError) -> SVFStatement {
        let words = try arguments("RUNTEST", max: 10)
        var i = 0
        func word(_ k: Int) -> [UInt8]? { k < words.count ? words[k] : nil }
        func isWord(_ k: Int, _ text: String) -> Bool { word(k).map { ASCII.equal($0, text) } ?? false }
        if let w = word(0), SVFStateName.state(w) != nil {
            runState = try stableState(w)
            runEnd = runState  // a run state given is the default end state too
            i = 1
        }
        var clocks: UInt64 = 0, microseconds: UInt64 = 0, timed = false, counted = false
        if let w = word(i), isWord(i + 1, "TCK") || isWord(i + 1, "SCK") {
            // SCK counts are clocked on TCK: the board's system clock is not the cable's (docs/svf.md §5).
            clocks = try number(w, scale: 1, limit: 1 << 40, what: "run count")
            counted = true
            i += 2
        }
        if let w = word(i), isWord(i + 1, "SEC") {
            microseconds = try number(w, scale: 1_000_000, limit: 3_600_000_000, what: "minimum time")
            timed = true
            i += 2
        }
        if isWord(i, "MAXIMUM") {
            // A player cannot promise a maximum; it is checked as a number and otherwise ignored.
            guard let w = word(i + 1), isWord(i + 2, "SEC") else { throw tokens.malformed("MAXIMUM takes a time in SEC") }
            _ = try number(w, scale: 1_000_000, limit: UInt64.max, what: "maximum time")
            i += 3
        }
        if isWord(i, "ENDSTATE"), let w = word(i + 1) {
            runEnd = try stableState(w)
            i += 2
        }
        guard i == words.count, counted || timed else {
            throw tokens.malformed(i < words.count ? "unexpected '\(ASCII.printable(words[i]))' in RUNTEST" : "RUNTEST needs a TCK count or a time in SEC")
        }
        return .runTest(SVFRunTest(runState: runState, clocks: clocks, minimumMicroseconds: microseconds, end: runEnd))
    }

    private func state() throws(TapWalkerError) -> SVFStatement {
        let words = try arguments("STATE", max: 32)
        guard !words.isEmpty else { throw tokens.malformed("STATE needs at least the state to end in") }
        var path: [TAPState] = []
        var at = tapState
        for (k, w) in words.enumerated() {
            let s = k == words.count - 1 ? try stableState(w) : try anyState(w)
            // A path is followed one TCK per state: each must be one step from the one before.
            if words.count > 1, at.next(tms: false) != s, at.next(tms: true) != s {
                throw tokens.malformed("STATE path: \(SVFStateName.name(s)) is not one TCK away from \(SVFStateName.name(at))")
            }
            path.append(s)
            at = s
        }
        return .state(path: path, explicit: words.count > 1)
    }

    private func frequency() throws(TapWalkerError) -> SVFStatement {
        let words = try arguments("FREQUENCY", max: 2)
        if words.isEmpty { return .frequency(nil) }
        guard words.count == 2, ASCII.equal(words[1], "HZ") else { throw tokens.malformed("FREQUENCY takes a number of HZ") }
        let hz = try number(words[0], scale: 1, limit: UInt64(UInt32.max), what: "frequency")
        guard hz > 0 else { throw tokens.malformed("FREQUENCY 0 HZ cannot clock") }
        return .frequency(UInt32(hz))
    }
}
