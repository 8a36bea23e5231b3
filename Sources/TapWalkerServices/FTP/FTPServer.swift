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
    /// Connections that have not logged in yet, at once, from one client address. They are
    /// counted apart from `maximumClients`, so connections that never log in cannot keep users
    /// out, and per address, so one host cannot take every place: one more from an address at
    /// its cap pushes out that address's oldest connection that is waiting for its client.
    public var maximumWaitingPerAddress = 3
    /// Connections that have not logged in yet, at once, from all addresses together; one more
    /// pushes out the oldest waiting one of the address with the most (`PreLoginSlots`), and is
    /// told 421 only when every one is being answered.
    public var maximumWaiting = 8
    /// A connection must log in within this time of connecting, or is told 421 and closed.
    /// Commands (NOOP) and bytes sent meanwhile do not extend it.
    public var loginDeadlineMilliseconds = 20_000
    /// The buffer a file transfer (RETR, STOR, APPE) moves its bytes through; a device uses a
    /// smaller one, since each transfer's buffer counts in its memory figure (`HeapFigure`).
    public var transferBufferBytes = 16384

    public init() {}
}

/// The FTP server: what the sessions share (store, board, lock, accounts, limits) and the count
/// of clients. `serve` runs one client's session to its end on the caller's thread; the host
/// starts a thread per accepted connection, the ESP32 a task.
public final class FTPServer {
    public let store: any FileStore
    public let channels: any FTPDataChannels
    public let board: BoardService
    public let accounts: Accounts
    public let options: FTPServerOptions
    let clock: any ServiceClock
    /// Failed logins per client address, shared with the HTTP server when both run.
    public let throttle: LoginThrottle
    /// Where events go: (peer, text). The host writes them to its log, the ESP32 to its console.
    let log: (String, String) -> Void
    private let mutex: any PlatformMutex
    /// Logged-in sessions, and the places of the connections still before their login.
    private var clients = 0
    public let waiting: PreLoginSlots
    /// The device's admission by memory (nil on a host): transfers and board jobs are refused
    /// with 451 when their figure does not fit (`HeapAdmission`).
    public var memory: HeapAdmission?

    /// `throttle` counts failed logins per address; give the HTTP server's so that failures over
    /// either count for both (nil: one of its own).
    public init(
        store: any FileStore, channels: any FTPDataChannels, board: BoardService,
        accounts: Accounts, options: FTPServerOptions = FTPServerOptions(), clock: any ServiceClock,
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
        waiting = PreLoginSlots(total: options.maximumWaiting, perAddress: options.maximumWaitingPerAddress, mutex: mutex, clock: clock)
    }

    /// Serves one client until it quits, times out, or breaks the connection. Never throws:
    /// whatever a client does, the server goes on serving the others.
    /// `peer` is "address:port" of the client, `localHost` the address it connected to (PASV
    /// names it).
    public func serve(_ control: any NetworkConnection, peer: String, localHost: String) {
        mutex.lock()
        let full = clients >= options.maximumClients
        mutex.unlock()
        if full {
            refuse(control, peer: peer, "too many clients (\(options.maximumClients))")
            return
        }
        guard let admission = waiting.enter(control, peer: peer) else {
            refuse(control, peer: peer, "too many connections waiting to log in (\(options.maximumWaiting)), all of them being answered")
            return
        }
        if let evicted = admission.evicted { log(evicted, "closed: waiting to log in, its place given to \(peer)") }
        let session = FTPSession(server: self, control: control, peer: peer, localHost: localHost, slot: admission.id)
        session.run()
        waiting.leave(admission.id)
        control.close()
        if session.admitted {
            mutex.lock()
            clients -= 1
            mutex.unlock()
        }
    }

    /// Tells the client 421 with `reason` and closes the connection: what `serve` does past its
    /// limits, for a device that cannot even start a task for the connection.
    public func refuse(_ control: any NetworkConnection, peer: String, _ reason: String) {
        let text = Array("421 \(reason); try again later\r\n".utf8)
        try? text.withBytes { (p) throws(TapWalkerError) in try control.send(p, timeoutMilliseconds: 5000) }
        control.close()
        log(peer, "refused: \(reason)")
    }

    /// Moves a connection that has just logged in from the waiting places to the clients; false
    /// (the connection is to be closed) when the clients are at their limit.
    func admitLoggedIn(_ slot: Int) -> Bool {
        mutex.lock()
        let admitted = clients < options.maximumClients
        if admitted { clients += 1 }
        mutex.unlock()
        // After unlocking: the places share the mutex.
        if admitted { waiting.leave(slot) }
        return admitted
    }

    /// "1.2.3.4" of "1.2.3.4:5678", "::1" of "[::1]:5678".
    public static func host(of peer: String) -> String {
        var bytes = Array(peer.utf8)
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) { bytes.removeSubrange(colon...) }
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") { bytes = Array(bytes[1..<(bytes.count - 1)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
