import TapWalkerCore
import TapWalkerServices

/// Starts the network services tapwalker.conf asks for, on one board service and one job lock:
/// for each, a listener and an accept task; FTP and HTTP clients each on a task of their own,
/// bounded by `DeviceServiceLimits`; XVC and remote_bitbang clients served on their accept task,
/// one at a time, holding the board while connected. Remembers what started and what was refused,
/// for the console.
final class DeviceServices {
    /// What became of one configured service.
    struct Outcome {
        let service: DeviceService
        let port: Int
        /// nil when it runs.
        let refusal: String?
    }

    let network: any DeviceNetwork
    let tasks: any DeviceTasks
    let clock: any DeviceClock
    let random: any RandomSource
    let board: BoardService
    /// The board's cable when it samples TDO without clocking (remote_bitbang needs to know).
    let sampler: (any TDOSampling)?
    let store: DeviceFileStore
    /// The web page's WiFi settings (/api/wifi).
    let wifi: DeviceWiFiSettings
    let lifetime: ServiceLifetime
    let output: ConsoleOutput
    /// Admission by memory for every service at once (nil without a heap gauge).
    let memory: HeapAdmission?
    /// PUT /api/firmware; nil when the device cannot update itself.
    let firmware: DeviceFirmware?
    private(set) var outcomes: [Outcome] = []

    /// `files`: the tree the file store shows (the flash, and the SD card under /sd).
    init(support: DeviceBoardSupport, files: any DeviceFileSystem, board: BoardService, sampler: (any TDOSampling)?,
         wifi: DeviceWiFiSettings, lifetime: ServiceLifetime, output: ConsoleOutput, firmware: DeviceFirmware? = nil) {
        self.firmware = firmware
        network = support.network
        tasks = support.tasks
        clock = support.clock
        random = support.random
        self.board = board
        self.sampler = sampler
        store = DeviceFileStore(files: files)
        self.wifi = wifi
        self.lifetime = lifetime
        self.output = output
        memory = support.heap.map { HeapAdmission(gauge: $0, mutex: support.tasks.makeMutex(), clock: support.clock) }
        memory?.log = { peer, text in output.line("\(peer): \(text)") }
        // A compressed input's decoder is admitted by the board service, whoever runs the job.
        board.memory = memory
    }

    /// The services that run.
    var running: [Outcome] { outcomes.filter { $0.refusal == nil } }

    /// Starts every service with a port; prints on the console each one that is refused.
    func start(_ configuration: DeviceConfiguration) {
        let accounts = DeviceServices.accounts(configuration.login)
        // One count of failed logins per address for FTP and HTTP together.
        let throttle = LoginThrottle(mutex: tasks.makeMutex(), clock: clock)
        for service in DeviceService.allCases {
            let port = configuration.port(service)
            guard port != 0 else { continue }
            var refusal = configuration.refusal(service).map { DeviceServices.withoutServiceName($0, service) }
            if refusal == nil {
                do throws(TapWalkerError) {
                    try start(service, port: port, accounts: accounts, throttle: throttle)
                } catch {
                    refusal = error.message
                }
            }
            if let refusal { output.line("tapwalker: \(service.key) not started: \(refusal)") }
            outcomes.append(Outcome(service: service, port: port, refusal: refusal))
        }
        // The services' own memory is taken now: what is free is what clients may have.
        if let memory {
            memory.startLedger()
            let l = memory.ledger
            output.line("tapwalker: memory: \(l.capacity - l.reserve) B free for connections and transfers, \(l.reserve) B kept for the console and one board job")
        }
    }

    /// A refusal as printed after "ftp not started: ", without saying the service's name twice.
    static func withoutServiceName(_ refusal: String, _ service: DeviceService) -> String {
        let prefix = Array((service.key + " does not start: ").utf8)
        let text = Array(refusal.utf8)
        guard text.starts(with: prefix) else { return refusal }
        return String(decoding: text[prefix.count...], as: UTF8.self)
    }

    /// The login of tapwalker.conf as the servers' accounts: one user, checked by its credential
    /// (clear or salted hash); no anonymous access.
    static func accounts(_ login: DeviceConfiguration.Login?) -> Accounts {
        guard let login else { return Accounts(user: nil, password: nil, anonymousRead: false) }
        let credential = login.credential
        return Accounts(user: login.user, verifier: { credential.accepts($0) }, anonymousRead: false)
    }

