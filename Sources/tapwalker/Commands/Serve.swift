import ArgumentParser
import Foundation
import TapWalkerCore
import TapWalkerCurl
import TapWalkerPlatform
import TapWalkerServices

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a board on the network: XVC for JTAG tools, FTP for uploads.",
        discussion: """
            The servers share one cable (--cable: a simulated board, or a network cable), and one job \
            at a time uses it: an XVC client holds the board while it is connected; an FTP upload to a \
            programming destination holds it until it ends. A client that finds the board taken is \
            told who holds it (FTP: 450) or, for XVC, which has no error replies, disconnected at once \
            and the refusal logged. XVC clients are served one at a time in the order they connect.

            XVC gives whoever connects the JTAG port, with no login, so it listens on 127.0.0.1 unless \
            --xvc-listen names another address. FTP asks for a login before anything that writes.

            Ctrl-C stops the servers: the current jobs end, then a simulated flash image is saved.
            """)

    @OptionGroup var cableOptions: CableOptions

    @Option(name: .customLong("xvc"), help: ArgumentHelp("Serve XVC 1.0 on this TCP port (2542 by convention; 0: any free port).", valueName: "port"))
    var xvcPort: Int?

    @OptionGroup var ftp: FTPServeOptions

    @OptionGroup var http: HTTPServeOptions
    /// For `SITE PROG URL` and `POST /api/fpga` with a URL: the server fetches the input.
    @OptionGroup var urlOptions: URLOptions

    @Option(help: ArgumentHelp("The address FTP and HTTP listen on (0.0.0.0: every IPv4 interface).", valueName: "address"))
    var listen = "0.0.0.0"

    @Option(name: .customLong("xvc-listen"), help: ArgumentHelp(
        "The address XVC listens on. XVC has no authentication, so only this machine can reach it unless an address is given here (0.0.0.0: every IPv4 interface, for a trusted network).",
        valueName: "address"))
    var xvcListen = "127.0.0.1"

    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false

    func validate() throws {
        if xvcPort == nil && !ftp.enabled && !http.enabled {
            throw ValidationError("give --xvc PORT, --ftp PORT, --http PORT, or several")
        }
    }

    func run() throws {
        Interruption.install()
        let opened: CableOptions.Opened
        let lock = JobLock(mutex: SystemMutex())
        let clock = SystemClock()
        var xvcListener: TCPListener?
        let board: BoardService
        do throws(TapWalkerError) {
            opened = try cableOptions.open()
            // One board service for every server: one cable, one job lock, one SD card.
            let card = try ftp.sd.map { (path) throws(TapWalkerError) in try FileSDCard(path: RawArguments.path(path)) }
            board = BoardService(cable: opened.cable, lock: lock, sdCard: card, clock: clock)
            board.urls = CurlURLOpener(options: urlOptions.curl)
            if let xvcPort { xvcListener = try TCPListener(port: xvcPort, host: xvcListen) }
            // One count of failed logins per address for FTP and HTTP together.
            let throttle = LoginThrottle(mutex: SystemMutex(), clock: clock)
            try ftp.start(board: board, listen: listen, throttle: throttle)
            try http.start(ftp: ftp, listen: listen, throttle: throttle, board: board)
        } catch {
            throw fail(error, json: nil)
        }
        Chatter.note("tapwalker: serving \(opened.description)")
        if let xvcListener {
            ServerLog.listening("xvc", host: xvcListen, port: xvcListener.port)
            var options = JTAGServerOptions()
            options.idleTimeReachesCable = opened.isSimulator
            let jtag = SharedBoardJTAG(board: board, clock: clock,
                                       options: options) { peer, text in ServerLog.line("xvc", peer, text) }
            ServerThread.start {
                AcceptLoop.run(TCPListenerSet([xvcListener]), until: { Interruption.requested },
                               log: { ServerLog.line("xvc", nil, $0) }) { jtag.serveXVC($0) }
            }
        }
        while !Interruption.requested { Thread.sleep(forTimeInterval: 0.2) }
        ServerLog.line("serve", nil, "stopping")
        // Jobs see the interruption in their next wait; give them time to end cleanly.
        let deadline = Date().addingTimeInterval(30)
        while lock.currentHolder != nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        opened.finish()
    }
}
