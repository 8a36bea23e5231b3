import TapWalkerCore

/// A connection a listener accepted, with the names the servers log and reply with.
public struct AcceptedConnection {
    /// Which of the listeners accepted it (XVC, remote_bitbang, …: the order they were given in).
    public let listener: Int
    public let connection: any NetworkConnection
    /// "address:port" of the client.
    public let peer: String
    /// "address:port" the client connected to.
    public let local: String

    public init(listener: Int, connection: any NetworkConnection, peer: String, local: String) {
        self.listener = listener
        self.connection = connection
        self.peer = peer
        self.local = local
    }
}

/// The listening sockets of the servers: TCP listeners on the host, lwIP's on the ESP32.
public protocol ConnectionListeners: AnyObject {
    /// Waits up to `timeoutMilliseconds` for a connection on any listener; nil when none came (or
    /// the wait was interrupted).
    func accept(timeoutMilliseconds: Int) throws(TapWalkerError) -> AcceptedConnection?
}
