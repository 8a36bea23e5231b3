import TapWalkerCore
import TapWalkerServices

/// Listening TCP sockets, one per service port, as the servers' accept loop takes them. The
/// sockets are non-blocking and waited for with poll, so an accept gives up after its timeout
/// and the loop can ask whether to stop.
public final class BSDListeners: ConnectionListeners {
    private var fds: [Int32]
    public let ports: [Int]

    init(fds: [Int32], ports: [Int]) {
        self.fds = fds
        self.ports = ports
    }

    /// Several listeners waited on together (at most 8, poll's table in bsd.h); each accepted
    /// connection names the position of its listener in `all`. The listeners given are emptied.
    public static func combined(_ all: [BSDListeners]) -> BSDListeners {
        var fds: [Int32] = []
        var ports: [Int] = []
        for l in all {
            fds += l.fds
            ports += l.ports
            l.fds = []
        }
        return BSDListeners(fds: fds, ports: ports)
    }

    deinit { close() }

    public func accept(timeoutMilliseconds: Int) throws(TapWalkerError) -> AcceptedConnection? {
        guard !fds.isEmpty else { return nil }
        let index = fds.withUnsafeBufferPointer {
            bsd_poll_any($0.baseAddress, Int32($0.count), Int32(clamping: timeoutMilliseconds))
        }
        if index == -2 { return nil }
        if index < 0 {
            let error = bsd_errno()
            if bsd_is_interrupted(error) != 0 { return nil }
            throw TapWalkerError(.input, "waiting for connections failed: \(BSD.text(error))")
        }
        var host: UInt32 = 0
        var port: Int32 = 0
        let s = bsd_accept(fds[Int(index)], &host, &port)
        if s < 0 {
            let error = bsd_errno()
            // The client gave up between poll and accept, or a signal came: nothing to hand over.
            if bsd_would_block(error) != 0 || bsd_is_interrupted(error) != 0 { return nil }
            throw TapWalkerError(.input, "accepting a connection on port \(ports[Int(index)]) failed: \(BSD.text(error))")
        }
        let connection = BSDConnection(accepted: s, peer: IPv4.text(host) + ":\(port)")
        return AcceptedConnection(listener: Int(index), connection: connection, peer: connection.peer, local: connection.local)
    }

    /// Stops listening (again is harmless).
    public func close() {
        for fd in fds { _ = bsd_close(fd) }
        fds = []
    }
}
