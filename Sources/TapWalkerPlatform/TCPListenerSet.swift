import TapWalkerCore
import TapWalkerServices

/// The host's TCP listeners as the servers' accept loop takes them; a wait ends early on Ctrl-C.
public final class TCPListenerSet: ConnectionListeners {
    public let listeners: [TCPListener]
    /// Listeners whose connections are read ahead on a thread of their own (`PrefetchingConnection`).
    private let readAhead: [Int]

    public init(_ listeners: [TCPListener], readAhead: [Int] = []) {
        self.listeners = listeners
        self.readAhead = readAhead
    }

    public func accept(timeoutMilliseconds: Int) throws(TapWalkerError) -> AcceptedConnection? {
        guard let (index, connection) = try TCPListener.accept(any: listeners, timeoutMilliseconds: timeoutMilliseconds) else {
            return nil
        }
        let delivered: any NetworkConnection = readAhead.contains(index) ? PrefetchingConnection(connection) : connection
        return AcceptedConnection(listener: index, connection: delivered, peer: connection.peerName, local: connection.localName)
    }

    public func close() {
        for l in listeners { l.close() }
    }
}
