/// A lock the platform provides (pthread mutex on the host, a FreeRTOS mutex on the ESP32).
public protocol PlatformMutex: AnyObject {
    func lock()
    func unlock()
}

/// Another job has the board: `holder` names it ("XVC client 10.0.0.5:51234").
public struct BoardBusy: Error {
    public let holder: String

    /// The refusal every front end gives, in its own status line.
    public var message: String { "the board is busy: \(holder); nothing was done, try again when it is free" }
}

/// One job at a time on the board: a JTAG client session, an FTP upload, a SITE PROG. Whoever holds
/// it is named, so that a refused client is told who has the board ("450 busy: XVC client
/// 10.0.0.5:51234"). Browsing and other work that does not touch the board needs no lock.
public final class JobLock {
    private let mutex: any PlatformMutex
    private var holder: String?

    /// Run by `release` while the board is still held, so that no next job can be using the
    /// cable yet: the board service gives the cable's transfer buffers back there.
    public var beforeRelease: (() -> Void)?

    public init(mutex: any PlatformMutex) {
        self.mutex = mutex
    }

    /// Takes the board for `who`. Returns nil when taken, else who holds it now (and nothing changes).
    /// For a holder that keeps the board past one call (a firmware update that restarts the
    /// device); board jobs use `holding`.
    public func tryAcquire(_ who: String) -> String? {
        mutex.lock()
        defer { mutex.unlock() }
        if let holder { return holder }
        holder = who
        return nil
    }

    /// Runs `job` holding the board as `who` and gives the board back after it, whatever the job
    /// does; when someone else has the board, runs nothing and says who. Every board job a front end
    /// runs goes through here (`BoardService.holding`), so none can forget the release.
    public func holding<T, E: Error>(_ who: String, _ job: () throws(E) -> T) throws(E) -> Result<T, BoardBusy> {
        if let holder = tryAcquire(who) { return .failure(BoardBusy(holder: holder)) }
        defer { release() }
        return .success(try job())
    }

    /// Gives the board back.
    public func release() {
        beforeRelease?()
        mutex.lock()
        holder = nil
        mutex.unlock()
    }

    /// Who holds the board now, if anyone.
    public var currentHolder: String? {
        mutex.lock()
        defer { mutex.unlock() }
        return holder
    }
}
