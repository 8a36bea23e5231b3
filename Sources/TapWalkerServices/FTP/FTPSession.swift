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

    private var pendingUser: [UInt8]?
    private(set) var access: Accounts.Access?
    private var userName = ""
    private var failures = 0
    /// Counted among the server's logged-in clients (from the first login on).
    private(set) var admitted = false
    /// Microseconds (server clock) by which the connection must have logged in.
    private let loginDeadline: UInt64
    /// The timeout of the last receive, and whether it was the login deadline's remainder.
    private var lastReceiveTimeout = 0
    private var lastReceiveStart: UInt64 = 0
    private var lastTimeoutIsDeadline = false
    var directory: [UInt8] = [UInt8(ascii: "/")]
    private var renameFrom: [UInt8]?
    private var restart = 0
    private var quitting = false

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
    private var loginDeadlinePassed: Bool {
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

    // MARK: - Dispatch

    private func handle(_ request: FTPRequest) throws(TapWalkerError) {
        guard let command = FTPCommand.named(request.word) else {
            try reply(500, "unknown command '\(ASCII.printable(request.word))'; HELP lists the commands")
            return
        }
        switch command.access {
        case .anyone: break
        case .loggedIn, .writer:
            guard let access else {
                try reply(530, "not logged in: send USER and PASS first")
                return
            }
            if command.access == .writer, case .readOnly = access {
                try reply(550, "\(command.name): this login is read-only (anonymous); log in as the configured user to change files or program the board")
                return
            }
        }
        if command.verb != .rnto && command.verb != .rnfr { renameFrom = nil }
        let arg = request.argument
        switch command.verb {
        case .user: try user(arg)
        case .pass: try pass(arg)
        case .quit:
            try reply(221, "goodbye")
            quitting = true
        case .syst: try reply(215, "UNIX Type: L8")
        case .feat:
            try reply(211, first: "Features:", lines: ["EPRT", "EPSV", "MDTM", "MLST type*;size*;modify*;perm*;", "PASV", "REST STREAM", "SIZE", "UTF8"], last: "End")
        case .opts:
            if ASCII.equalFold(arg, "UTF8 ON") || ASCII.equalFold(arg, "UTF8") {
                try reply(200, "UTF-8 names are the only kind")
            } else if arg.count >= 4, ASCII.equalFold(Array(arg.prefix(4)), "MLST") {
                try reply(200, "MLST OPTS type;size;modify;perm;")
            } else {
                try reply(501, "OPTS takes UTF8 ON or MLST")
            }
        case .noop: try reply(200, "NOOP ok")
        case .help: try help(arg)
        case .type:
            let t = arg.first.map(ASCII.fold)
            if t == UInt8(ascii: "a") || t == UInt8(ascii: "i") || t == UInt8(ascii: "l") {
                try reply(200, "type set; every transfer is binary")
            } else {
                try reply(504, "TYPE takes A, I or L 8")
            }
        case .mode: try reply(ASCII.equalFold(arg, "S") ? 200 : 504, ASCII.equalFold(arg, "S") ? "stream mode" : "only MODE S (stream) is supported")
        case .stru: try reply(ASCII.equalFold(arg, "F") ? 200 : 504, ASCII.equalFold(arg, "F") ? "file structure" : "only STRU F (file) is supported")
        case .allo: try reply(202, "no storage needs to be allocated")
        case .pwd: try reply(257, "\(FTPSession.quoted(directory)) is the current directory")
        case .cwd: try changeDirectory(arg)
        case .cdup: try changeDirectory(Array("..".utf8))
        case .pasv: try passive(extended: false, arg)
        case .epsv: try passive(extended: true, arg)
        case .port: try activePORT(arg)
        case .eprt: try activeEPRT(arg)
        case .list: try list(arg, style: .long)
        case .nlst: try list(arg, style: .names)
        case .mlsd: try list(arg, style: .facts)
        case .mlst: try mlst(arg)
        case .retr: try retrieve(arg)
        case .stor: try store(arg, append: false)
        case .appe: try store(arg, append: true)
        case .rest:
            guard let offset = ASCII.parseInteger(String(decoding: arg, as: UTF8.self)), offset >= 0,
                  arg.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                try reply(501, "REST takes a byte offset (decimal)")
                return
            }
            restart = offset
            try reply(350, "restarting at byte \(offset); send RETR")
            return
        case .size:
            guard let (path, info) = try existing(arg) else { return }
            guard !info.isDirectory else { try reply(550, "\(FTPSession.text(path)) is a directory, not a file"); return }
            try reply(213, "\(info.size)")
        case .mdtm:
            guard let (_, info) = try existing(arg) else { return }
            try reply(213, UTCDate(info.modified).compact)
        case .dele: try simple(arg, 250) { (p) throws(TapWalkerError) in try server.store.removeFile(p); return "deleted \(p)" }
        case .rmd: try simple(arg, 250) { (p) throws(TapWalkerError) in try server.store.removeDirectory(p); return "removed \(p)" }
        case .mkd:
            try simple(arg, 257) { (p) throws(TapWalkerError) in
                try server.store.makeDirectory(p)
                return "\(FTPSession.quoted(Array(p.utf8))) created"
            }
        case .rnfr:
            guard let (path, _) = try existing(arg) else { return }
            renameFrom = path
            try reply(350, "ready to rename \(FTPSession.text(path)); send RNTO")
        case .rnto:
            guard let from = renameFrom else { try reply(503, "send RNFR first"); return }
            renameFrom = nil
            try simple(arg, 250) { (p) throws(TapWalkerError) in
                try server.store.rename(FTPSession.text(from), to: p)
                return "renamed \(FTPSession.text(from)) to \(p)"
            }
        case .stat: try status(arg)
        case .abor:
            data.reset()
            try reply(226, "no transfer in progress")
        case .site: try site(arg)
        }
        if command.verb != .rest { restart = 0 }
    }

    // MARK: - Login

    private func user(_ name: [UInt8]) throws(TapWalkerError) {
        guard !name.isEmpty else { try reply(501, "USER takes a name"); return }
        access = nil
        pendingUser = name
        if Accounts.isAnonymous(name) && server.accounts.anonymousRead {
            try reply(331, "anonymous login is read-only; send any password")
        } else {
            // The same answer for every name, so that names cannot be probed.
            try reply(331, "send the password")
        }
    }

    private func pass(_ password: [UInt8]) throws(TapWalkerError) {
        guard let name = pendingUser else { try reply(503, "send USER first"); return }
        pendingUser = nil
        // Failures from this address, on any connection and over HTTP too, make this attempt wait.
        let address = data.clientHost
        let wait = server.throttle.reserve(address)
        if wait > 0 {
            log("login attempt waits \(wait / 1000) ms after earlier failures from \(address)")
            // Waiting out the throttle is waiting too: a flood of wrong passwords cannot hold places.
            server.waiting.setWaiting(slot, true)
            server.clock.sleep(microseconds: UInt32(clamping: wait))
            server.waiting.setWaiting(slot, false)
        }
        let overall = server.throttle.takeCheck(address)
        if overall > 0 {
            log("login refused unchecked: the server's budget of password checks is spent")
            try reply(421, "too many login attempts on this server just now (from any address); try again in \((overall + 999_999) / 1_000_000) s")
            quitting = true
            return
        }
        if let granted = server.accounts.check(name: name, password: password) {
            server.throttle.recordSuccess(address)
            if !admitted {
                guard server.admitLoggedIn(slot) else {
                    log("refused after login: \(server.options.maximumClients) clients already logged in")
                    try reply(421, "too many clients (\(server.options.maximumClients)); try again later")
                    quitting = true
                    return
                }
                admitted = true
            }
            access = granted
            userName = String(decoding: name, as: UTF8.self)
            failures = 0
            switch granted {
            case .full:
                log("logged in as \(ASCII.printable(name))")
                try reply(230, "logged in")
            case .readOnly:
                log("logged in anonymously (read-only)")
                try reply(230, "logged in anonymously: read-only, no programming")
            }
            return
        }
        server.throttle.recordFailure(address)
        failures += 1
        log("login failed for user '\(ASCII.printable(name))' (\(failures) on this connection, \(server.throttle.failures(address)) from \(address))")
        if failures >= Accounts.failuresBeforeClosing {
            try reply(421, "login incorrect; too many failures, closing the connection")
            quitting = true
            return
        }
        try reply(530, "login incorrect")
    }

    // MARK: - Paths

    static func text(_ path: [UInt8]) -> String { String(decoding: path, as: UTF8.self) }

    /// "\"/a \"\"b\"\"\"": PWD/MKD quote the name and double quotes inside it (RFC 959 appendix II).
    static func quoted(_ path: [UInt8]) -> String {
        var out: [UInt8] = [34]
        for b in path { out.append(b); if b == 34 { out.append(34) } }
        out.append(34)
        return String(decoding: out, as: UTF8.self)
    }

    /// The argument as a store path, or nil after replying why not.
    func resolve(_ arg: [UInt8]) throws(TapWalkerError) -> [UInt8]? {
        guard !arg.isEmpty else { try reply(501, "a path is needed"); return nil }
        do throws(TapWalkerError) {
            let path = try StorePath.resolve(arg, in: directory)
            if (try? FTPDestination.parse(arg)) != nil {
                try reply(550, "\(ASCII.printable(arg)) is a programming destination, not a file; only STOR writes to it")
                return nil
            }
            return path
        } catch {
            log("refused path '\(ASCII.printable(arg))': \(error.message)")
            try reply(550, error.message)
            return nil
        }
    }

    /// A path that exists, with its facts, or nil after replying why not.
    private func existing(_ arg: [UInt8]) throws(TapWalkerError) -> ([UInt8], FileInfo)? {
        guard let path = try resolve(arg) else { return nil }
        do throws(TapWalkerError) {
            return (path, try server.store.info(FTPSession.text(path)))
        } catch {
            try reply(550, error.message)
            return nil
        }
    }

    /// A store operation on one path that answers `code` with the returned text, or 550.
    private func simple(_ arg: [UInt8], _ code: Int, _ body: (String) throws(TapWalkerError) -> String) throws(TapWalkerError) {
        guard let path = try resolve(arg) else { return }
        let text: String
        do throws(TapWalkerError) {
            text = try body(FTPSession.text(path))
        } catch {
            try reply(550, error.message)
            return
        }
        log(text)
        try reply(code, text)
    }

    private func changeDirectory(_ arg: [UInt8]) throws(TapWalkerError) {
        guard let (path, info) = try existing(arg) else { return }
        guard info.isDirectory else { try reply(550, "\(FTPSession.text(path)) is not a directory"); return }
        directory = path
        try reply(250, "the current directory is \(FTPSession.text(path))")
    }

    // MARK: - Data connections

    private func passive(extended: Bool, _ arg: [UInt8]) throws(TapWalkerError) {
        if extended && ASCII.equalFold(arg, "ALL") { try reply(200, "EPSV ALL: only EPSV from now on"); return }
        if !extended && localHost.utf8.contains(UInt8(ascii: ":")) {
            try reply(425, "PASV works over IPv4 only; use EPSV")
            return
        }
        let port: Int
        do throws(TapWalkerError) {
            port = try data.listen(host: localHost)
        } catch {
            try reply(425, "cannot open a data port: \(error.message)")
            return
        }
        if extended {
            try reply(229, "Entering Extended Passive Mode (|||\(port)|)")
        } else {
            let h = String(decoding: localHost.utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: ",") : $0 }, as: UTF8.self)
            try reply(227, "Entering Passive Mode (\(h),\(port >> 8),\(port & 0xFF))")
        }
    }

    private func activePORT(_ arg: [UInt8]) throws(TapWalkerError) {
        let fields = arg.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        var numbers: [Int] = []
        for f in fields {
            guard let v = ASCII.parseInteger(String(decoding: f, as: UTF8.self)), (0...255).contains(v) else { break }
            numbers.append(v)
        }
        guard numbers.count == 6, fields.count == 6 else { try reply(501, "PORT takes h1,h2,h3,h4,p1,p2"); return }
        try active(host: "\(numbers[0]).\(numbers[1]).\(numbers[2]).\(numbers[3])", port: numbers[4] << 8 | numbers[5], "PORT")
    }

    private func activeEPRT(_ arg: [UInt8]) throws(TapWalkerError) {
        // |1|132.235.1.2|6275| — any delimiter, given by the first byte.
        guard let d = arg.first else { try reply(501, "EPRT takes |1|address|port|"); return }
        let fields = arg.split(separator: d, omittingEmptySubsequences: false)
        guard fields.count == 5, let port = ASCII.parseInteger(String(decoding: fields[3], as: UTF8.self)) else {
            try reply(501, "EPRT takes |1|address|port| or |2|address|port|")
            return
        }
        let protocolNumber = String(decoding: fields[1], as: UTF8.self)
        guard ASCII.equal(protocolNumber, "1") || ASCII.equal(protocolNumber, "2") else {
            try reply(522, "network protocol not supported, use (1,2)")
            return
        }
        try active(host: String(decoding: fields[2], as: UTF8.self), port: port, "EPRT")
    }

    private func active(host: String, port: Int, _ name: String) throws(TapWalkerError) {
        do throws(TapWalkerError) {
            try data.connectLater(host: host, port: port)
        } catch {
            log("refused \(name) to \(host):\(port)")
            try reply(501, error.message)
            return
        }
        try reply(200, "\(name) ok; the server will connect to \(host):\(port)")
    }

    /// 150, then the data connection; nil after 425 when it cannot be opened.
    func openData(_ what: String) throws(TapWalkerError) -> (any NetworkConnection)? {
        guard data.isReady else {
            try reply(425, "no data connection: send PASV or EPSV (or PORT/EPRT) before \(what)")
            return nil
        }
        try reply(150, "opening the data connection for \(what)")
        do throws(TapWalkerError) {
            return try data.open()
        } catch {
            try reply(425, "cannot open the data connection: \(error.message)")
            return nil
        }
    }

    /// Sends `bytes` on a fresh data connection and answers 226, or 426 when it breaks.
    private func sendOnData(_ bytes: [UInt8], what: String, done: String) throws(TapWalkerError) {
        guard let connection = try openData(what) else { return }
        defer { connection.close() }
        do throws(TapWalkerError) {
            if !bytes.isEmpty {
                try bytes.withBytes { (p) throws(TapWalkerError) in
                    try connection.send(p, timeoutMilliseconds: server.options.dataTimeoutMilliseconds)
                }
            }
        } catch {
            try reply(426, "the data connection broke: \(error.message)")
            return
        }
        connection.close()
        try reply(226, done)
    }

    // MARK: - Listings

    enum ListStyle { case long, names, facts }

    private func list(_ rawArg: [UInt8], style: ListStyle) throws(TapWalkerError) {
        // Clients add ls options ("LIST -la"); they change nothing here.
        var arg = rawArg
        while arg.first == UInt8(ascii: "-") {
            if let space = arg.firstIndex(of: UInt8(ascii: " ")) { arg = Array(arg[(space + 1)...]) } else { arg = [] }
        }
        let target = arg.isEmpty ? Array(".".utf8) : arg
        guard let (path, info) = try existing(target) else { return }
        var entries: [FileInfo]
        if info.isDirectory {
            do throws(TapWalkerError) {
                entries = try server.store.list(FTPSession.text(path))
            } catch {
                try reply(550, error.message)
                return
            }
        } else {
            guard style != .facts else { try reply(501, "MLSD lists directories; use MLST for a file"); return }
            var one = info
            if style == .names { one.name = String(decoding: target, as: UTF8.self) }
            entries = [one]
        }
        var text = ""
        let writable = canWrite
        for e in entries {
            switch style {
            case .long: text += FTPListing.longLine(e)
            case .names: text += e.name
            case .facts: text += FTPListing.facts(e, writable: writable)
            }
            text += "\r\n"
        }
        try sendOnData(Array(text.utf8), what: "the listing of \(FTPSession.text(path))", done: "\(entries.count) entries")
    }

    var canWrite: Bool {
        if case .full? = access { return true }
        return false
    }

    private func mlst(_ arg: [UInt8]) throws(TapWalkerError) {
        let target = arg.isEmpty ? Array(".".utf8) : arg
        guard let (path, info) = try existing(target) else { return }
        var entry = info
        entry.name = FTPSession.text(path)
        try reply(250, first: "Listing \(FTPSession.text(path))", lines: [FTPListing.facts(entry, writable: canWrite)], last: "End")
    }

    private func status(_ arg: [UInt8]) throws(TapWalkerError) {
        if !arg.isEmpty {
            guard let (path, info) = try existing(arg) else { return }
            var entries = [info]
            if info.isDirectory {
                do throws(TapWalkerError) { entries = try server.store.list(FTPSession.text(path)) } catch {
                    try reply(550, error.message)
                    return
                }
            }
            try reply(213, first: "status of \(FTPSession.text(path)):", lines: entries.map(FTPListing.longLine), last: "End")
            return
        }
        let holder = server.lock.currentHolder
        try reply(211, first: "TapWalker FTP server status:", lines: [
            "connected from \(peer)",
            "logged in as \(userName)\(canWrite ? "" : " (read-only)")",
            "directory \(FTPSession.text(directory))",
            "board: " + (holder.map { "busy, \($0)" } ?? "free"),
            "transfers are binary, stream mode, file structure",
        ], last: "End of status")
    }

    private func help(_ arg: [UInt8]) throws(TapWalkerError) {
        if !arg.isEmpty {
            if ASCII.equalFold(arg, "SITE") { try siteHelp(code: 214); return }
            guard let command = FTPCommand.named(arg) else { try reply(501, "no command '\(ASCII.printable(arg))'"); return }
            try reply(214, command.help)
            return
        }
        var lines: [String] = []
        for c in FTPCommand.all { lines.append(c.help) }
        lines += FTPSession.destinationHelp
        try reply(214, first: "The commands (HELP SITE: the board commands):", lines: lines, last: "End")
    }

    static let destinationHelp = [
        "STOR to a special name programs instead of storing (any case, optional leading /; not listed, not files):",
        "  fpga           load the bitstream into the FPGA's SRAM",
        "  flash@ADDR     write the configuration flash at ADDR (decimal or 0x-hex), compare-first",
        "  sd@ADDR        write a raw image to the SD card at byte ADDR (multiple of 512; negative: from the end)",
        "gzip and zlib uploads are inflated by content; one programming job at a time (others get 450)",
    ]

    // MARK: - Transfers

    private func retrieve(_ arg: [UInt8]) throws(TapWalkerError) {
        let offset = restart
        restart = 0
        guard let (path, info) = try existing(arg) else { return }
        guard !info.isDirectory else { try reply(550, "\(FTPSession.text(path)) is a directory"); return }
        let source: any ByteSource
        do throws(TapWalkerError) {
            source = try server.store.openForReading(FTPSession.text(path), offset: offset)
        } catch {
            try reply(550, error.message)
            return
        }
        guard let connection = try openData("\(FTPSession.text(path)) (\(info.size) bytes)") else { return }
        defer { connection.close() }
        var buffer = [UInt8](repeating: 0, count: 16384)
        var sent = 0
        do throws(TapWalkerError) {
            while true {
                let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) in try source.read(into: p) }
                if n == 0 { break }
                try buffer.withBytes { (p) throws(TapWalkerError) in
                    try connection.send(UnsafeRawBufferPointer(rebasing: p[0..<n]), timeoutMilliseconds: server.options.dataTimeoutMilliseconds)
                }
                sent += n
            }
        } catch {
            log("download of \(FTPSession.text(path)) broke off after \(sent) bytes: \(error.message)")
            try reply(426, "transfer broke off after \(sent) bytes: \(error.message)")
            return
        }
        connection.close()
        try reply(226, "sent \(sent) bytes of \(FTPSession.text(path))")
    }

    private func store(_ arg: [UInt8], append: Bool) throws(TapWalkerError) {
        if restart != 0 { restart = 0; try reply(501, "REST applies to RETR only; nothing was stored"); return }
        guard !arg.isEmpty else { try reply(501, "\(append ? "APPE" : "STOR") takes a file name or fpga, flash@ADDR, sd@ADDR"); return }
        let destination: FTPDestination?
        do throws(TapWalkerError) {
            destination = append ? nil : try FTPDestination.parse(arg)
        } catch {
            try reply(501, error.message)
            return
        }
        if let destination { try program(destination); return }
        guard let path = try resolve(arg) else { return }
        let name = FTPSession.text(path)
        let writer: any FileWriter
        do throws(TapWalkerError) {
            writer = try server.store.openForWriting(name, append: append)
        } catch {
            try reply(550, error.message)
            return
        }
        guard let connection = try openData(name) else { try? writer.close(); return }
        defer { connection.close() }
        let source = upload(connection, name: name)
        var buffer = [UInt8](repeating: 0, count: 16384)
        var stored = 0
        do throws(TapWalkerError) {
            while true {
                let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) in try source.read(into: p) }
                if n == 0 { break }
                try buffer.withBytes { (p) throws(TapWalkerError) in try writer.write(UnsafeRawBufferPointer(rebasing: p[0..<n])) }
                stored += n
            }
            try writer.close()
        } catch let error where error.kind == .data {
            // The store refused the content (a configuration file that does not parse).
            try? writer.close()
            log("refused \(name): \(error.message)")
            try reply(550, error.message)
            return
        } catch {
            try? writer.close()
            log("upload of \(name) ended after \(stored) bytes: \(error.message)")
            try reply(426, "\(error.message); \(name) holds the \(stored) bytes received")
            return
        }
        log("stored \(name) (\(stored) bytes)")
        try reply(226, "stored \(stored) bytes in \(name)")
    }

    /// The data connection as the upload's byte source, which tells a cut-off from the end.
    func upload(_ connection: any NetworkConnection, name: String) -> FTPUploadSource {
        FTPUploadSource(connection, name: name, timeoutMilliseconds: server.options.dataTimeoutMilliseconds) { [self] in
            controlClosed()
        }
    }

    /// Whether the client has gone: a control connection that reports its end within a short wait.
    /// Bytes that arrive meanwhile (a pipelined command) stay buffered for the next line.
    private func controlClosed() -> Bool {
        let saved = reader.timeoutMilliseconds
        reader.timeoutMilliseconds = 200
        defer { reader.timeoutMilliseconds = saved }
        let before = server.clock.microseconds()
        do throws(TapWalkerError) {
            return try !reader.fill()
        } catch {
            // Giving up after the whole wait means the client is silent, as a live one is now;
            // failing sooner means the connection was reset.
            return server.clock.microseconds() - before < 150_000
        }
    }

    /// Names the holder of the board for `what`, or replies 450 naming who has it.
    func acquireBoard(_ what: String) throws(TapWalkerError) -> Bool {
        if let holder = server.lock.tryAcquire("FTP client \(peer) \(what)") {
            log("refused \(what): the board is busy (\(holder))")
            try reply(450, "the board is busy: \(holder); nothing was done, try again when it is free")
            return false
        }
        return true
    }

    private func program(_ destination: FTPDestination) throws(TapWalkerError) {
        let name = destination.name
        guard try acquireBoard("uploading to \(name)") else { return }
        defer { server.lock.release() }
        guard let connection = try openData(name) else { return }
        defer { connection.close() }
        log("uploading to \(name)")
        let source = upload(connection, name: "the upload to \(name)")
        let summary: String
        do throws(TapWalkerError) {
            summary = try programUpload(source, to: destination)
        } catch {
            log("upload to \(name) failed after \(source.received) bytes received: \(error.message)")
            // The rest of the upload is read and dropped before the data connection closes: closed
            // with bytes unread it would be reset, and clients report the reset (lftp retries the
            // upload) instead of this reply.
            source.discardRest(upTo: FTPSession.refusedUploadDrainLimit)
            connection.close()
            try reply(550, error.message)
            return
        }
        log(summary)
        try reply(226, summary)
    }
}
