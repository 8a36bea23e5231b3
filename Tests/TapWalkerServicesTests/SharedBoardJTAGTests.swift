import TapWalkerCore
import TapWalkerServices
import TapWalkerSim
import Testing

/// Listeners that hand out scripted connections, then stop the loop.
private final class ScriptedListeners: ConnectionListeners {
    var pending: [ScriptedConnection]
    var failuresFirst: Int
    init(_ connections: [ScriptedConnection], failuresFirst: Int = 0) {
        pending = connections
        self.failuresFirst = failuresFirst
    }
    func accept(timeoutMilliseconds: Int) throws(TapWalkerError) -> AcceptedConnection? {
        if failuresFirst > 0 {
            failuresFirst -= 1
            throw TapWalkerError(.input, "accepting a connection failed")
        }
        guard !pending.isEmpty else { return nil }
        return AcceptedConnection(listener: 0, connection: pending.removeFirst(), peer: "10.0.0.\(pending.count + 2):5000", local: "10.0.0.1:2542")
    }
}

@Suite("Serving: the accept loop and JTAG clients on a shared board")
struct SharedBoardJTAGTests {
    @Test("an XVC client holds the board while connected; one that finds it busy is closed at once and the refusal logged")
    func busyBoard() {
        let f = BoardFixture()
        var log: [String] = []
        let jtag = SharedBoardJTAG(board: f.board, clock: ManualClock()) { peer, text in log.append("\(peer): \(text)") }
        #expect(f.board.lock.tryAcquire("FTP client 10.0.0.9:40000 uploading to fpga") == nil)
        let refused = ScriptedConnection(Array("getinfo:".utf8))
        jtag.serveXVC(AcceptedConnection(listener: 0, connection: refused, peer: "10.0.0.5:1", local: "10.0.0.1:2542"))
        #expect(refused.closed && refused.sent.isEmpty)
        #expect(log.last == "10.0.0.5:1: refused: the board is busy (FTP client 10.0.0.9:40000 uploading to fpga)")
        f.board.lock.release()

        let served = ScriptedConnection(Array("getinfo:".utf8))
        jtag.serveXVC(AcceptedConnection(listener: 0, connection: served, peer: "10.0.0.6:1", local: "10.0.0.1:2542"))
        #expect(String(decoding: served.sent, as: UTF8.self).hasPrefix("xvcServer_v1.0:"))
        #expect(f.board.lock.currentHolder == nil, "the board is given back when the client leaves")
        #expect(log.contains("10.0.0.6:1: connected"))
    }

    @Test("the accept loop logs a failed accept, goes on, and serves every connection until told to stop")
    func acceptLoop() {
        let listeners = ScriptedListeners([ScriptedConnection([[UInt8]]()), ScriptedConnection([[UInt8]]())], failuresFirst: 1)
        var served: [String] = [], logged: [String] = []
        var rounds = 0
        AcceptLoop.run(listeners, until: { rounds += 1; return rounds > 4 }, log: { logged.append($0) }) { served.append($0.peer) }
        #expect(logged == ["accepting a connection failed"])
        #expect(served.count == 2)
    }
}
