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
    private var preLoginClients = 0

    public init(router: HTTPRouter, clock: any ServiceClock, mutex: any PlatformMutex, log: @escaping (String, String) -> Void) {
        self.router = router
        self.options = router.options
        self.clock = clock
        self.mutex = mutex
        self.log = log
    }

    /// Serves one client until it closes, times out or breaks the protocol. Never throws.
    /// `peer` is "address:port"; the throttle counts the address part.
    public func serve(_ connection: any NetworkConnection, peer: String) {
        mutex.lock()
        var refusal: String?
        if clients >= options.maximumClients {
            refusal = "too many connections (\(options.maximumClients)); try again later"
        } else if preLoginClients >= options.maximumPreLoginClients {
            refusal = "too many connections that have not logged in (\(options.maximumPreLoginClients)); try again later"
        } else {
            clients += 1
            preLoginClients += 1
        }
        mutex.unlock()
        if let refusal {
            refuse(connection, peer: peer, refusal)
            return
        }
        let session = HTTPConnectionSession(server: self, connection: connection, peer: peer)
        session.run()
        connection.close()
        mutex.lock()
        clients -= 1
        if !session.loggedIn { preLoginClients -= 1 }
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

    /// A connection logged in: it no longer counts against the pre-login limit.
    func loggedIn() {
        mutex.lock()
        preLoginClients -= 1
        mutex.unlock()
    }

    /// Connections open now, and of those not logged in (for logs and tests).
    public var counts: (all: Int, preLogin: Int) {
        mutex.lock()
        defer { mutex.unlock() }
        return (clients, preLoginClients)
    }
}
