import ArgumentParser
import Foundation
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices

/// `tapwalker serve --http`: the web page and JSON API. The protocol is `HTTPServer` in
/// TapWalkerServices; this joins it to the host's files, sockets and threads. It logs in with the
/// FTP options' --user, --password-file and --anonymous-read, serves --root as the file store, and
/// runs the board routes on the board service `serve` shares with FTP and XVC (one job lock).
struct HTTPServeOptions: ParsableArguments {
    @Option(name: .customLong("http"), help: ArgumentHelp("Serve the web page and JSON API on this TCP port (0: any free port). Logs in with --user/--password-file (or --anonymous-read); --root is its file store. The board routes program the same board FTP and XVC use, one job at a time; --sd is the card for PUT /api/sd.", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("HTTP: connections served at once; more are answered 503.", valueName: "n"))
    var httpMaxClients = 8

    var enabled: Bool { port != nil }

    /// Starts the HTTP listener on its own thread (and a thread per connection); returns once it listens.
    /// `throttle` counts failed logins per address; FTP is meant to share the same one.
    /// `board` is the one board service `serve` shares between its servers.
    func start(ftp: FTPServeOptions, listen: String, throttle: LoginThrottle, board: BoardService) throws(TapWalkerError) {
        guard let port else { return }
        let accounts = try ftp.accounts(server: "HTTP")
        guard httpMaxClients > 0 else { throw TapWalkerError(.usage, "--http-max-clients must be positive") }
        var options = HTTPServerOptions()
        options.maximumClients = httpMaxClients
        let clock = SystemClock()
        let store = try ftp.root.map { (root) throws(TapWalkerError) -> any FileStore in try PosixFileStore(root: root) }
        let boardRoutes = HTTPBoardService(board: board, mutex: SystemMutex())
        let log: (String, String) -> Void = { peer, text in ServerLog.line("http", peer, text) }
        let router = HTTPRouter(
            accounts: accounts,
            sessions: SessionStore(mutex: SystemMutex(), clock: clock, random: SystemRandom()),
            throttle: throttle,
            store: store, board: boardRoutes, events: HTTPJobEvents(mutex: SystemMutex(), clock: clock),
            options: options, clock: clock, log: log)
        let server = HTTPServer(router: router, clock: clock, mutex: SystemMutex(), log: log)
        let listener = try TCPListener(port: port, host: listen)
        ServerLog.listening("http", host: listen, port: listener.port)
        ServerThread.start {
            AcceptLoop.run(TCPListenerSet([listener]), until: { Interruption.requested }, log: { ServerLog.line("http", nil, $0) }) { accepted in
                ServerThread.start { server.serve(accepted.connection, peer: accepted.peer) }
            }
            listener.close()
        }
    }
}
