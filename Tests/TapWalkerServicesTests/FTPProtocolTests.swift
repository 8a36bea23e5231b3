import Testing
import TapWalkerCore
import TapWalkerServices
import TapWalkerSim

// The FTP protocol logic without sockets: scripted control connections, a store with one file,
// no data connections. The real clients are in TapWalkerCLITests/FTPServerTests.

private final class OneFileStore: FileStore {
    /// Directories made with MKD, as the store was given them.
    var made: [String] = []
    func info(_ path: String) throws(TapWalkerError) -> FileInfo {
        if ASCII.equal(path, "/") { return FileInfo(name: "/", isDirectory: true, size: 0, modified: 0) }
        if ASCII.equal(path, "/a.bit") { return FileInfo(name: "a.bit", isDirectory: false, size: 5, modified: 1_700_000_000) }
        throw TapWalkerError(.input, "\(path): No such file or directory")
    }
    func list(_ path: String) throws(TapWalkerError) -> [FileInfo] { [try info("/a.bit")] }
    func openForReading(_ path: String, offset: Int) throws(TapWalkerError) -> any ByteSource { MemorySource([1, 2, 3, 4, 5]) }
    func openForWriting(_ path: String, append: Bool) throws(TapWalkerError) -> any FileWriter { throw TapWalkerError(.input, "read-only store") }
    func rename(_ from: String, to: String) throws(TapWalkerError) {}
    func removeFile(_ path: String) throws(TapWalkerError) {}
    func makeDirectory(_ path: String) throws(TapWalkerError) { made.append(path) }
    func removeDirectory(_ path: String) throws(TapWalkerError) {}
}

private final class NoChannels: FTPDataChannels {
    func listen(host: String) throws(TapWalkerError) -> any FTPPassiveListener { throw TapWalkerError(.input, "no sockets in this test") }
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) -> any NetworkConnection {
        throw TapWalkerError(.input, "no sockets in this test")
    }
}

/// A server over scripted parts; sleeps advance `clock`.
private func server(clock: ManualClock, store: OneFileStore = OneFileStore(), throttle: LoginThrottle? = nil,
                    options: FTPServerOptions = FTPServerOptions(), anonymous: Bool = false, log: LogBox = LogBox()) -> FTPServer {
    FTPServer(
        store: store, channels: NoChannels(),
        board: BoardService(cable: SimCable(options: SimOptions()), lock: JobLock(mutex: NoMutex()), clock: clock),
        accounts: Accounts(user: Array("ulx3s".utf8), password: Array("secret".utf8), anonymousRead: anonymous),
        options: options, clock: clock, mutex: NoMutex(), throttle: throttle) { _, text in log.lines.append(text) }
}

private func replies(_ sent: [UInt8]) -> [String] {
    String(decoding: sent, as: UTF8.self).split(separator: "\r\n").map(String.init)
}

private func script(_ lines: [String]) -> [UInt8] {
    var input: [UInt8] = []
    for l in lines { input += Array(l.utf8) + [13, 10] }
    return input
}

/// Runs one session over `lines` and returns the reply lines and the clock (sleeps advance it).
private func session(_ lines: [String], anonymous: Bool = false) -> (replies: [String], clock: ManualClock, log: [String]) {
    session(bytes: script(lines), anonymous: anonymous)
}

private func session(bytes: [UInt8], anonymous: Bool = false, store: OneFileStore = OneFileStore()) -> (replies: [String], clock: ManualClock, log: [String]) {
    let connection = ScriptedConnection(bytes)
    let clock = ManualClock()
    let log = LogBox()
    server(clock: clock, store: store, anonymous: anonymous, log: log).serve(connection, peer: "10.0.0.5:40000", localHost: "10.0.0.1")
    return (replies(connection.sent), clock, log.lines)
}

/// A control connection that runs `onFirstReceive` the first time the server waits for it (while
/// its own session is open), then reports the client gone.
private final class HoldingConnection: NetworkConnection {
    let onFirstReceive: () -> Void
    private var ran = false
    private(set) var sent: [UInt8] = []
    init(_ body: @escaping () -> Void) { onFirstReceive = body }
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {}
    func send(_ b: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) { sent += b }
    func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int {
        if !ran { ran = true; onFirstReceive() }
        return 0
    }
    func close() {}
}

private final class LogBox { var lines: [String] = [] }

