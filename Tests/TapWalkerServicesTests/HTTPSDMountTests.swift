import Testing
import TapWalkerCore
import TapWalkerSim
@testable import TapWalkerServices

/// A card whose file system mounts and releases, as the device's does.
final class MountableCard: SDCard {
    var mounted = false
    var fails: TapWalkerError?
    var name: String { "sd" }
    func size() throws(TapWalkerError) -> Int { 4096 }
    func write(at offset: Int, _ data: UnsafeRawBufferPointer) throws(TapWalkerError) {}
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {}
    func flush() throws(TapWalkerError) {}
    func mount() throws(TapWalkerError) -> String {
        if let fails { throw fails }
        mounted = true
        return "mounted at /sd"
    }
    func unmount() throws(TapWalkerError) -> String { mounted = false; return "released" }
    var fileSystemMounted: Bool { mounted }
}

@Suite struct HTTPSDMountTests {
    private let basic = "Authorization: Basic YWRtaW46c2VjcmV0\r\n"  // admin:secret

    @Test("POST /api/sd/mount and /api/sd/umount are board jobs; a GET or no login changes nothing")
    func routes() {
        let board = FakeBoard()
        let h = HTTPHarness(board: board)
        #expect(HTTPHarness.statuses(h.exchange("POST /api/sd/mount HTTP/1.1\r\n\(basic)\r\n")) == [200])
        #expect(HTTPHarness.statuses(h.exchange("POST /api/sd/umount HTTP/1.1\r\n\(basic)\r\n")) == [200])
        #expect(board.jobs == ["mount", "umount"])
        #expect(HTTPHarness.statuses(h.exchange("GET /api/sd/umount HTTP/1.1\r\n\(basic)\r\n")) == [405])
        #expect(HTTPHarness.statuses(h.exchange("POST /api/sd/umount HTTP/1.1\r\n\r\n")) == [401])
        #expect(board.jobs == ["mount", "umount"])
    }

    @Test("the board service mounts and releases the card under the job lock, and says why not")
    func service() {
        let f = BoardFixture()
        let card = MountableCard()
        let lock = JobLock(mutex: NoMutex())
        let service = HTTPBoardService(board: BoardService(cable: f.sim, lock: lock, sdCard: card, clock: ManualClock()), mutex: NoMutex())
        let events = HTTPJobEvents(mutex: NoMutex(), clock: ManualClock())
        guard case .done(let json) = service.run(.mountSD, input: MemorySource([]), holder: "HTTP", events: events) else {
            Issue.record("mount failed")
            return
        }
        #expect(json.contains("mounted at /sd") && card.mounted)
        _ = lock.tryAcquire("FTP client writing sd@0")
        guard case .busy(let holder) = service.run(.releaseSD, input: MemorySource([]), holder: "HTTP", events: events) else {
            Issue.record("released while the board was held")
            return
        }
        #expect(holder.contains("sd@0") && card.mounted)
        lock.release()
        _ = service.run(.releaseSD, input: MemorySource([]), holder: "HTTP", events: events)
        #expect(!card.mounted)
        card.fails = TapWalkerError(.input, "no SD card is inserted")
        guard case .failed(let status, let failed) = service.run(.mountSD, input: MemorySource([]), holder: "HTTP", events: events) else {
            Issue.record("mounted without a card")
            return
        }
        #expect(status == 422 && failed.contains("no SD card is inserted"))
    }
}
