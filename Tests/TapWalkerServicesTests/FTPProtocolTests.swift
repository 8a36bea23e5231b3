import Testing
import TapWalkerCore
import TapWalkerServices
import TapWalkerSim

// The FTP protocol logic without sockets: scripted control connections, a store with one file,
// no data connections. The real clients are in TapWalkerCLITests/FTPServerTests.

private final class NoMutex: PlatformMutex {
    func lock() {}
    func unlock() {}
}

private final class OneFileStore: FTPFileStore {
    func info(_ path: String) throws(TapWalkerError) -> FTPFileInfo {
        if ASCII.equal(path, "/") { return FTPFileInfo(name: "/", isDirectory: true, size: 0, modified: 0) }
        if ASCII.equal(path, "/a.bit") { return FTPFileInfo(name: "a.bit", isDirectory: false, size: 5, modified: 1_700_000_000) }
        throw TapWalkerError(.input, "\(path): No such file or directory")
    }
    func list(_ path: String) throws(TapWalkerError) -> [FTPFileInfo] { [try info("/a.bit")] }
    func openForReading(_ path: String, offset: Int) throws(TapWalkerError) -> any ByteSource { MemorySource([1, 2, 3, 4, 5]) }
    func openForWriting(_ path: String, append: Bool) throws(TapWalkerError) -> any FTPFileWriter { throw TapWalkerError(.input, "read-only store") }
    func rename(_ from: String, to: String) throws(TapWalkerError) {}
    func removeFile(_ path: String) throws(TapWalkerError) {}
    func makeDirectory(_ path: String) throws(TapWalkerError) {}
    func removeDirectory(_ path: String) throws(TapWalkerError) {}
}

private final class NoChannels: FTPDataChannels {
    func listen(host: String) throws(TapWalkerError) -> any FTPPassiveListener { throw TapWalkerError(.input, "no sockets in this test") }
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) -> any NetworkConnection {
        throw TapWalkerError(.input, "no sockets in this test")
    }
}

/// Runs one session over `lines` and returns the reply lines and the clock (sleeps advance it).
private func session(_ lines: [String], anonymous: Bool = false) -> (replies: [String], clock: ManualClock, log: [String]) {
    var input: [UInt8] = []
    for l in lines { input += Array(l.utf8) + [13, 10] }
    let connection = ScriptedConnection(input)
    let clock = ManualClock()
    let log = LogBox()
    let server = FTPServer(
        store: OneFileStore(), channels: NoChannels(),
        board: BoardService(cable: SimCable(options: SimOptions()), lock: JobLock(mutex: NoMutex()), clock: clock),
        accounts: FTPAccounts(user: Array("ulx3s".utf8), password: Array("secret".utf8), anonymousRead: anonymous),
        clock: clock, mutex: NoMutex()) { _, text in log.lines.append(text) }
    server.serve(connection, peer: "10.0.0.5:40000", localHost: "10.0.0.1")
    let text = String(decoding: connection.sent, as: UTF8.self)
    return (text.split(separator: "\r\n").map(String.init), clock, log.lines)
}

private final class LogBox { var lines: [String] = [] }

@Suite("FTP protocol")
struct FTPProtocolTests {
    @Test("paths resolve inside the root; .. above it is refused, not clamped")
    func paths() throws {
        func resolve(_ a: String, _ d: String) throws(TapWalkerError) -> String {
            String(decoding: try FTPPath.resolve(Array(a.utf8), in: Array(d.utf8)), as: UTF8.self)
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
        let a = FTPAccounts(user: Array("ulx3s".utf8), password: Array("secret".utf8), anonymousRead: false)
        #expect(a.check(name: Array("ulx3s".utf8), password: Array("secret".utf8)) != nil)
        #expect(a.check(name: Array("ulx3s".utf8), password: Array("secre".utf8)) == nil)
        #expect(a.check(name: Array("ulx3s".utf8), password: Array("secret2".utf8)) == nil)
        #expect(a.check(name: Array("anonymous".utf8), password: []) == nil)
        let b = FTPAccounts(user: nil, password: nil, anonymousRead: true)
        if case .readOnly? = b.check(name: Array("ftp".utf8), password: []) {} else { Issue.record("anonymous should be read-only") }
        #expect(FTPAccounts(user: nil, password: nil, anonymousRead: false).configurationProblem != nil)
    }

    @Test("listing lines and dates are what ls -l and RFC 3659 say")
    func listing() {
        let f = FTPFileInfo(name: "blink.bit", isDirectory: false, size: 1_927_725, modified: 1_700_000_000)
        #expect(FTPListing.longLine(f) == "-rw-r--r-- 1 tapwalker tapwalker      1927725 Nov 14  2023 blink.bit")
        #expect(FTPListing.facts(f, writable: true) == "type=file;size=1927725;modify=20231114221320;perm=rwadf; blink.bit")
        #expect(UTCDate(951_782_400).compact == "20000229000000")  // a leap day
        #expect(UTCDate(0).compact == "19700101000000")
    }

    @Test("before login only the login commands work (530); a wrong password is slowed down and gets 530; the third closes")
    func login() {
        let r = session(["STOR fpga", "SITE STATUS", "LIST", "USER ulx3s", "PASS wrong", "USER ulx3s", "PASS wrong", "USER ulx3s", "PASS wrong", "NOOP"])
        #expect(r.replies[0].hasPrefix("220 "))
        #expect(r.replies[1].hasPrefix("530 ") && r.replies[2].hasPrefix("530 ") && r.replies[3].hasPrefix("530 "))
        #expect(r.replies.filter { $0.hasPrefix("530 login incorrect") }.count == 2)
        #expect(r.replies.last?.hasPrefix("421 ") == true, "\(r.replies)")
        #expect(r.clock.now == 7_000_000, "1 s, 2 s and 4 s of delay")
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
        #expect(r.replies.contains { $0.hasPrefix("550 .. leads outside the FTP root") })
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
}