@Suite("FTP protocol")
struct FTPProtocolTests {
    @Test("paths resolve inside the root; .. above it is refused, not clamped")
    func paths() throws {
        func resolve(_ a: String, _ d: String) throws(TapWalkerError) -> String {
            String(decoding: try StorePath.resolve(Array(a.utf8), in: Array(d.utf8)), as: UTF8.self)
        }
        #expect(try resolve("a.bit", "/") == "/a.bit")
        #expect(try resolve("../b/./c", "/x/y") == "/x/b/c")
        #expect(try resolve("/etc/passwd", "/x") == "/etc/passwd")  // inside the root: <root>/etc/passwd
        #expect(try resolve("..", "/x") == "/")
        #expect(throws: TapWalkerError.self) { try resolve("..", "/") }
        #expect(throws: TapWalkerError.self) { try resolve("a/../../..", "/x") }
        #expect(throws: TapWalkerError.self) { try resolve("a\u{1}b", "/") }
    }

    @Test("special destinations: any case, optional leading /, decimal or hex, SD addresses in 512-byte blocks")
    func destinations() throws {
        func parse(_ s: String) throws(TapWalkerError) -> String? { try FTPDestination.parse(Array(s.utf8))?.name }
        #expect(try parse("fpga") == "fpga")
        #expect(try parse("/FPGA") == "fpga")
        #expect(try parse("flash@0x200000") == "flash@0x200000")
        #expect(try parse("Flash@2097152") == "flash@0x200000")
        #expect(try parse("sd@-8192") == "sd@-8192")
        #expect(try parse("blink.bit") == nil)
        #expect(try parse("sub/fpga") == nil)
        #expect(throws: TapWalkerError.self) { try parse("sd@100") }
        #expect(throws: TapWalkerError.self) { try parse("flash@x") }
        #expect(throws: TapWalkerError.self) { try parse("flash@-4096") }
    }

    @Test("passwords: only the configured pair logs in with full access; anonymous only when enabled, read-only")
    func accounts() {
        let a = Accounts(user: Array("ulx3s".utf8), password: Array("secret".utf8), anonymousRead: false)
        #expect(a.check(name: Array("ulx3s".utf8), password: Array("secret".utf8)) != nil)
        #expect(a.check(name: Array("ulx3s".utf8), password: Array("secre".utf8)) == nil)
        #expect(a.check(name: Array("ulx3s".utf8), password: Array("secret2".utf8)) == nil)
        #expect(a.check(name: Array("anonymous".utf8), password: []) == nil)
        let b = Accounts(user: nil, password: nil, anonymousRead: true)
        if case .readOnly? = b.check(name: Array("ftp".utf8), password: []) {} else { Issue.record("anonymous should be read-only") }
        #expect(Accounts(user: nil, password: nil, anonymousRead: false).problem == .nobodyCanLogIn)
        #expect(Accounts(user: Array("ulx3s".utf8), password: [], anonymousRead: true).problem == .emptyPassword)
        #expect(b.problem == nil && a.problem == nil)
    }

    @Test("a verifier decides the password in place of a clear one, and only for the configured user")
    func accountsWithVerifier() {
        var asked: [[UInt8]] = []
        let a = Accounts(user: Array("ulx3s".utf8), verifier: { asked.append($0); return $0 == Array("secret".utf8) }, anonymousRead: false)
        #expect(a.problem == nil)
        #expect(a.check(name: Array("ulx3s".utf8), password: Array("secret".utf8)) != nil)
        #expect(a.check(name: Array("ulx3s".utf8), password: Array("wrong".utf8)) == nil)
        #expect(a.check(name: Array("other".utf8), password: Array("secret".utf8)) == nil)
        // The verifier runs for a wrong name too, so the time taken does not tell a known name.
        #expect(asked.count == 3)
    }

    @Test("listing lines and dates are what ls -l and RFC 3659 say")
    func listing() {
        let f = FileInfo(name: "blink.bit", isDirectory: false, size: 1_927_725, modified: 1_700_000_000)
        #expect(FTPListing.longLine(f) == "-rw-r--r-- 1 tapwalker tapwalker      1927725 Nov 14  2023 blink.bit")
        #expect(FTPListing.facts(f, writable: true) == "type=file;size=1927725;modify=20231114221320;perm=rwadf; blink.bit")
        #expect(UTCDate(951_782_400).compact == "20000229000000")  // a leap day
        #expect(UTCDate(0).compact == "19700101000000")
    }

