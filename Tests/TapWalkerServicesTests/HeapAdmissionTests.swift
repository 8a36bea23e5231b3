import Testing
import TapWalkerCore
import TapWalkerServices
import TapWalkerSim

/// A heap whose free bytes the test sets.
private final class SetHeap: HeapGauge {
    var free: Int
    init(_ free: Int) { self.free = free }
    func freeBytes() -> Int { free }
    func beginMeasuring() -> Int? { nil }
    func endMeasuring(_ mark: Int) -> Int { 0 }
}

@Suite("admission by memory")
struct HeapAdmissionTests {
    let connection = HeapFigure.bytes(.ftpControl)

    @Test("connections are admitted while their figures fit beside the reserve, then refused with why; a finished one frees its share")
    func ledger() throws {
        let heap = SetHeap(0)
        let admission = HeapAdmission(gauge: heap, mutex: NoMutex(), clock: ManualClock())
        // Room for exactly three connections beside the reserve, however much is free now.
        heap.free = admission.reserve + 3 * connection
        admission.startLedger()
        heap.free = 10 * 1024 * 1024
        var tickets: [HeapAdmission.Ticket] = []
        for _ in 0..<3 { tickets.append(try admission.admit(.ftpControl).get()) }
        guard case .failure(let refusal) = admission.admit(.ftpControl) else {
            Issue.record("a fourth connection was admitted")
            return
        }
        #expect(refusal.message.contains("not enough memory for another FTP connection"))
        #expect(refusal.message.contains("kept for the console and one board job"))
        admission.finish(tickets.removeLast())
        #expect((try? admission.admit(.ftpControl).get()) != nil)
    }

    @Test("the free heap now also has a say: what the ledger does not see (the network's buffers) refuses work")
    func liveCheck() {
        let heap = SetHeap(1024 * 1024)
        let admission = HeapAdmission(gauge: heap, mutex: NoMutex(), clock: ManualClock())
        admission.startLedger()
        heap.free = admission.reserve + connection - 1
        #expect((try? admission.admit(.ftpControl).get()) == nil)
        heap.free = admission.reserve + connection
        #expect((try? admission.admit(.ftpControl).get()) != nil)
    }

    @Test("a board job takes the reserve's share: admitted while connections fill the ledger, refused only when the heap itself is short")
    func boardJob() throws {
        let heap = SetHeap(0)
        let admission = HeapAdmission(gauge: heap, mutex: NoMutex(), clock: ManualClock())
        heap.free = admission.reserve + connection
        admission.startLedger()
        _ = try admission.admit(.ftpControl).get()
        #expect((try? admission.admit(.ftpControl).get()) == nil)
        heap.free = admission.reserve
        #expect((try? admission.admit(.sramJob).get()) != nil)
        heap.free = HeapFigure.bytes(.sramJob)
        #expect((try? admission.admit(.sramJob).get()) == nil)
    }
}

/// A connection waiting to log in whose memory comes back to `heap` when it is pushed out.
private final class WaitingConnection: NetworkConnection {
    let heap: SetHeap
    let holds: Int
    private(set) var pushedOut = false
    init(_ heap: SetHeap, holds: Int) {
        self.heap = heap
        self.holds = holds
    }
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {}
    func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) {}
    func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int { 0 }
    func close() {}
    func shutdown() {
        if !pushedOut { heap.free += holds }
        pushedOut = true
    }
}

private final class NoStore: FileStore {
    func info(_ path: String) throws(TapWalkerError) -> FileInfo {
        if ASCII.equal(path, "/") { return FileInfo(name: "/", isDirectory: true, size: 0, modified: 0) }
        return FileInfo(name: "a.bit", isDirectory: false, size: 5, modified: 0)
    }
    func list(_ path: String) throws(TapWalkerError) -> [FileInfo] { [] }
    func openForReading(_ path: String, offset: Int) throws(TapWalkerError) -> any ByteSource { MemorySource([1, 2, 3, 4, 5]) }
    func openForWriting(_ path: String, append: Bool) throws(TapWalkerError) -> any FileWriter { throw TapWalkerError(.input, "read-only") }
    func rename(_ from: String, to: String) throws(TapWalkerError) {}
    func removeFile(_ path: String) throws(TapWalkerError) {}
    func makeDirectory(_ path: String) throws(TapWalkerError) {}
    func removeDirectory(_ path: String) throws(TapWalkerError) {}
}

private final class NoChannels: FTPDataChannels {
    var asked = 0
    func listen(host: String) throws(TapWalkerError) -> any FTPPassiveListener {
        asked += 1
        throw TapWalkerError(.input, "no sockets in this test")
    }
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) -> any NetworkConnection {
        asked += 1
        throw TapWalkerError(.input, "no sockets in this test")
    }
}

private let basic = "Authorization: Basic YWRtaW46c2VjcmV0\r\n"  // admin:secret

