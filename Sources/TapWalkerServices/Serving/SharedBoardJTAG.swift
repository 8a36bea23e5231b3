import TapWalkerCore

/// JTAG clients (XVC, remote_bitbang) served on a board that other servers share: a client holds
/// the board's job lock while it is connected, and one that finds the board busy (an FTP job) is
/// disconnected at once, with the refusal logged, because these protocols have no error replies.
public final class SharedBoardJTAG {
    public let board: BoardService
    let clock: any ServiceClock
    let options: JTAGServerOptions
    /// Where events go: (peer, text).
    let log: (String, String) -> Void
    /// The device's admission by memory (nil on a host): a client the session's buffers do not
    /// fit for is disconnected at once, as a busy board's is.
    public var memory: HeapAdmission?

    public init(board: BoardService, clock: any ServiceClock, options: JTAGServerOptions = JTAGServerOptions(),
                log: @escaping (String, String) -> Void) {
        self.board = board
        self.clock = clock
        self.options = options
        self.log = log
    }

    /// Serves one XVC client to its end, holding the board meanwhile.
    public func serveXVC(_ accepted: AcceptedConnection) {
        serve(accepted, "XVC") { XVCServer(cable: board.cable, clock: clock, options: options).serve($0) }
    }

    /// Serves one remote_bitbang client to its end, holding the board meanwhile. `sampler`: the
    /// board's cable when it can sample TDO without clocking (pins, the simulator, a remote_bitbang
    /// cable), nil when it cannot (an XVC cable; see RemoteBitbangServer).
    public func serveRemoteBitbang(_ accepted: AcceptedConnection, sampler: (any TDOSampling)?) {
        serve(accepted, "remote_bitbang") {
            RemoteBitbangServer(cable: board.cable, sampler: sampler, clock: clock, options: options).serve($0)
        }
    }

    private func serve(_ accepted: AcceptedConnection, _ protocolName: String, _ session: (any NetworkConnection) -> JTAGSessionSummary) {
        let peer = accepted.peer
        let held = board.holding("\(protocolName) client \(peer)") { () -> Result<JTAGSessionSummary, HeapRefusal> in
            var ticket: HeapAdmission.Ticket? = nil
            if let memory {
                switch memory.admit(.jtagSession, peer: peer) {
                case .failure(let refusal): return .failure(refusal)
                case .success(let t): ticket = t
                }
            }
            log(peer, "connected")
            let summary = session(accepted.connection)
            if let ticket { memory?.finish(ticket) }
            return .success(summary)
        }
        // Logged once the board is given back, so whoever reads "disconnected" finds it free. A
        // refused client is disconnected at once: these protocols have no error replies.
        switch held {
        case .success(.success(let summary)):
            log(peer, "disconnected: \(summary.description)")
        case .success(.failure(let refusal)):
            log(peer, "refused: \(refusal.message)")
            accepted.connection.close()
        case .failure(let busy):
            log(peer, "refused: the board is busy (\(busy.holder))")
            accepted.connection.close()
        }
    }
}