    @Test("before login only the login commands work (530); a wrong password gets 530 and the next attempt waits; the third closes")
    func login() {
        let r = session(["STOR fpga", "SITE STATUS", "LIST", "USER ulx3s", "PASS wrong", "USER ulx3s", "PASS wrong", "USER ulx3s", "PASS wrong", "NOOP"])
        #expect(r.replies[0].hasPrefix("220 "))
        #expect(r.replies[1].hasPrefix("530 ") && r.replies[2].hasPrefix("530 ") && r.replies[3].hasPrefix("530 "))
        #expect(r.replies.filter { $0.hasPrefix("530 login incorrect") }.count == 2)
        #expect(r.replies.last?.hasPrefix("421 ") == true, "\(r.replies)")
        #expect(r.clock.now == 3_000_000, "the second and third attempts wait 1 s and 2 s")
        #expect(!r.replies.contains { $0.hasPrefix("200") }, "NOOP after the connection closed")
    }

    @Test("after login: SITE outside the table runs nothing (502); long lines get 500 and the session goes on; HELP, FEAT, SIZE, MDTM, PWD")
    func commands() {
        let long = String(repeating: "x", count: 600)
        let r = session(["USER ulx3s", "PASS secret", "SITE EXEC import os", "NOOP \(long)", "NOOP", "HELP", "FEAT", "SIZE a.bit",
                         "MDTM a.bit", "SIZE fpga", "PWD", "CWD ..", "RETR a.bit", "FROB", "QUIT"])
        #expect(r.replies.contains("230 logged in"))
        #expect(r.replies.contains { $0.hasPrefix("502 SITE EXEC is not a TapWalker SITE command; nothing was run") })
        #expect(r.replies.contains { $0.hasPrefix("500 command line longer than 512 bytes") })
        #expect(r.replies.contains("200 NOOP ok"))
        #expect(r.replies.contains { $0.hasPrefix("214-") } && r.replies.contains("214 End"))
        #expect(r.replies.contains(" EPSV") && r.replies.contains("211 End"))
        #expect(r.replies.contains("213 5"))
        #expect(r.replies.contains("213 20231114221320"))
        #expect(r.replies.contains { $0.hasPrefix("550 fpga is a programming destination") })
        #expect(r.replies.contains("257 \"/\" is the current directory"))
        #expect(r.replies.contains { $0.hasPrefix("550 .. leads outside the served folder") })
        #expect(r.replies.contains { $0.hasPrefix("425 no data connection") })
        #expect(r.replies.contains { $0.hasPrefix("500 unknown command 'FROB'") })
        #expect(r.replies.last == "221 goodbye")
        #expect(r.log.contains { $0.contains("refused SITE 'EXEC import os'") })
    }

    @Test("anonymous logins browse but cannot store or use the board")
    func anonymous() {
        let r = session(["USER anonymous", "PASS x@y", "SIZE a.bit", "STOR fpga", "SITE IDCODE", "DELE a.bit", "QUIT"], anonymous: true)
        #expect(r.replies.contains { $0.hasPrefix("230 logged in anonymously") })
        #expect(r.replies.contains("213 5"))
        #expect(r.replies.filter { $0.hasPrefix("550 ") && $0.contains("read-only") }.count == 3, "\(r.replies)")
    }

    @Test("failed logins delay the next connection's login from the same address, and not another address's")
    func throttleAcrossConnections() {
        let clock = ManualClock()
        let s = server(clock: clock)
        let first = ScriptedConnection(script(["USER ulx3s", "PASS a", "USER ulx3s", "PASS b", "USER ulx3s", "PASS c"]))
        s.serve(first, peer: "10.0.0.5:40000", localHost: "10.0.0.1")
        #expect(replies(first.sent).last?.hasPrefix("421 ") == true)
        #expect(clock.now == 3_000_000)
        // Another address logs in at once.
        let other = ScriptedConnection(script(["USER ulx3s", "PASS secret", "QUIT"]))
        s.serve(other, peer: "10.0.0.6:40000", localHost: "10.0.0.1")
        #expect(replies(other.sent).contains("230 logged in") && clock.now == 3_000_000)
        // A new connection from the first address waits 4 s (the third failure's delay), then logs in.
        let second = ScriptedConnection(script(["USER ulx3s", "PASS secret", "QUIT"]))
        s.serve(second, peer: "10.0.0.5:40001", localHost: "10.0.0.1")
        #expect(replies(second.sent).contains("230 logged in"))
        #expect(clock.now == 7_000_000)
        #expect(s.throttle.failures("10.0.0.5") == 0, "a success clears the address")
    }

