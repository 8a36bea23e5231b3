import TapWalkerCore

/// A listening socket for one passive-mode transfer (PASV/EPSV).
public protocol FTPPassiveListener: AnyObject {
    /// The port the client is told to connect to.
    var port: Int { get }
    /// Waits for the client's data connection; nil when none came in time. `peerHost` is the
    /// connecting address, which the server compares with the control connection's.
    func accept(timeoutMilliseconds: Int) throws(TapWalkerError) -> (connection: any NetworkConnection, peerHost: String)?
    func close()
}

/// How the server opens data connections: listening for the client (passive) or connecting to it
/// (active, PORT/EPRT). The host implements it with POSIX sockets, the ESP32 with lwIP's.
public protocol FTPDataChannels: AnyObject {
    /// Listens on a free port of `host`, the control connection's local address.
    func listen(host: String) throws(TapWalkerError) -> any FTPPassiveListener
    /// Connects to the client for an active-mode transfer.
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) -> any NetworkConnection
}
