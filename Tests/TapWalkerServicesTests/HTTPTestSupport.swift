import TapWalkerCore
import TapWalkerServices

final class HTTPNoMutex: PlatformMutex {
    func lock() {}
    func unlock() {}
}

/// Counts up: distinct tokens, enough for tests (the real sources are the OS and the device RNG).
final class CountingRandom: RandomSource {
    var next: UInt8 = 1
    func fill(_ bytes: inout [UInt8]) {
        for i in bytes.indices { bytes[i] = next &+ UInt8(truncatingIfNeeded: i) }
        next &+= 1
    }
}

/// A connection whose every receive takes `step` microseconds of a manual clock: a client that
/// trickles its bytes.
final class TricklingConnection: NetworkConnection {
    private var bytes: [UInt8]
    private let clock: ManualClock
    private let step: UInt64
    private(set) var sent: [UInt8] = []
    /// When the bytes run out: wait out the timeout (as a silent peer makes a socket do) instead of
    /// reporting the end of the connection.
    var silentAtEnd = false

    init(_ bytes: [UInt8], clock: ManualClock, microsecondsPerByte: UInt64) {
        self.bytes = bytes
        self.clock = clock
        self.step = microsecondsPerByte
    }

    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {}
    func send(_ b: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) { sent += b }
    func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int {
        if bytes.isEmpty && silentAtEnd {
            clock.now += UInt64(timeoutMilliseconds) * 1000
            throw TapWalkerError(.input, "timed out")
        }
        guard !bytes.isEmpty else { return 0 }
        clock.now += step
        buffer[0] = bytes.removeFirst()
        return 1
    }
    func close() {}
}

/// Files and directories in memory, for the file routes.
final class MemoryFileStore: FileStore {
    var files: [String: [UInt8]] = [:]
    var directories: Set<String> = ["/"]

    final class Writer: FileWriter {
        let store: MemoryFileStore
        let path: String
        init(_ store: MemoryFileStore, _ path: String) { self.store = store; self.path = path }
        func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) { store.files[path, default: []] += bytes }
        func close() throws(TapWalkerError) {}
    }

    private func parent(_ path: String) -> String {
        let b = Array(path.utf8)
        let i = b.lastIndex(of: UInt8(ascii: "/"))!
        return i == 0 ? "/" : String(decoding: b[..<i], as: UTF8.self)
    }

    func info(_ path: String) throws(TapWalkerError) -> FileInfo {
        if directories.contains(path) { return FileInfo(name: path, isDirectory: true, size: 0, modified: 0) }
        guard let f = files[path] else { throw TapWalkerError(.input, "no such file or directory: \(path)") }
        return FileInfo(name: path, isDirectory: false, size: f.count, modified: 0)
    }
    func list(_ path: String) throws(TapWalkerError) -> [FileInfo] {
        let names = files.keys.filter { parent($0) == path }.sorted()
        return names.map { FileInfo(name: String(decoding: StorePath.lastComponent(Array($0.utf8)), as: UTF8.self), isDirectory: false, size: files[$0]!.count, modified: 0) }
    }
    func openForReading(_ path: String, offset: Int) throws(TapWalkerError) -> any ByteSource {
        guard let f = files[path] else { throw TapWalkerError(.input, "no such file: \(path)") }
        return MemorySource(Array(f[offset...]), name: path)
    }
    func openForWriting(_ path: String, append: Bool) throws(TapWalkerError) -> any FileWriter {
        guard directories.contains(parent(path)) else { throw TapWalkerError(.input, "no such directory: \(parent(path))") }
        if !append { files[path] = [] }
        return Writer(self, path)
    }
    func rename(_ from: String, to: String) throws(TapWalkerError) {
        guard let f = files.removeValue(forKey: from) else { throw TapWalkerError(.input, "no such file: \(from)") }
        files[to] = f
    }
    func removeFile(_ path: String) throws(TapWalkerError) {
        guard files.removeValue(forKey: path) != nil else { throw TapWalkerError(.input, "no such file: \(path)") }
    }
    func makeDirectory(_ path: String) throws(TapWalkerError) { directories.insert(path) }
    func removeDirectory(_ path: String) throws(TapWalkerError) { directories.remove(path) }
}

/// A board for the routing tests: records what it was asked, answers as told.
final class FakeBoard: HTTPBoardActions {
    var holder: String?
    var received: [UInt8] = []
    var jobs: [String] = []

    func describe(holder: String, readFlash: Bool) -> HTTPBoardAnswer {
        if let h = self.holder { return .busy(holder: h) }
        if readFlash { jobs.append("flash info") }
        return .done(json: "{\"ok\":true,\"part\":\"LFE5U-25F\"}")
    }