    @Test("a failed login over HTTP delays the next FTP login from that address: the servers share one throttle")
    func throttleSharedWithHTTP() {
        let h = HTTPHarness()
        let bad = HTTPHarness.post("/api/login", "user=admin&password=guess")
        #expect(HTTPHarness.statuses(h.exchange(bad, peer: "10.0.0.5:1000")) == [401])
        let s = server(clock: h.clock, throttle: h.throttle)
        let start = h.clock.now
        let c = ScriptedConnection(script(["USER ulx3s", "PASS secret", "QUIT"]))
        s.serve(c, peer: "10.0.0.5:40000", localHost: "10.0.0.1")
        #expect(replies(c.sent).contains("230 logged in"))
        #expect(h.clock.now - start == 1_000_000, "the FTP attempt waited out the HTTP failure's 1 s")
        // And an FTP failure makes HTTP answer 429.
        let f = ScriptedConnection(script(["USER ulx3s", "PASS wrong", "QUIT"]))
        s.serve(f, peer: "10.0.0.5:40001", localHost: "10.0.0.1")
        #expect(HTTPHarness.statuses(h.exchange(HTTPHarness.post("/api/login", "user=admin&password=secret"), peer: "10.0.0.5:1001")) == [429])
    }

    @Test("connections that do not log in have their own limit per address: with it reached, one more takes the place of the oldest idle one, and users still log in and work")
    func waitingLimit() {
        let clock = ManualClock()
        let log = LogBox()
        var options = FTPServerOptions()
        options.maximumClients = 2
        let s = server(clock: clock, options: options, log: log)
        var extra: ScriptedConnection?
        var user: ScriptedConnection?
        var user2: ScriptedConnection?
        // Three idle connections, each open while the next one connects (nested on this thread).
        let idle3 = HoldingConnection {
            let e = ScriptedConnection(script(["NOOP"]))
            s.serve(e, peer: "10.0.0.9:4", localHost: "10.0.0.1")
            extra = e
            let u = ScriptedConnection(script(["USER ulx3s", "PASS secret", "SIZE a.bit", "PWD", "QUIT"]))
            s.serve(u, peer: "10.0.0.5:40000", localHost: "10.0.0.1")
            user = u
            let u2 = ScriptedConnection(script(["USER ulx3s", "PASS secret", "SIZE a.bit", "QUIT"]))
            s.serve(u2, peer: "10.0.0.6:40000", localHost: "10.0.0.1")
            user2 = u2
        }
        let idle2 = HoldingConnection { s.serve(idle3, peer: "10.0.0.9:3", localHost: "10.0.0.1") }
        let idle1 = HoldingConnection { s.serve(idle2, peer: "10.0.0.9:2", localHost: "10.0.0.1") }
        s.serve(idle1, peer: "10.0.0.9:1", localHost: "10.0.0.1")
        let fourth = replies(extra?.sent ?? [])
        #expect(fourth.first?.hasPrefix("220") == true && fourth.contains("200 NOOP ok"), "\(fourth)")
        #expect(log.lines.contains { $0.contains("its place given to 10.0.0.9:4") }, "\(log.lines)")
        let worked = replies(user?.sent ?? [])
        #expect(worked.contains("230 logged in") && worked.contains("213 5") && worked.last == "221 goodbye", "\(worked)")
        let worked2 = replies(user2?.sent ?? [])
        #expect(worked2.contains("213 5"))
        // All gone: the counts are back to zero, so a full set of connections is admitted again.
        let again = ScriptedConnection(script(["USER ulx3s", "PASS secret", "QUIT"]))
        s.serve(again, peer: "10.0.0.5:40001", localHost: "10.0.0.1")
        #expect(replies(again.sent).contains("230 logged in"))
    }

    @Test("a connection that does not log in is closed at the login deadline, silent or sending NOOPs and trickled bytes")
    func loginDeadline() {
        // NOOP every 6 s (a byte a second): the deadline of 20 s is not extended.
        let clock = ManualClock()
        let trickle = TricklingConnection(script(Array(repeating: "NOOP", count: 10)), clock: clock, microsecondsPerByte: 1_000_000)
        server(clock: clock).serve(trickle, peer: "10.0.0.9:1", localHost: "10.0.0.1")
        let r = replies(trickle.sent)
        #expect(r.filter { $0 == "200 NOOP ok" }.count == 3, "\(r)")
        #expect(r.last?.hasPrefix("421 not logged in within 20 s") == true, "\(r)")
        #expect(clock.now >= 20_000_000 && clock.now <= 21_000_000)
        // Silent after USER: the receive waits only for what is left of the deadline.
        let clock2 = ManualClock()
        let silent = TricklingConnection(script(["USER ulx3s"]), clock: clock2, microsecondsPerByte: 1000)
        silent.silentAtEnd = true
        server(clock: clock2).serve(silent, peer: "10.0.0.9:2", localHost: "10.0.0.1")
        #expect(replies(silent.sent).last?.hasPrefix("421 not logged in within 20 s") == true, "\(replies(silent.sent))")
        #expect(clock2.now == 20_000_000)
        // A logged-in session is not bound by it.
        let clock3 = ManualClock()
        let user = TricklingConnection(script(["USER ulx3s", "PASS secret"] + Array(repeating: "NOOP", count: 6)), clock: clock3, microsecondsPerByte: 500_000)
        server(clock: clock3).serve(user, peer: "10.0.0.5:1", localHost: "10.0.0.1")
        #expect(replies(user.sent).filter { $0 == "200 NOOP ok" }.count == 6)
        #expect(clock3.now > 20_000_000)
    }

