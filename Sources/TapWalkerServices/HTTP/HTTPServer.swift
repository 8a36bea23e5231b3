import TapWalkerCore

/// The HTTP server: what the connections share (router, accounts, sessions, throttle, limits) and
/// the count of connections, in all and not yet logged in. `serve` runs one connection to its end
/// on the caller's thread; the host starts a thread per accepted connection, the ESP32 a task.
public final class HTTPServer {
    public let router: HTTPRouter
    public let options: HTTPServerOptions
    let clock: any ServiceClock
    let log: (String, String) -> Void
    private let mutex: any PlatformMutex
    private var clients = 0
    /// The connections not logged in yet: a few places, fewer per address; a newcomer pushes out
    /// the oldest that sends nothing rather than being refused.
    public let preLogin: PreLoginSlots

    public init(router: HTTPRouter, clock: any ServiceClock, mutex: any PlatformMutex, log: @escaping (String, String) -> Void) {
        self.router = router
        self.options = router.options
        self.clock = clock
        self.mutex = mutex
        self.log = log
        preLogin = PreLoginSlots(total: options.maximumPreLoginClients, perAddress: options.maximumPreLoginPerAddress, mutex: mutex, clock: clock)
    }

    /// Serves one client until it closes, times out or breaks the protocol. Never throws.
    /// `peer` is "address:port"; the throttle counts the address part.
    public func serve(_ connection: any NetworkConnection, peer: String) {
        mutex.lock()
        let full = clients >= options.maximumClients
        if !full { clients += 1 }
        mutex.unlock()
        if full {
            refuse(connection, peer: peer, "too many connections (\(options.maximumClients)); try again later")
            return
        }
        guard let admission = preLogin.enter(connection, peer: peer) else {
            release()
            refuse(connection, peer: peer, "too many connections that have not logged in (\(options.maximumPreLoginClients)), all of them being answered; try again later")
            return
        }
        if let evicted = admission.evicted { log(evicted, "closed: waiting to log in, its place given to \(peer)") }
        let session = HTTPConnectionSession(server: self, connection: connection, peer: peer, slot: admission.id)
        session.run()
        preLogin.leave(admission.id)
        connection.close()
        release()
    }

    private func release() {
        mutex.lock()
        clients -= 1
        mutex.unlock()
    }

    /// Answers 503 with `reason` and closes the connection: what `serve` does past its limits,
    /// for a device that cannot even start a task for the connection.
    public func refuse(_ connection: any NetworkConnection, peer: String, _ reason: String) {
        let r = HTTPResponse(connection: connection, timeoutMilliseconds: 5000, keepAlive: false, headOnly: false)
        try? r.error(503, reason, headers: ["Retry-After: 5"])
        connection.close()
        log(peer, "refused: " + reason)
    }

    /// A connection logged in (or holds an event stream): it no longer counts against the
    /// pre-login places.
    func loggedIn(_ slot: Int) {
        preLogin.leave(slot)
    }

    /// Connections open now, and of those not logged in (for logs and tests).
    public var counts: (all: Int, preLogin: Int) {
        mutex.lock()
        let all = clients
        mutex.unlock()
        return (all, preLogin.held())
    }
}
