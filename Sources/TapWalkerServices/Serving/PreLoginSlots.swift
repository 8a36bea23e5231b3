import TapWalkerCore

/// The places for connections that have not logged in yet, shared by one server's connections
/// (FTP's, or HTTP's).
///
/// Strangers may hold only a few places (`total`), and one client address fewer still
/// (`perAddress`). A newcomer is not refused for want of a place while a connection sits waiting
/// for its client's bytes: it takes the place of the oldest waiting connection of its own address
/// when that address is at its cap, else of a waiting connection of the address that has been
/// opening connections the fastest (recent arrivals, halved each second), oldest first, as long
/// as that address has been arriving at least as fast as the newcomer's. The connection that
/// loses its place is shut down (its session ends as if the client had gone). A flood, from one
/// address or several, so pushes out only its own connections and is refused rather than push
/// out a user who connects now and then from another address; and once a connection's request
/// (or USER/PASS) is being handled it is never pushed out. Nor does a newcomer push out a
/// connection of its own address that began waiting less than `graceMicroseconds` ago: a
/// browser opens several connections to load one page and sends each its request at once (or
/// keeps one alive for the next request), and a request already on the wire but not yet read
/// must not lose its connection to its own sibling — the browser would show a failed load. The
/// newcomer waits for that grace instead (up to a second). A newcomer is refused only when no
/// place can be freed by these rules.
public final class PreLoginSlots {
    public let total: Int
    public let perAddress: Int
    private let mutex: any PlatformMutex

    private struct Entry {
        let id: Int
        let address: String
        let peer: String
        let connection: any NetworkConnection
        /// Waiting for the client's bytes: may be pushed out (by its own address's newcomer only
        /// once the grace has passed since `waitingSince`).
        var waiting = true
        var waitingSince: UInt64
    }
    /// How long a connection waiting for its client's bytes keeps its place against a newcomer
    /// from its own address.
    public static let graceMicroseconds: UInt64 = 500_000
    /// Oldest first.
    private var entries: [Entry] = []
    private var nextID = 0

    private let clock: any ServiceClock
    /// Recent arrivals per address, ×16 and halved each second since `at` (a small table: the
    /// quietest address is forgotten first).
    private var arrivals: [(address: String, score: UInt32, at: UInt64)] = []
    private static let arrivalTable = 64

    public init(total: Int, perAddress: Int, mutex: any PlatformMutex, clock: any ServiceClock) {
        self.total = total
        self.perAddress = min(perAddress, total)
        self.mutex = mutex
        self.clock = clock
    }

    /// What `enter` did: the place's id, and the peer whose connection gave its place up.
    public struct Admission {
        public let id: Int
        public let evicted: String?
    }

    /// A place for `connection` from `peer` ("address:port"), made by pushing out a waiting
    /// connection if need be; nil when every place that could be freed is being served. When
    /// its own address is at its cap with every connection being answered, it looks again for up
    /// to a second: a client that closes one connection and opens the next at once finds the
    /// old one still finishing its answer, and the connections in its way may be within their
    /// grace.
    public func enter(_ connection: any NetworkConnection, peer: String) -> Admission? {
        let address = FTPServer.host(of: peer)
        mutex.lock()
        countArrival(address)
        mutex.unlock()
        for _ in 0..<50 {
            switch tryEnter(connection, peer: peer, address: address) {
            case .admitted(let admission): return admission
            case .refused: return nil
            case .busy: clock.sleep(microseconds: 20_000)
            }
        }
        return nil
    }

    private enum Attempt {
        case admitted(Admission)
        case refused
        /// Every connection of its own address is being served or within its grace.
        case busy
    }

    private func tryEnter(_ connection: any NetworkConnection, peer: String, address: String) -> Attempt {
        mutex.lock()
        let now = clock.microseconds()
        var victim: Entry?
        if entries.count(where: { ASCII.equal($0.address, address) }) >= perAddress {
            guard let i = entries.firstIndex(where: { mayGiveUp($0, now) && ASCII.equal($0.address, address) }) else {
                mutex.unlock()
                return .busy
            }
            victim = entries.remove(at: i)
        } else if entries.count >= total {
            guard let i = busiestAddressOldestWaiting(atLeast: arrivalScore(address)) else {
                mutex.unlock()
                return .refused
            }
            victim = entries.remove(at: i)
        }
        let id = nextID
        nextID += 1
        entries.append(Entry(id: id, address: address, peer: peer, connection: connection, waitingSince: now))
        // Under the lock: a session calls `leave` before it closes its connection, so the
        // victim's descriptor is still its own (not one reused by a newer connection). Its
        // session wakes up from its receive and ends by itself.
        victim?.connection.shutdown()
        mutex.unlock()
        return .admitted(Admission(id: id, evicted: victim?.peer))
    }

