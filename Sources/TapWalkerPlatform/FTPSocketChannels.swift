import TapWalkerCore
import TapWalkerServices

/// Data connections for the FTP server over the host's TCP sockets.
public final class FTPSocketChannels: FTPDataChannels {
    public init() {}

    public func listen(host: String) throws(TapWalkerError) -> any FTPPassiveListener {
        PassiveListener(try TCPListener(port: 0, host: host))
    }

    public func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) -> any NetworkConnection {
        let connection = TCPConnection()
        try connection.connect(host: host, port: port, timeoutMilliseconds: timeoutMilliseconds)
        return connection
    }

    final class PassiveListener: FTPPassiveListener {
        let listener: TCPListener
        init(_ listener: TCPListener) { self.listener = listener }

        var port: Int { listener.port }

        func accept(timeoutMilliseconds: Int) throws(TapWalkerError) -> (connection: any NetworkConnection, peerHost: String)? {
            guard let (_, connection) = try TCPListener.accept(any: [listener], timeoutMilliseconds: timeoutMilliseconds) else { return nil }
            return (connection, FTPServer.host(of: connection.peerName))
        }

        func close() { listener.close() }
    }
}
