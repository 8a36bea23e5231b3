import TapWalkerCore

/// Limits of the FTP server. Every one bounds something a client could otherwise grow.
public struct FTPServerOptions {
    /// A control connection silent this long is closed (421), between commands.
    public var idleTimeoutMilliseconds = 300_000
    /// Waiting for a data connection to open, and for each piece of a transfer.
    public var dataTimeoutMilliseconds = 30_000
    /// Longer command lines (not counting the CR LF that ends them) get 500 and are skipped
    /// (paths on the ESP32 are far shorter).
    public var maximumLineLength = 512
    /// Logged-in sessions at once; one more is told 421 and closed. Each session is a thread (a
    /// task on the ESP32) with about 70 KB of buffers while it writes flash.
    public var maximumClients = 8
    /// Connections that have not logged in yet, at once, from one client address; one more is
    /// told 421 and closed. They are counted apart from `maximumClients`, so connections that
    /// never log in cannot keep users out, and per address, so one host cannot take every place.
    public var maximumWaitingPerAddress = 3
    /// Connections that have not logged in yet, at once, from all addresses together.
    public var maximumWaiting = 8
    /// A connection must log in within this time of connecting, or is told 421 and closed.
    /// Commands (NOOP) and bytes sent meanwhile do not extend it.
    public var loginDeadlineMilliseconds = 20_000

    public init() {}
}

/// The FTP server: what the sessions share (store, board, lock, accounts, limits) and the count
/// of clients. `serve` runs one client's session to its end on the caller's thread; the host
/// starts a thread per accepted connection, the ESP32 a task.
public final class FTPServer {
    public let store: any FTPFileStore
    public let channels: any FTPDataChannels
    public let board: BoardService
    /// The board's one-job-at-a-time lock, shared with the other servers.
    public var lock: JobLock { board.lock }
    public let accounts: FTPAccounts
    public let options: FTPServerOptions
    let clock: any ServiceClock
    /// Failed logins per client address, shared with the HTTP server when both run.
    public let throttle: LoginThrottle
    /// Where events go: (peer, text). The host writes them to its log, the ESP32 to its console.
    let log: (String, String) -> Void
    private let mutex: any PlatformMutex
    /// Logged-in sessions, and the address of each connection still before its login.
    private var clients = 0
    private var waiting: [String] = []

    /// `throttle` counts failed logins per address; give the HTTP server's so that failures over
    /// either count for both (nil: one of its own).
    public init(
        store: any FTPFileStore, channels: any FTPDataChannels, board: BoardService,
        accounts: FTPAccounts, options: FTPServerOptions = FTPServerOptions(), clock: any ServiceClock,
        mutex: any PlatformMutex, throttle: LoginThrottle? = nil, log: @escaping (String, String) -> Void
    ) {
        self.throttle = throttle ?? LoginThrottle(mutex: mutex, clock: clock)
        self.store = store
        self.channels = channels
        self.board = board
        self.accounts = accounts
        self.options = options
        self.clock = clock
        self.mutex = mutex
        self.log = log
    }

    /// Serves one client until it quits, times out, or breaks the connection. Never throws:
    /// whatever a client does, the server goes on serving the others.
    /// `peer` is "address:port" of the client, `localHost` the address it connected to (PASV
    /// names it).
    public func serve(_ control: any NetworkConnection, peer: String, localHost: String) {
        let address = FTPServer.host(of: peer)
        mutex.lock()
        let refusal: String?
        if clients >= options.maximumClients {
            refusal = "too many clients (\(options.maximumClients))"
        } else if waiting.count(where: { ASCII.equal($0, address) }) >= options.maximumWaitingPerAddress {
            refusal = "too many connections from \(address) waiting to log in (\(options.maximumWaitingPerAddress))"
        } else if waiting.count >= options.maximumWaiting {
            refusal = "too many connections waiting to log in (\(options.maximumWaiting))"
        } else {
            refusal = nil
            waiting.append(address)
        }
        mutex.unlock()
        if let refusal {
            refuse(control, peer: peer, refusal)
            return
        }
        let session = FTPSession(server: self, control: control, peer: peer, localHost: localHost)
        session.run()
        control.close()
        mutex.lock()
        if session.admitted { clients -= 1 } else { stopWaiting(address) }
        mutex.unlock()
    }

    /// Tells the client 421 with `reason` and closes the connection: what `serve` does past its
    /// limits, for a device that cannot even start a task for the connection.
    public func refuse(_ control: any NetworkConnection, peer: String, _ reason: String) {
        let text = Array("421 \(reason); try again later\r\n".utf8)
        try? text.withBytes { (p) throws(TapWalkerError) in try control.send(p, timeoutMilliseconds: 5000) }
        control.close()
        log(peer, "refused: \(reason)")
    }

    /// Moves a connection that has just logged in from the waiting count to the clients; false
    /// (the connection is to be closed) when the clients are at their limit.
    func admitLoggedIn(_ peer: String) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        guard clients < options.maximumClients else { return false }
        stopWaiting(FTPServer.host(of: peer))
        clients += 1
        return true
    }

    /// Under the mutex.
    private func stopWaiting(_ address: String) {
        if let i = waiting.firstIndex(where: { ASCII.equal($0, address) }) { waiting.remove(at: i) }
    }

    /// "1.2.3.4" of "1.2.3.4:5678", "::1" of "[::1]:5678".
    public static func host(of peer: String) -> String {
        var bytes = Array(peer.utf8)
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) { bytes.removeSubrange(colon...) }
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") { bytes = Array(bytes[1..<(bytes.count - 1)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
