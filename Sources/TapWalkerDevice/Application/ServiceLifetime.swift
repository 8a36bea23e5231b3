import TapWalkerServices

/// Whether the application is stopping, and how many accept loops still run: the accept tasks ask
/// it for their `until:` condition, and `DeviceApplication.run` waits until the count is 0.
final class ServiceLifetime {
    private let mutex: any PlatformMutex
    private var stopping = false
    private var loops = 0

    init(mutex: any PlatformMutex) { self.mutex = mutex }

    var stopRequested: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return stopping
    }

    func requestStop() {
        mutex.lock()
        stopping = true
        mutex.unlock()
    }

    func loopStarted() {
        mutex.lock()
        loops += 1
        mutex.unlock()
    }

    func loopEnded() {
        mutex.lock()
        loops -= 1
        mutex.unlock()
    }

    var runningLoops: Int {
        mutex.lock()
        defer { mutex.unlock() }
        return loops
    }
}