    @Test("a 512-byte command line is accepted (the CR LF not counted); 513 bytes get 500")
    func lineLength() {
        let exact = "NOOP " + String(repeating: "x", count: 507)
        let over = exact + "x"
        let bare = "NOOP " + String(repeating: "y", count: 507)
        var input = script([exact, over])
        input += Array(bare.utf8) + [10]
        let r = session(bytes: input)
        #expect(r.replies.count == 4, "\(r.replies)")
        #expect(r.replies[1] == "200 NOOP ok" && r.replies[2].hasPrefix("500 command line longer than 512 bytes") && r.replies[3] == "200 NOOP ok")
    }

    @Test("Telnet commands are stripped from command lines: IAC IP and IAC DM before ABOR (the DM also out of the stream), option negotiation, subnegotiation; IAC IAC is the byte 0xFF")
    func telnet() {
        let iac: UInt8 = 255
        var input = script(["USER ulx3s", "PASS secret"])
        input += [iac, 244, iac, 242] + Array("ABOR\r\n".utf8)                      // IAC IP, IAC DM (RFC 959 ABOR)
        input += [iac, 244, iac] + Array("ABOR\r\n".utf8)                           // the DM sent urgent, out of the stream
        input += Array("NO".utf8) + [iac, 251, 1] + Array("OP\r\n".utf8)            // IAC WILL ECHO inside a word
        input += [iac, 250, 24, 0] + Array("xy".utf8) + [iac, iac, iac, 240] + Array("NOOP\r\n".utf8)  // IAC SB … IAC SE
        input += Array("MKD a".utf8) + [iac, iac] + Array("b\r\n".utf8)
        input += script(["QUIT"])
        let store = OneFileStore()
        let r = session(bytes: input, store: store)
        #expect(r.replies.filter { $0 == "226 no transfer in progress" }.count == 2, "\(r.replies)")
        #expect(r.replies.filter { $0 == "200 NOOP ok" }.count == 2, "\(r.replies)")
        #expect(store.made == ["/a\u{FFFD}b"], "one 0xFF byte between a and b: \(store.made.map { Array($0.utf8) })")
        #expect(r.replies.last == "221 goodbye")
    }

    @Test("replies are plain ASCII: a UTF-8 name in a reply is sent with ? for each non-ASCII byte")
    func asciiReplies() {
        let r = session(bytes: script(["USER ulx3s", "PASS secret", "MKD café", "QUIT"]))
        let bytes = Array(r.replies.joined().utf8)
        #expect(bytes.allSatisfy { $0 < 0x80 })
        #expect(r.replies.contains { $0.hasPrefix("257 \"/caf??\" created") }, "\(r.replies)")
    }

    @Test("PORT and EPRT connect only to the client's own address, and only to ports 1024 and up")
    func activeModeTargets() {
        let r = session(["USER ulx3s", "PASS secret", "PORT 10,0,0,5,0,22", "PORT 10,0,0,5,3,255", "PORT 10,0,0,9,4,1", "PORT 10,0,0,5,4,0",
                         "EPRT |1|10.0.0.5|80|", "EPRT |1|10.0.0.6|2000|", "EPRT |1|10.0.0.5|2000|", "QUIT"])
        let answers = Array(r.replies.dropFirst(3).dropLast())
        #expect(answers.count == 7, "\(r.replies)")
        guard answers.count == 7 else { return }
        #expect(answers[0].hasPrefix("501 active mode connects only to ports 1024 to 65535, not 22"))
        #expect(answers[1].hasPrefix("501 ") && answers[1].contains("not 1023"))
        #expect(answers[2].hasPrefix("501 active mode connects only to the client's own address"))
        #expect(answers[3] == "200 PORT ok; the server will connect to 10.0.0.5:1024")
        #expect(answers[4].hasPrefix("501 ") && answers[4].contains("not 80"))
        #expect(answers[5].hasPrefix("501 active mode connects only to the client's own address"))
        #expect(answers[6] == "200 EPRT ok; the server will connect to 10.0.0.5:2000")
    }
}
