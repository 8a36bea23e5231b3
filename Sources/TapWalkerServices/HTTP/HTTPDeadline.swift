import TapWalkerCore

/// The time left for what a connection is receiving: each wait for bytes is given at most the idle
/// timeout, and never more than what is left before the deadline, so a client that sends one byte
/// at a time cannot stretch a request past it.
final class HTTPDeadline {
    let clock: any ServiceClock
    let idleMilliseconds: Int
    /// Microseconds on `clock`; nil: only the idle timeout applies.
    var deadline: UInt64?
    /// Set when the deadline, not the client, ended a receive.
    private var ranOut = false

    /// Whether the deadline has passed: a receive that failed then was cut by it (given the
    /// remaining time as its timeout, the connection reports a plain timeout).
    var expired: Bool {
        if ranOut { return true }
        guard let deadline else { return false }
        return clock.microseconds() >= deadline
    }

    init(clock: any ServiceClock, idleMilliseconds: Int) {
        self.clock = clock
        self.idleMilliseconds = idleMilliseconds
    }

    func timeout() throws(TapWalkerError) -> Int {
        guard let deadline else { return idleMilliseconds }
        let now = clock.microseconds()
        if now >= deadline {
            ranOut = true
            throw TapWalkerError(.input, "the request took too long")
        }
        return min(idleMilliseconds, Int((deadline - now + 999) / 1000))
    }
}
