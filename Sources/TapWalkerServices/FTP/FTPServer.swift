import TapWalkerCore

/// Limits of the FTP server. Every one bounds something a client could otherwise grow.
public struct FTPServerOptions {
    /// A control connection silent this long is closed (421), between commands.
    public var idleTimeoutMilliseconds = 300_000
    /// Waiting for a data connection to open, and for each piece of a transfer.
    public var dataTimeoutMilliseconds = 30_000
    /// Longer command lines get 500 and are skipped (paths on the ESP32 are far shorter).
    public var maximumLineLength = 512
    /// Sessions at once; one more is told 421 and closed. Each session is a thread (a task on
    /// the ESP32) with about 70 KB of buffers while it writes flash.
    public var maximumClients = 8

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
    /// Where events go: (peer, text). The host writes them to its log, the ESP32 to its console.
    let log: (String, String) -> Void
    private let mutex: any PlatformMutex
    private var clients = 0
    private var sessionsStarted = 0

    public init(
        store: any FTPFileStore, channels: any FTPDataChannels, board: BoardService,
        accounts: FTPAccounts, options: FTPServerOptions = FTPServerOptions(), clock: any ServiceClock,
        mutex: any PlatformMutex, log: @escaping (String, String) -> Void
    ) {
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
        mutex.lock()
        let admitted = clients < options.maximumClients
        if admitted { clients += 1 }
        mutex.unlock()
        guard admitted else {
            let text = Array("421 too many clients (\(options.maximumClients)); try again later\r\n".utf8)
            try? text.withBytes { (p) throws(TapWalkerError) in try control.send(p, timeoutMilliseconds: 5000) }
            control.close()
            log(peer, "refused: \(options.maximumClients) clients already connected")
            return
        }
        defer {
            mutex.lock()
            clients -= 1
            mutex.unlock()
        }
        let session = FTPSession(server: self, control: control, peer: peer, localHost: localHost)
        session.run()
        control.close()
    }

    /// "1.2.3.4" of "1.2.3.4:5678", "::1" of "[::1]:5678".
    public static func host(of peer: String) -> String {
        var bytes = Array(peer.utf8)
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) { bytes.removeSubrange(colon...) }
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") { bytes = Array(bytes[1..<(bytes.count - 1)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