/// A clock that only moves when told to, and runs `onSleep` whenever someone sleeps on it.
private final class HookClock: ServiceClock {
    var now: UInt64 = 0
    var onSleep: () -> Void = {}
    func microseconds() -> UInt64 { now }
    func sleep(microseconds: UInt32) {
        now += UInt64(microseconds)
        onSleep()
    }
}

@Suite("admission by memory in the servers")
struct HeapAdmissionServerTests {
    @Test("short of memory, a connection waiting to log in is pushed out for a client's work, and once its memory is back the work is admitted")
    func pushOut() throws {
        let heap = SetHeap(0)
        let clock = HookClock()
        let admission = HeapAdmission(gauge: heap, mutex: NoMutex(), clock: clock)
        let figure = HeapFigure.bytes(.ftpControl)
        heap.free = admission.reserve + figure
        admission.startLedger()
        let slots = PreLoginSlots(total: 4, perAddress: 2, mutex: NoMutex(), clock: clock)
        admission.register(slots)
        var pushed: [String] = []
        admission.log = { peer, _ in pushed.append(peer) }
        // A flooder's connection takes the ledger's room and its memory, and waits for its client.
        let ticket = try admission.admit(.ftpControl, peer: "10.0.0.9:1000").get()
        heap.free -= figure
        let idler = WaitingConnection(heap, holds: figure)
        let place = try #require(slots.enter(idler, peer: "10.0.0.9:1000"))
        slots.setWaiting(place.id, true)
        clock.now += 2 * PreLoginSlots.graceMicroseconds
        // Its task ends once it is pushed out and gives its ticket back (here: on the admission's wait).
        var finished = false
        clock.onSleep = {
            if idler.pushedOut && !finished {
                finished = true
                admission.finish(ticket)
            }
        }
        let user = admission.admit(.ftpControl, peer: "10.0.0.9:2000")
        #expect(idler.pushedOut)
        #expect(pushed == ["10.0.0.9:1000"])
        #expect((try? user.get()) != nil)
        // Nothing left to push out: refused at once, with why.
        guard case .failure(let refusal) = admission.admit(.ftpControl, peer: "10.0.0.7:3000") else {
            Issue.record("admitted with no memory left")
            return
        }
        #expect(refusal.message.contains("not enough memory for another FTP connection"))
    }

    @Test("FTP: a transfer or a board job without the memory is refused with 451 and why before a data connection is opened; the session goes on")
    func ftp451() {
        let heap = SetHeap(4 * 1024 * 1024)
        let clock = ManualClock()
        let admission = HeapAdmission(gauge: heap, mutex: NoMutex(), clock: clock)
        admission.startLedger()
        heap.free = admission.reserve - 1  // less than the reserve: not even a board job fits
        let channels = NoChannels()
        let server = FTPServer(
            store: NoStore(), channels: channels,
            board: BoardService(cable: SimCable(options: SimOptions()), lock: JobLock(mutex: NoMutex()), clock: clock),
            accounts: Accounts(user: Array("ulx3s".utf8), password: Array("secret".utf8), anonymousRead: false),
            clock: clock, mutex: NoMutex()) { _, _ in }
        server.memory = admission
        var input: [UInt8] = []
        for line in ["USER ulx3s", "PASS secret", "RETR a.bit", "STOR fpga", "SITE IDCODE", "NOOP", "QUIT"] { input += Array(line.utf8) + [13, 10] }
        let connection = ScriptedConnection(input)
        server.serve(connection, peer: "10.0.0.5:40000", localHost: "10.0.0.1")
        let replies = String(decoding: connection.sent, as: UTF8.self).split(separator: "\r\n").map(String.init)
        let refusals = replies.filter { $0.hasPrefix("451 not enough memory") }
        #expect(refusals.count == 3, "\(replies)")
        #expect(refusals.first?.contains("FTP transfer") == true)
        #expect(refusals.dropFirst().allSatisfy { $0.contains("board job") && $0.contains("nothing was done, try again in 5 s") })
        #expect(replies.contains { $0.hasPrefix("200") }, "NOOP still answered: \(replies)")
        #expect(channels.asked == 0)
        #expect(admission.ledger.committed == 0)
    }

