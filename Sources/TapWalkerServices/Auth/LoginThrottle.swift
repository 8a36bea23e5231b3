import TapWalkerCore

/// Slows down password guessing per client address, across all its connections and for every
/// server that shares the object (FTP and HTTP): after a failure, the address's next attempt is
/// refused until a delay has passed (1 s, then 2, 4, 8 s and 8 s after that); a success clears it.
/// Reconnecting does not reset it, since the address, not the connection, is counted.
///
/// The table is bounded (`capacity` addresses); when it is full the entry that was quiet longest
/// is dropped, so a flood of addresses costs memory once, not per address. Because of that, and
/// because addresses are many, every check also takes a token from the server's overall budget
/// (`PasswordCheckBudget`, `takeCheck`).
public final class LoginThrottle {
    public static let delaysMicroseconds: [UInt64] = [1_000_000, 2_000_000, 4_000_000, 8_000_000]

    private struct Entry {
        var address: [UInt8]
        var failures: Int
        /// No attempt is looked at before this time.
        var notBefore: UInt64
        var lastSeen: UInt64
    }

    private let mutex: any PlatformMutex
    private let clock: any ServiceClock
    private let capacity: Int
    private var entries: [Entry] = []

    private let budget: PasswordCheckBudget

    /// The overall budget: `checkBurst` checks at once, then one per `checkRefillMicroseconds`
    /// (by default 10, then 2 a second: a user's typing never meets it, a guesser gets at most
    /// about 7,200 guesses an hour however many addresses it has).
    public init(mutex: any PlatformMutex, clock: any ServiceClock, capacity: Int = 64,
                checkBurst: Int = 10, checkRefillMicroseconds: UInt64 = 500_000) {
        self.mutex = mutex
        self.clock = clock
        self.capacity = max(capacity, 1)
        budget = PasswordCheckBudget(burst: checkBurst, refillMicroseconds: checkRefillMicroseconds, trustedCapacity: 8, now: clock.microseconds())
    }

    /// Call just before checking a password from `address` (after its own wait): 0 and the check
    /// is counted in the overall budget, or the microseconds until the budget allows one more
    /// (then refuse the attempt unchecked). An address that logged in before is not counted.
    public func takeCheck(_ address: String) -> UInt64 {
        let key = Array(address.utf8)
        mutex.lock()
        defer { mutex.unlock() }
        return budget.take(key, now: clock.microseconds())
    }

    /// Microseconds `address` must still wait before a login attempt is checked; 0 when it may try
    /// now. FTP sleeps this long before answering, HTTP answers 429 with Retry-After at once.
    public func wait(for address: String) -> UInt64 {
        let key = Array(address.utf8)
        mutex.lock()
        defer { mutex.unlock() }
        let now = clock.microseconds()
        guard let i = entries.firstIndex(where: { $0.address == key }) else { return 0 }
        return entries[i].notBefore > now ? entries[i].notBefore - now : 0
    }

    /// Like `wait(for:)`, and also books the slot: when `address` has failures, the attempt after
    /// this one waits a further delay, so that attempts from several connections at once are
    /// checked one delay apart instead of all together when the first wait ends. FTP calls this
    /// before checking a password and sleeps the time it returns.
    public func reserve(_ address: String) -> UInt64 {
        let key = Array(address.utf8)
        mutex.lock()
        defer { mutex.unlock() }
        let now = clock.microseconds()
        guard let i = entries.firstIndex(where: { $0.address == key }) else { return 0 }
        let start = max(entries[i].notBefore, now)
        let delays = LoginThrottle.delaysMicroseconds
        entries[i].notBefore = start + delays[min(max(entries[i].failures, 1) - 1, delays.count - 1)]
        entries[i].lastSeen = now
        return start - now
    }

    /// A wrong password from `address`: the next attempt waits longer.
    public func recordFailure(_ address: String) {
        let key = Array(address.utf8)
        mutex.lock()
        defer { mutex.unlock() }
        let now = clock.microseconds()
        let i: Int
        if let found = entries.firstIndex(where: { $0.address == key }) {
            i = found
        } else {
            if entries.count >= capacity, let oldest = entries.indices.min(by: { entries[$0].lastSeen < entries[$1].lastSeen }) {
                entries.remove(at: oldest)
            }
            entries.append(Entry(address: key, failures: 0, notBefore: 0, lastSeen: now))
            i = entries.count - 1
        }
        entries[i].failures += 1
        let delays = LoginThrottle.delaysMicroseconds
        entries[i].notBefore = max(entries[i].notBefore, now + delays[min(entries[i].failures - 1, delays.count - 1)])
        entries[i].lastSeen = now
    }

    /// A successful login from `address` forgets its failures.
    public func recordSuccess(_ address: String) {
        let key = Array(address.utf8)
        mutex.lock()
        entries.removeAll { $0.address == key }
        budget.trust(key)
        mutex.unlock()
    }

    /// Failures counted for `address` (for logs and tests).
    public func failures(_ address: String) -> Int {
        let key = Array(address.utf8)
        mutex.lock()
        defer { mutex.unlock() }
        return entries.first(where: { $0.address == key })?.failures ?? 0
    }
}
