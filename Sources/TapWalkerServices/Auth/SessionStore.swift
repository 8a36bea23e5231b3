import TapWalkerCore

/// Logged-in browser sessions: a random token (the cookie) and a random CSRF token that every
/// state-changing request made with the cookie must repeat in a header, which a page on another
/// site cannot read or set. Bounded: at most `capacity` sessions, the least recently used is
/// dropped first; a session unused for `idleMicroseconds` has expired.
public final class SessionStore {
    public struct Session {
        public var token: String
        public var csrf: String
        public var user: String
        public var access: Accounts.Access
        var lastUsed: UInt64
    }

    /// 16 random bytes, written as 32 hex digits.
    public static let tokenBytes = 16

    private let mutex: any PlatformMutex
    private let clock: any ServiceClock
    private let random: any RandomSource
    private let capacity: Int
    private let idleMicroseconds: UInt64
    private var sessions: [Session] = []

    public init(
        mutex: any PlatformMutex, clock: any ServiceClock, random: any RandomSource, capacity: Int = 16,
        idleMicroseconds: UInt64 = 12 * 3600 * 1_000_000
    ) {
        self.mutex = mutex
        self.clock = clock
        self.random = random
        self.capacity = max(capacity, 1)
        self.idleMicroseconds = idleMicroseconds
    }

    /// A new session for `user`.
    public func create(user: String, access: Accounts.Access) -> Session {
        let s = Session(token: newToken(), csrf: newToken(), user: user, access: access, lastUsed: clock.microseconds())
        mutex.lock()
        if sessions.count >= capacity, let oldest = sessions.indices.min(by: { sessions[$0].lastUsed < sessions[$1].lastUsed }) {
            sessions.remove(at: oldest)
        }
        sessions.append(s)
        mutex.unlock()
        return s
    }

    /// The live session with this cookie token, compared in constant time; using it renews it.
    public func find(_ token: [UInt8]) -> Session? {
        mutex.lock()
        defer { mutex.unlock() }
        let now = clock.microseconds()
        sessions.removeAll { now &- $0.lastUsed > idleMicroseconds }
        var found: Int?
        for i in sessions.indices where Accounts.constantTimeEqual(Array(sessions[i].token.utf8), token) { found = i }
        guard let i = found else { return nil }
        sessions[i].lastUsed = now
        return sessions[i]
    }

    public func remove(_ token: String) {
        mutex.lock()
        sessions.removeAll { ASCII.equal($0.token, token) }
        mutex.unlock()
    }

    public var count: Int {
        mutex.lock()
        defer { mutex.unlock() }
        return sessions.count
    }

    private func newToken() -> String {
        var bytes = [UInt8](repeating: 0, count: SessionStore.tokenBytes)
        random.fill(&bytes)
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for b in bytes { text.append(digits[Int(b >> 4)]); text.append(digits[Int(b & 15)]) }
        return String(decoding: text, as: UTF8.self)
    }
}