    private func start(_ service: DeviceService, port: Int, accounts: Accounts, throttle: LoginThrottle) throws(TapWalkerError) {
        let listener = try network.listen(port: port)
        let key = service.key
        let output = self.output
        let log: (String, String) -> Void = { peer, text in output.line("\(key) \(peer): \(text)") }
        let body: (AcceptedConnection) -> Void
        let stack: Int
        switch service {
        case .ftp:
            let server = FTPServer(store: store, channels: network, board: board, accounts: accounts,
                                   options: DeviceServiceLimits.ftp, clock: clock, mutex: tasks.makeMutex(),
                                   throttle: throttle, log: log)
            server.memory = memory
            memory?.register(server.waiting)
            let gate = ClientTaskGate(limit: DeviceServiceLimits.ftpTasks, mutex: tasks.makeMutex())
            body = clientTasks(gate, .ftpControl, name: "ftp client", refuse: { server.refuse($0.connection, peer: $0.peer, $1) }) {
                server.serve($0.connection, peer: $0.peer, localHost: FTPServer.host(of: $0.local))
            }
            stack = DeviceTaskStacks.acceptLoop
        case .http:
            let options = DeviceServiceLimits.http
            let router = HTTPRouter(
                accounts: accounts,
                sessions: SessionStore(mutex: tasks.makeMutex(), clock: clock, random: random),
                throttle: throttle, store: store,
                board: HTTPBoardService(board: board, mutex: tasks.makeMutex()),
                events: HTTPJobEvents(mutex: tasks.makeMutex(), clock: clock),
                options: options, clock: clock, wifi: wifi, firmware: firmware, log: log)
            router.memory = memory
            let server = HTTPServer(router: router, clock: clock, mutex: tasks.makeMutex(), log: log)
            memory?.register(server.preLogin)
            let gate = ClientTaskGate(limit: DeviceServiceLimits.httpTasks, mutex: tasks.makeMutex())
            body = clientTasks(gate, .httpConnection, name: "http client", refuse: { server.refuse($0.connection, peer: $0.peer, $1) }) {
                server.serve($0.connection, peer: $0.peer)
            }
            stack = DeviceTaskStacks.acceptLoop
        case .xvc:
            let jtag = SharedBoardJTAG(board: board, clock: clock, log: log)
            jtag.memory = memory
            body = { jtag.serveXVC($0) }
            stack = DeviceTaskStacks.jtagServer
        case .remoteBitbang:
            let jtag = SharedBoardJTAG(board: board, clock: clock, log: log)
            jtag.memory = memory
            let sampler = self.sampler
            body = { jtag.serveRemoteBitbang($0, sampler: sampler) }
            stack = DeviceTaskStacks.jtagServer
        }
        let lifetime = self.lifetime
        lifetime.loopStarted()
        do throws(TapWalkerError) {
            try tasks.start(name: key, stackBytes: stack) {
                AcceptLoop.run(listener, until: { lifetime.stopRequested }, log: { output.line("\(key): \($0)") }, body)
                lifetime.loopEnded()
            }
        } catch {
            lifetime.loopEnded()
            throw error.rephrased("no task for its accept loop: \(error.message)")
        }
    }

    /// An accept loop's handler that serves each connection on a task of its own, at most
    /// `gate.limit` at once and only when the device has memory for the task's stack and the
    /// session (`work`'s figure); otherwise, or when no task can be started, that one connection
    /// is refused and the others go on.
    private func clientTasks(
        _ gate: ClientTaskGate, _ work: HeapWork, name: String, refuse: @escaping (AcceptedConnection, String) -> Void,
        _ serve: @escaping (AcceptedConnection) -> Void
    ) -> (AcceptedConnection) -> Void {
        let tasks = self.tasks
        let memory = self.memory
        return { accepted in
            guard gate.enter() else {
                refuse(accepted, "too many connections (\(gate.limit))")
                return
            }
            var ticket: HeapAdmission.Ticket? = nil
            if let memory {
                switch memory.admit(work, extra: DeviceTaskStacks.client, peer: accepted.peer, measure: false) {
                case .failure(let refusal):
                    gate.leave()
                    refuse(accepted, refusal.message)
                    return
                case .success(let t): ticket = t
                }
            }
            do throws(TapWalkerError) {
                try tasks.start(name: name, stackBytes: DeviceTaskStacks.client) {
                    let measured = ticket.map { memory!.measuring($0) }
                    serve(accepted)
                    if let measured { memory!.finish(measured) }
                    gate.leave()
                }
            } catch {
                if let ticket { memory?.finish(ticket) }
                gate.leave()
                refuse(accepted, "the device has no memory for another connection (\(error.message))")
            }
        }
    }
}
