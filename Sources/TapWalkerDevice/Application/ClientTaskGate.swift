import TapWalkerServices

/// Counts one service's client tasks so that no more than `limit` run at once: past it, the
/// accept task refuses the connection itself instead of starting a task only to refuse there.
final class ClientTaskGate {
    let limit: Int
    private let mutex: any PlatformMutex
    private var running = 0

    init(limit: Int, mutex: any PlatformMutex) {
        self.limit = limit
        self.mutex = mutex
    }

    /// Takes a place; false when all are taken.
    func enter() -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        guard running < limit else { return false }
        running += 1
        return true
    }

    func leave() {
        mutex.lock()
        running -= 1
        mutex.unlock()
    }

    var count: Int {
        mutex.lock()
        defer { mutex.unlock() }
        return running
    }
}
