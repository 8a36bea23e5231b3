/// A lock the platform provides (pthread mutex on the host, a FreeRTOS mutex on the ESP32).
public protocol PlatformMutex: AnyObject {
    func lock()
    func unlock()
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
    public func tryAcquire(_ who: String) -> String? {
        mutex.lock()
        defer { mutex.unlock() }
        if let holder { return holder }
        holder = who
        return nil
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