    @Test("HTTP: an upload or a board job without the memory is 503 with Retry-After and why, nothing stored or run; with memory it goes through")
    func http503() {
        let board = FakeBoard()
        let h = HTTPHarness(board: board)
        let heap = SetHeap(4 * 1024 * 1024)
        let admission = HeapAdmission(gauge: heap, mutex: NoMutex(), clock: h.clock)
        admission.startLedger()
        h.router.memory = admission
        heap.free = admission.reserve - 1
        let upload = h.exchange("PUT /api/files/a.bin HTTP/1.1\r\n\(basic)Content-Length: 3\r\n\r\nabc")
        #expect(HTTPHarness.statuses(upload) == [503], "\(upload)")
        #expect(upload.contains("Retry-After: 5") && upload.contains("not enough memory for another upload or download"))
        #expect(h.store.files.isEmpty)
        let load = h.exchange("PUT /api/fpga HTTP/1.1\r\n\(basic)Content-Length: 3\r\n\r\nabc")
        #expect(HTTPHarness.statuses(load) == [503] && load.contains("board job"), "\(load)")
        #expect(board.jobs.isEmpty)
        heap.free = 4 * 1024 * 1024
        #expect(HTTPHarness.statuses(h.exchange("PUT /api/files/a.bin HTTP/1.1\r\n\(basic)Content-Length: 3\r\n\r\nabc")) == [201])
        #expect(HTTPHarness.statuses(h.exchange("PUT /api/fpga HTTP/1.1\r\n\(basic)Content-Length: 3\r\n\r\nabc")) == [200])
        #expect(board.jobs == ["sram"])
        #expect(admission.ledger.committed == 0)
    }
}

/// An input that notes what the ledger holds each time the job reads it.
private final class LedgerWatchingSource: ByteSource {
    private let inner: StreamSource
    private let admission: HeapAdmission
    var seen: [Int] = []
    init(_ bytes: [UInt8], _ admission: HeapAdmission) {
        inner = StreamSource(bytes)
        self.admission = admission
    }
    var name: String { inner.name }
    var totalBytes: Int? { nil }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        seen.append(admission.ledger.committed)
        return try inner.read(into: buffer)
    }
}

@Suite("admission by memory: a compressed input's decoder")
struct DecoderAdmissionTests {
    let decoder = HeapFigure.bytes(.inflater)

    /// A board running blink-25f whose service admits by memory, with `room` bytes of the ledger
    /// beside the reserve and plenty free now.
    func board(room: Int) -> (BoardFixture, HeapAdmission) {
        let fixture = BoardFixture(part: "25f")
        let heap = SetHeap(0)
        let admission = HeapAdmission(gauge: heap, mutex: NoMutex(), clock: ManualClock())
        heap.free = admission.reserve + room
        admission.startLedger()
        heap.free = 10 * 1024 * 1024
        fixture.board.memory = admission
        return (fixture, admission)
    }

    @Test("a gzipped load is refused with why when the ledger has room for a plain job but not for the decoder, the board untouched")
    func refused() throws {
        let (fixture, admission) = board(room: decoder - 1)
        let plain = Examples.bytes("ram-25f.bit")
        let gz = try Deflater.compress(plain, windowBits: 15, format: .gzip)
        let before = fixture.sim.statistics.tckCycles
        let refused = fixture.board.loadSRAM(StreamSource(gz))
        let message = refused.failure?.message ?? ""
        #expect(message.contains("not enough memory for another gzip or zlib decoder now"), "\(message)")
        #expect(message.contains("kept for the console and one board job") && message.contains("nothing was done, try again in 5 s"))
        #expect(refused.idcode == nil && !refused.sramTouched)
        #expect(fixture.sim.statistics.tckCycles == before, "the board was not touched")
        #expect(fixture.done, "blink-25f still runs")
        #expect(admission.ledger.committed == 0)
        // The same bytes uncompressed need no decoder: the job's share is the reserve.
        let loaded = fixture.board.loadSRAM(StreamSource(plain))
        #expect(loaded.failure == nil && fixture.done)
        #expect(admission.ledger.committed == 0)
    }

    @Test("with room, a gzipped load holds the decoder's figure while it reads and gives it back when it ends, also when it fails")
    func admittedAndReleased() throws {
        let (fixture, admission) = board(room: decoder)
        let gz = try Deflater.compress(Examples.bytes("ram-25f.bit"), windowBits: 15, format: .gzip)
        let input = LedgerWatchingSource(gz, admission)
        let loaded = fixture.board.loadSRAM(input)
        #expect(loaded.failure == nil && fixture.done, "\(loaded.failure?.message ?? "")")
        #expect(input.seen.count > 1 && input.seen.dropFirst().allSatisfy { $0 == decoder }, "\(input.seen)")
        #expect(admission.ledger.committed == 0)
        // A stream cut short fails the job; its decoder's share comes back all the same.
        let cut = fixture.board.loadSRAM(StreamSource(Array(gz.prefix(gz.count / 2))))
        #expect(cut.failure != nil)
        #expect(admission.ledger.committed == 0)
        // An SVF, read twice (checked, then played), holds one decoder for the job.
        let svf = try Deflater.compress(Examples.bytes("blink-25f.svf"), windowBits: 15, format: .gzip)
        var opened = 0
        let played = fixture.board.playSVF(checkFirst: true) { () throws(TapWalkerError) -> any ByteSource in
            opened += 1
            return StreamSource(svf)
        }
        #expect(played.failure == nil && opened == 2, "\(played.failure?.message ?? "")")
        #expect(admission.ledger.committed == 0)
    }
}
