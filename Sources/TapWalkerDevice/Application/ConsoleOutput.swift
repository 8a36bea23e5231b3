import TapWalkerServices

/// The console as every task writes to it: the servers' events come from their own tasks while
/// the main loop echoes and answers, so each piece of text goes out whole, under a lock.
final class ConsoleOutput {
    let port: any ConsolePort
    private let mutex: any PlatformMutex

    init(port: any ConsolePort, mutex: any PlatformMutex) {
        self.port = port
        self.mutex = mutex
    }

    func write(_ text: String) {
        mutex.lock()
        port.write(text)
        mutex.unlock()
    }

    /// `text` and a line break.
    func line(_ text: String) { write(text + "\n") }
}