    func run(_ job: HTTPBoardJob, input: any ByteSource, holder: String, events: HTTPJobEvents) -> HTTPBoardAnswer {
        if let h = self.holder { return .busy(holder: h) }
        events.start(job: "sram", holder: holder)
        switch job {
        case .sram: jobs.append("sram")
        case .flash(let a): jobs.append("flash \(a)")
        case .sd(let a): jobs.append("sd \(a)")
        case .reload: jobs.append("reload")
        case .bootCheck: jobs.append("boot check")
        }
        var chunk = [UInt8](repeating: 0, count: 1000)
        do throws(TapWalkerError) {
            while true {
                let n = try chunk.withMutableBytes { (p) throws(TapWalkerError) -> Int in try input.read(into: p) }
                if n == 0 { break }
                received += chunk[0..<n]
                events.progress(bytes: received.count, total: input.totalBytes)
            }
        } catch {
            return .failed(status: 400, json: HTTPJSON.error(error.message))
        }
        return .done(json: "{\"ok\":true,\"bytes\":\(received.count)}")
    }

    func readFlash(
        address: Int, length: Int, holder: String, events: HTTPJobEvents,
        output: (UnsafeRawBufferPointer) throws(TapWalkerError) -> Void
    ) -> HTTPBoardAnswer {
        if let h = self.holder { return .busy(holder: h) }
        jobs.append("flash read")
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: address + $0) }
        do throws(TapWalkerError) { try bytes.withBytes { (p) throws(TapWalkerError) in try output(p) } } catch {
            return .failed(status: 500, json: HTTPJSON.error(error.message))
        }
        return .done(json: "{\"ok\":true}")
    }
}

/// A server over in-memory parts, and helpers to run scripted requests against it.
final class HTTPHarness {
    let clock = ManualClock()
    let store = MemoryFileStore()
    let board: FakeBoard?
    let throttle: LoginThrottle
    let server: HTTPServer
    let events: HTTPJobEvents
    var logLines: [String] = []

    init(anonymousRead: Bool = false, board: FakeBoard? = nil, options: HTTPServerOptions = HTTPServerOptions(), pageFromBinary: Bool = false,
         wifi: (any HTTPWiFiSettings)? = nil) {
        self.board = board
        let accounts = Accounts(user: Array("admin".utf8), password: Array("secret".utf8), anonymousRead: anonymousRead)
        throttle = LoginThrottle(mutex: NoMutex(), clock: clock)
        let sessions = SessionStore(mutex: NoMutex(), clock: clock, random: CountingRandom())
        events = HTTPJobEvents(mutex: NoMutex(), clock: clock)
        let box = LogBoxHTTP()
        let router = HTTPRouter(
            accounts: accounts, sessions: sessions, throttle: throttle, store: store, board: board, events: events,
            page: pageFromBinary ? HTTPPage.html : "<!doctype html><title>t</title>", options: options, clock: clock, wifi: wifi,
            log: { box.lines.append($0 + " " + $1) })
        server = HTTPServer(router: router, clock: clock, mutex: NoMutex(), log: { box.lines.append($0 + " " + $1) })
    }

    /// Serves one connection that sends `pieces`; returns everything the server sent.
    func exchange(_ pieces: [String], peer: String = "10.0.0.5:40000") -> String {
        let c = ScriptedConnection(pieces.map { Array($0.utf8) })
        server.serve(c, peer: peer)
        return String(decoding: c.sent, as: UTF8.self)
    }

    func exchange(_ text: String, peer: String = "10.0.0.5:40000") -> String { exchange([text], peer: peer) }

    /// Logs in by form and returns (cookie, csrf).
    func login(peer: String = "10.0.0.5:40001") -> (cookie: String, csrf: String) {
        let out = exchange(HTTPHarness.post("/api/login", "user=admin&password=secret"), peer: peer)
        let cookie = HTTPHarness.between(out, "Set-Cookie: tw_session=", ";")
        let csrf = HTTPHarness.between(out, "\"csrf\":\"", "\"")
        return (cookie, csrf)
    }

    static func post(_ path: String, _ body: String, headers: String = "") -> String {
        "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
    }

    static func between(_ text: String, _ a: String, _ b: String) -> String {
        let t = Array(text.utf8), aa = Array(a.utf8), bb = Array(b.utf8)
        guard t.count >= aa.count else { return "" }
        for i in 0...(t.count - aa.count) where Array(t[i..<(i + aa.count)]) == aa {
            var j = i + aa.count
            while j + bb.count <= t.count && Array(t[j..<(j + bb.count)]) != bb { j += 1 }
            return String(decoding: t[(i + aa.count)..<j], as: UTF8.self)
        }
        return ""
    }

    /// The status codes of the answers in `text`, in order.
    static func statuses(_ text: String) -> [Int] {
        var out: [Int] = []
        let t = Array(text.utf8), p = Array("HTTP/1.1 ".utf8)
        var i = 0
        while i + p.count + 3 <= t.count {
            if Array(t[i..<(i + p.count)]) == p, let n = Int(String(decoding: t[(i + p.count)..<(i + p.count + 3)], as: UTF8.self)) {
                out.append(n)
                i += p.count + 3
            } else { i += 1 }
        }
        return out
    }
}

final class LogBoxHTTP { var lines: [String] = [] }
