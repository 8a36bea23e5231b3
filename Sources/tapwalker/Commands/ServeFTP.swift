import ArgumentParser
import Foundation
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices

/// `tapwalker serve --ftp`: the FTP server's options and start-up. The protocol is
/// `FTPServer` in TapWalkerServices; this joins it to the host's files, sockets and threads.
struct FTPServeOptions: ParsableArguments {
    @Option(name: .customLong("ftp"), help: ArgumentHelp("Serve FTP on this TCP port (21 by convention; 0: any free port). STOR to fpga, flash@ADDR or sd@ADDR programs; SITE HELP lists the board commands.", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("FTP: the directory clients see as /; nothing outside it is reachable (.. is refused and symbolic links under it are not followed).", valueName: "dir"))
    var root: String?

    @Option(help: ArgumentHelp("FTP: the user name that may upload, program and change files.", valueName: "name"))
    var user: String?

    @Option(help: ArgumentHelp("FTP: a file whose first line is the password of --user (kept off the command line, where other users could read it).", valueName: "file"))
    var passwordFile: String?

    @Flag(help: "FTP: also let anonymous users (USER anonymous or ftp) browse and download; they cannot upload, change files or program. Without --user this is the only login.")
    var anonymousRead = false

    @Option(help: ArgumentHelp("The SD card for FTP's STOR sd@ADDR and HTTP's PUT /api/sd: an image file or block device, written raw.", valueName: "path"))
    var sd: String?

    @Option(help: ArgumentHelp("FTP: close a control connection silent for this many seconds.", valueName: "seconds"))
    var ftpIdleTimeout = 300

    @Option(help: ArgumentHelp("FTP: logged-in clients served at once; more are told 421 (one programming job runs at a time regardless). Connections that have not logged in are limited apart: 3 per address, 8 in all, each given 20 s to log in.", valueName: "n"))
    var ftpMaxClients = 8

    var enabled: Bool { port != nil }

    /// The files are checked before anything listens: the root is a directory that can be read
    /// (and written, when a user may upload), the SD card an image file or block device of whole
    /// 512-byte blocks that can be read and written, the password file readable.
    func validate() throws {
        guard enabled else { return }
        if let root { try PathCheck.directory(RawArguments.path(root), option: "--root", writable: user != nil) }
        if let sd {
            let size = try PathCheck.existingFile(RawArguments.path(sd), option: "--sd", blockDevice: true)
            guard size >= FTPDestination.sdBlock, size % FTPDestination.sdBlock == 0 else {
                throw TapWalkerError(.usage, "--sd \(sd) has \(size) bytes; a card image is a whole number of \(FTPDestination.sdBlock)-byte blocks, at least one")
            }
        }
        if let passwordFile, !RawArguments.path(passwordFile).allows(R_OK) {
            throw TapWalkerError(.usage, "--password-file \(passwordFile) cannot be read")
        }
    }

    /// Who may log in to `server` (FTP, and HTTP, which shares these options): --user with the
    /// first line of --password-file, and --anonymous-read. A login nobody could use is refused
    /// here, in the options' words, before anything listens.
    func accounts(server: String) throws(TapWalkerError) -> Accounts {
        if (user == nil) != (passwordFile == nil) {
            throw TapWalkerError(.usage, "--user and --password-file go together")
        }
        var password: [UInt8]?
        if let passwordFile {
            guard let data = try? FileSource(path: RawArguments.path(passwordFile)).readAll(limit: 65536, tooLarge: TapWalkerError(.usage, "")) else {
                throw TapWalkerError(.usage, "--password-file \(passwordFile) cannot be read")
            }
            // The first line, without its line ending.
            password = Array(data.prefix { $0 != 10 && $0 != 13 })
        }
        let accounts = Accounts(user: user.map { Array($0.utf8) }, password: password, anonymousRead: anonymousRead)
        switch accounts.problem {
        case .nobodyCanLogIn?:
            throw TapWalkerError(.usage, "the \(server) server needs a user and password (--user NAME --password-file FILE), or --anonymous-read for read-only browsing without programming")
        case .emptyPassword?:
            throw TapWalkerError(.usage, "the \(server) user needs a non-empty password (--password-file FILE, first line)")
        case nil:
            return accounts
        }
    }

    /// Starts the FTP listener on its own thread (and a thread per client); returns once it listens.
    /// `board` is the one board service `serve` shares between its servers; `throttle` counts failed
    /// logins per address, shared with the HTTP server.
    func start(board: BoardService, listen: String, throttle: LoginThrottle) throws(TapWalkerError) {
        guard let port else { return }
        guard let root else { throw TapWalkerError(.usage, "--ftp needs --root DIR: the directory the FTP clients see") }
        let accounts = try accounts(server: "FTP")
        guard ftpIdleTimeout > 0, ftpMaxClients > 0 else {
            throw TapWalkerError(.usage, "--ftp-idle-timeout and --ftp-max-clients must be positive")
        }
        var options = FTPServerOptions()
        options.idleTimeoutMilliseconds = ftpIdleTimeout * 1000
        options.maximumClients = ftpMaxClients
        let clock = SystemClock()
        let server = FTPServer(
            store: try PosixFileStore(root: RawArguments.path(root)), channels: FTPSocketChannels(),
            board: board,
            accounts: accounts, options: options, clock: clock, mutex: SystemMutex(), throttle: throttle
        ) { peer, text in ServerLog.line("ftp", peer, text) }
        let listener = try TCPListener(port: port, host: listen)
        ServerLog.listening("ftp", host: listen, port: listener.port)
        ServerThread.start {
            // A thread per client, until Ctrl-C.
            let listeners = TCPListenerSet([listener])
            AcceptLoop.run(listeners, until: { Interruption.requested }, log: { ServerLog.line("ftp", nil, $0) }) { accepted in
                ServerThread.start {
                    server.serve(accepted.connection, peer: accepted.peer, localHost: FTPServer.host(of: accepted.local))
                }
            }
            listeners.close()
        }
    }
}
