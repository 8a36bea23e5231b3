import TapWalkerCore

/// One client's control connection: login state, working directory, the pending data connection,
/// RNFR and REST, and the dispatch of each command line to its handler. Errors inside a command
/// become its reply; only a broken control connection ends the session.
final class FTPSession {
    let server: FTPServer
    let control: any NetworkConnection
    let reader: ConnectionReader
    let lines: FTPLineReader
    let peer: String
    let localHost: String
    let data: FTPDataLink
    /// Its place among the connections not logged in yet (`PreLoginSlots`).
    let slot: Int

    var pendingUser: [UInt8]?
    var access: Accounts.Access?
    var userName = ""
    var failures = 0
    /// Counted among the server's logged-in clients (from the first login on).
    var admitted = false
    /// Microseconds (server clock) by which the connection must have logged in.
    let loginDeadline: UInt64
    /// The timeout of the last receive, and whether it was the login deadline's remainder.
    var lastReceiveTimeout = 0
    var lastReceiveStart: UInt64 = 0
    var lastTimeoutIsDeadline = false
    var directory: [UInt8] = [UInt8(ascii: "/")]
    var renameFrom: [UInt8]?
    var restart = 0
    var quitting = false

    init(server: FTPServer, control: any NetworkConnection, peer: String, localHost: String, slot: Int) {
        self.server = server
        self.slot = slot
        self.control = control
        self.peer = peer
        self.localHost = localHost
        reader = ConnectionReader(control, capacity: 1024, timeoutMilliseconds: server.options.idleTimeoutMilliseconds)
        lines = FTPLineReader(reader, maximumLength: server.options.maximumLineLength)
        data = FTPDataLink(channels: server.channels, clientHost: FTPServer.host(of: peer),
                           timeoutMilliseconds: server.options.dataTimeoutMilliseconds, clock: server.clock) { [server] text in
            server.log(peer, text)
        }
        loginDeadline = server.clock.microseconds() + UInt64(server.options.loginDeadlineMilliseconds) * 1000
    }

    func log(_ text: String) { server.log(peer, text) }

    func run() {
        log("connected")
        do throws(TapWalkerError) {
            try reply(220, "TapWalker FTP server ready; log in with USER and PASS")
            while !quitting {
                if loginDeadlinePassed {
                    try reply(421, "not logged in within \(server.options.loginDeadlineMilliseconds / 1000) s of connecting; closing the connection")
                    log("closed: no login within \(server.options.loginDeadlineMilliseconds / 1000) s")
                    break
                }
                let line: FTPLineReader.Line
                // While it waits for a command line, a connection not logged in may lose its place.
                server.waiting.setWaiting(slot, true)
                do throws(TapWalkerError) {
                    line = try lines.line { receiveTimeout() }
                    server.waiting.setWaiting(slot, false)
                } catch {
                    // A receive that gave up after its whole time is a timeout; anything sooner
                    // is the connection failing.
                    let waited = server.clock.microseconds() - lastReceiveStart
                    if waited >= UInt64(lastReceiveTimeout) * 900 {
                        if lastTimeoutIsDeadline { continue }  // the check at the top says so
                        try? reply(421, "idle for \(server.options.idleTimeoutMilliseconds / 1000) s; closing the connection")
                        log("closed: idle timeout")
                    } else {
                        log("connection lost: \(error.message)")
                    }
                    break
                }
                switch line {
                case .closed:
                    quitting = true
                case .expired:
                    continue  // the deadline: the check at the top closes
                case .tooLong:
                    try reply(500, "command line longer than \(server.options.maximumLineLength) bytes; ignored")
                case .line(let bytes):
                    try handle(FTPRequest(line: bytes))
                }
            }
        } catch {
            log("connection lost: \(error.message)")
        }
        data.reset()
        log("disconnected")
    }

    /// Before the first login the deadline counts, whatever the client sends meanwhile.
    var loginDeadlinePassed: Bool {
        !admitted && server.clock.microseconds() >= loginDeadline
    }

    /// How long the next receive may wait: the idle timeout, or before the first login what is
    /// left of the login deadline if that is sooner (0 when none is left).
    private func receiveTimeout() -> Int {
        let idle = server.options.idleTimeoutMilliseconds
        var t = idle
        lastTimeoutIsDeadline = false
        if !admitted {
            let now = server.clock.microseconds()
            let left = loginDeadline > now ? Int((loginDeadline - now + 999) / 1000) : 0
            if left < idle {
                t = left
                lastTimeoutIsDeadline = true
            }
        }
        lastReceiveTimeout = t
        lastReceiveStart = server.clock.microseconds()
        return t
    }

    // MARK: - Replies

    /// Sends "code text"; CR and LF in the text (from an error message) become spaces, so that a
    /// message can never end the reply early or forge another one.
    /// A failure as an FTP client is told it: with its remedy in FTP's terms where FTP offers one
    /// (never a command-line flag).
    static func told(_ error: TapWalkerError) -> String {
        error.remedy == .unprotect ? error.message + "; SITE UNPROTECT removes the protection" : error.message
    }

    func reply(_ code: Int, _ text: String) throws(TapWalkerError) {
        try send("\(code) \(FTPSession.oneLine(text))\r\n")
    }

    /// A multi-line reply: "code-first", the lines indented by a space, "code last".
    func reply(_ code: Int, first: String, lines: [String], last: String) throws(TapWalkerError) {
        var text = "\(code)-\(FTPSession.oneLine(first))\r\n"
        for line in lines { text += " \(FTPSession.oneLine(line))\r\n" }
        text += "\(code) \(FTPSession.oneLine(last))\r\n"
        try send(text)
    }

    /// Replies are plain ASCII (RFC 959 speaks of 7-bit NVT-ASCII). The punctuation of the
    /// shared messages becomes its ASCII form (an en dash in "0x0–0xfff" a hyphen); any other byte
    /// outside printable ASCII, such as a UTF-8 file name's or a Telnet IAC, is sent as "?".
    /// CR LF end lines.
    func send(_ text: String) throws(TapWalkerError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if (v >= 0x20 && v < 0x7F) || v == 13 || v == 10 {
                bytes.append(UInt8(v))
            } else if let ascii = FTPSession.asciiPunctuation.first(where: { $0.scalar == v }) {
                bytes += Array(ascii.text.utf8)
            } else {
                for _ in String(scalar).utf8 { bytes.append(UInt8(ascii: "?")) }
            }
        }
        try bytes.withBytes { (p) throws(TapWalkerError) in
            try control.send(p, timeoutMilliseconds: server.options.dataTimeoutMilliseconds)
        }
    }

    /// How much of a refused upload is read and dropped so that its data connection closes
    /// cleanly: 16 MB, more than any ECP5 bitstream.
    static let refusedUploadDrainLimit = 16 << 20

    /// Typographic characters of the messages and their ASCII stand-ins.
    static let asciiPunctuation: [(scalar: UInt32, text: String)] = [
        (0x2013, "-"), (0x2014, "-"), (0x2212, "-"), (0x2026, "..."), (0x2018, "'"), (0x2019, "'"),
        (0x201C, "\""), (0x201D, "\""), (0x00D7, "x"), (0x2192, "->"), (0x00A0, " "),
    ]

    static func oneLine(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 == 13 || $0 == 10 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    /// The error as a reply: usage errors are the client's syntax (501), the rest a refusal (550).
    func reply(_ error: TapWalkerError) throws(TapWalkerError) {
        try reply(error.kind == .usage ? 501 : 550, error.message)
    }
}
