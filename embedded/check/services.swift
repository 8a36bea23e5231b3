import TapWalkerCore
import TapWalkerServices
import TapWalkerSim

// The network services in Embedded Swift: an XVC session, a remote_bitbang session and an FTP
// session, each over an in-memory connection with scripted client bytes, against the simulated
// board, each measured as a job (jobmeter.swift).

final class EmptyStore: FileStore {
    func info(_ path: String) throws(TapWalkerError) -> FileInfo { throw TapWalkerError(.input, "no files here") }
    func list(_ path: String) throws(TapWalkerError) -> [FileInfo] { [] }
    func openForReading(_ path: String, offset: Int) throws(TapWalkerError) -> any ByteSource { throw TapWalkerError(.input, "no files here") }
    func openForWriting(_ path: String, append: Bool) throws(TapWalkerError) -> any FileWriter { throw TapWalkerError(.input, "read-only") }
    func rename(_ from: String, to: String) throws(TapWalkerError) {}
    func removeFile(_ path: String) throws(TapWalkerError) {}
    func makeDirectory(_ path: String) throws(TapWalkerError) {}
    func removeDirectory(_ path: String) throws(TapWalkerError) {}
}

final class NoChannels: FTPDataChannels {
    func listen(host: String) throws(TapWalkerError) -> any FTPPassiveListener { throw TapWalkerError(.input, "no sockets") }
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) -> any NetworkConnection {
        throw TapWalkerError(.input, "no sockets")
    }
}

/// XVC: getinfo, then a shift from Test-Logic-Reset into Shift-DR reading the 32-bit IDCODE.
func xvcReadsIDCODE() -> Bool {
    // TMS, LSB first: 1,1,1,1,1 (reset), 0,1,0,0 (to Shift-DR), 31 × 0, then 1 on the last bit.
    let tms: [UInt8] = [0x5F, 0x00, 0x00, 0x00, 0x00, 0x01]
    let request = Array("getinfo:shift:".utf8) + [41, 0, 0, 0] + tms + [UInt8](repeating: 0, count: 6)
    let connection = ScriptedConnection(request)
    connection.reserveReplies(64)
    let cable = MeteredCable()
    let clock = ManualClock()
    let meter = JobMeter("XVC session", .xvcSession)
    let summary = XVCServer(cable: cable, clock: clock).serve(connection)
    meter.finish()
    let info = Array("xvcServer_v1.0:\(XVCServer.advertisedVectorBytes)\n".utf8)
    guard summary.closedBecause == nil, connection.sent.count == info.count + 6 else { return false }
    let tdo = Array(connection.sent[info.count...])
    var idcode: UInt32 = 0
    for k in 0..<32 where tdo[(9 + k) / 8] >> UInt8((9 + k) % 8) & 1 == 1 { idcode |= 1 << UInt32(k) }
    print("embedded-check: XVC session read IDCODE \(ASCII.hex(idcode))")
    return idcode == 0x4111_3043
}

/// remote_bitbang, as OpenOCD drives it: TCK low with TMS/TDI, `R`, TCK high, per bit. Five TMS
/// 1s reset the TAP, 0,1,0,0 reach Shift-DR, then 32 bits of IDCODE are read, the last with TMS 1.
func remoteBitbangReadsIDCODE() -> Bool {
    var request: [UInt8] = []
    func bit(tms: Bool, read: Bool) {
        let level = UInt8(ascii: "0") + (tms ? 2 : 0)
        request.append(level)
        if read { request.append(UInt8(ascii: "R")) }
        request.append(level + 4)
    }
    for tms in [true, true, true, true, true, false, true, false, false] { bit(tms: tms, read: false) }
    for k in 0..<32 { bit(tms: k == 31, read: true) }
    request.append(UInt8(ascii: "Q"))
    let connection = ScriptedConnection(request)
    connection.reserveReplies(64)
    let cable = MeteredCable()
    let clock = ManualClock()
    let meter = JobMeter("remote_bitbang session", .remoteBitbangSession)
    let summary = RemoteBitbangServer(cable: cable, clock: clock).serve(connection)
    meter.finish()
    guard summary.closedBecause == nil, connection.sent.count == 32 else { return false }
    var idcode: UInt32 = 0
    for k in 0..<32 where connection.sent[k] == UInt8(ascii: "1") { idcode |= 1 << UInt32(k) }
    print("embedded-check: remote_bitbang session read IDCODE \(ASCII.hex(idcode))")
    return idcode == 0x4111_3043
}