    /// Pushes out one waiting connection to make room in memory (`HeapAdmission`) for work of a
    /// client at `peer`, by the rules of `enter`: the oldest waiting one of its own address past
    /// the grace, else the oldest waiting one of the address arriving the fastest, if at least as
    /// fast as `peer`'s. Returns the peer pushed out; nil when none may be.
    public func pushOut(for peer: String) -> String? {
        let address = FTPServer.host(of: peer)
        mutex.lock()
        defer { mutex.unlock() }
        let now = clock.microseconds()
        guard let i = entries.firstIndex(where: { mayGiveUp($0, now) && ASCII.equal($0.address, address) })
            ?? busiestAddressOldestWaiting(atLeast: arrivalScore(address)) else { return nil }
        let victim = entries.remove(at: i)
        // Under the lock, as in `tryEnter`.
        victim.connection.shutdown()
        return victim.peer
    }

    /// The connection now waits for its client (true) or is being served (false).
    public func setWaiting(_ id: Int, _ waiting: Bool) {
        mutex.lock()
        if let i = entries.firstIndex(where: { $0.id == id }), entries[i].waiting != waiting {
            entries[i].waiting = waiting
            if waiting { entries[i].waitingSince = clock.microseconds() }
        }
        mutex.unlock()
    }

    /// Under the mutex: whether `e` may be pushed out now by a newcomer from its own address.
    private func mayGiveUp(_ e: Entry, _ now: UInt64) -> Bool {
        e.waiting && now >= e.waitingSince + PreLoginSlots.graceMicroseconds
    }

    /// The connection logged in or is about to be closed (call this first; pushed out already:
    /// nothing to do).
    public func leave(_ id: Int) {
        mutex.lock()
        entries.removeAll(where: { $0.id == id })
        mutex.unlock()
    }

    /// Places held now, in all and by `address`.
    public func held(by address: String? = nil) -> Int {
        mutex.lock()
        defer { mutex.unlock() }
        guard let address else { return entries.count }
        return entries.count(where: { ASCII.equal($0.address, address) })
    }

    /// Under the mutex: the oldest waiting connection of the address that has been arriving the
    /// fastest, if that is at least `newcomer`'s rate. No grace here: that address is a flood's
    /// (or a client opening connections faster than the newcomer), and its youngest connections
    /// are the ones a flood renews.
    private func busiestAddressOldestWaiting(atLeast newcomer: UInt32) -> Int? {
        var best: (index: Int, score: UInt32)?
        for (i, e) in entries.enumerated() where e.waiting {
            let score = arrivalScore(e.address)
            if score >= newcomer, best == nil || score > best!.score { best = (i, score) }
        }
        return best?.index
    }

    /// Under the mutex: one more arrival from `address`.
    private func countArrival(_ address: String) {
        let now = clock.microseconds()
        if let i = arrivals.firstIndex(where: { ASCII.equal($0.address, address) }) {
            arrivals[i].score = PreLoginSlots.decayed(arrivals[i].score, from: arrivals[i].at, to: now) &+ 16
            arrivals[i].at = now
            return
        }
        if arrivals.count >= PreLoginSlots.arrivalTable,
           let quietest = arrivals.indices.min(by: { PreLoginSlots.decayed(arrivals[$0].score, from: arrivals[$0].at, to: now) < PreLoginSlots.decayed(arrivals[$1].score, from: arrivals[$1].at, to: now) }) {
            arrivals.remove(at: quietest)
        }
        arrivals.append((address, 16, now))
    }

    private func arrivalScore(_ address: String) -> UInt32 {
        guard let a = arrivals.first(where: { ASCII.equal($0.address, address) }) else { return 0 }
        return PreLoginSlots.decayed(a.score, from: a.at, to: clock.microseconds())
    }

    private static func decayed(_ score: UInt32, from: UInt64, to now: UInt64) -> UInt32 {
        let seconds = now > from ? (now - from) / 1_000_000 : 0
        return seconds >= 32 ? 0 : score >> UInt32(seconds)
    }
}