/// FTP: a wrong password refused, the right one accepted, SITE IDCODE answered from the board.
func ftpSiteIDCODE() -> Bool {
    var request: [UInt8] = []
    for line in ["USER ulx3s", "PASS wrong", "USER ulx3s", "PASS secret", "SITE IDCODE", "SITE EXEC print(1)", "QUIT"] {
        request += Array(line.utf8) + [13, 10]
    }
    let connection = ScriptedConnection(request)
    connection.reserveReplies(1024)
    let clock = ManualClock()
    let cable = MeteredCable()
    let meter = JobMeter("FTP session", .ftpSession)
    let server = FTPServer(
        store: EmptyStore(), channels: NoChannels(),
        board: BoardService(cable: cable, lock: JobLock(mutex: NoMutex()), clock: clock),
        accounts: Accounts(user: Array("ulx3s".utf8), password: Array("secret".utf8), anonymousRead: false),
        clock: clock, mutex: NoMutex()) { _, _ in }
    server.serve(connection, peer: "10.0.0.5:40000", localHost: "10.0.0.1")
    meter.finish()
    var codes: [String] = []
    var idcodeLine = false
    var line: [UInt8] = []
    for b in connection.sent {
        if b == 10 {
            if line.count >= 4, line[3] == UInt8(ascii: " ") { codes.append(String(decoding: line[0..<3], as: UTF8.self)) }
            if containsIDCODE(line) { idcodeLine = true }
            line = []
        } else if b != 13 {
            line.append(b)
        }
    }
    var summary = ""
    for c in codes { summary += c + " " }
    print("embedded-check: FTP session replies \(summary)")
    // 220 greeting, 331, 530 (wrong password), 331, 230, 250 (IDCODE), 502 (not in the SITE table), 221.
    let expected = ["220", "331", "530", "331", "230", "250", "502", "221"]
    guard codes.count == expected.count else { return false }
    for (a, b) in zip(codes, expected) where !ASCII.equal(Array(a.utf8), b) { return false }
    return idcodeLine
}

private func containsIDCODE(_ line: [UInt8]) -> Bool {
    let needle = Array("41113043".utf8)
    guard line.count >= needle.count else { return false }
    for i in 0...(line.count - needle.count) where Array(line[i..<(i + needle.count)]).map(ASCII.fold) == needle {
        return true
    }
    return false
}

final class CountingRandom: RandomSource {
    var next: UInt8 = 0
    func fill(_ bytes: inout [UInt8]) {
        for i in 0..<bytes.count { next &+= 37; bytes[i] = next }
    }
}

/// What the device holds with every service set up and no client: the board service with its lock,
/// the XVC and remote_bitbang servers, the FTP server, and the HTTP server with its sessions, login
/// throttle and job events (the page is a StaticString in flash, not heap). Printed for the README's
/// figure of the whole device at rest; the servers' per-client memory is measured by the sessions.
func idleServicesHeap() -> Int {
    let clock = ManualClock()
    let cable = MeteredCable()
    let before = meter_heap_live()
    let board = BoardService(cable: cable, lock: JobLock(mutex: NoMutex()), clock: clock)
    board.inputBufferLimit = FlashChip.sectorSize
    let accounts = Accounts(user: Array("ulx3s".utf8), password: Array("secret".utf8), anonymousRead: false)
    let xvc = XVCServer(cable: cable, clock: clock)
    let rbb = RemoteBitbangServer(cable: cable, clock: clock)
    let ftp = FTPServer(store: EmptyStore(), channels: NoChannels(), board: board, accounts: accounts,
                        clock: clock, mutex: NoMutex()) { _, _ in }
    let router = HTTPRouter(
        accounts: accounts, sessions: SessionStore(mutex: NoMutex(), clock: clock, random: CountingRandom()),
        throttle: LoginThrottle(mutex: NoMutex(), clock: clock), store: EmptyStore(), board: nil,
        events: HTTPJobEvents(mutex: NoMutex(), clock: clock), clock: clock) { _, _ in }
    let http = HTTPServer(router: router, clock: clock, mutex: NoMutex()) { _, _ in }
    let held = meter_heap_live() - before
    withExtendedLifetime((board, xvc, rbb, ftp, http)) {}
    print("embedded-check: idle services (board service, XVC, remote_bitbang, FTP, HTTP): \(held) B of heap held")
    return held
}
