import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices

/// The device's TCP/IP over BSD sockets: lwIP's on the ESP32 (every interface the WiFi brought
/// up), the host's on the virtual ESP32 (127.0.0.1 only, so that nothing outside the machine
/// reaches it). FTP's data connections come from here too.
public final class BSDNetwork: DeviceNetwork {
    /// The address services listen on: 0.0.0.0 on the chip, 127.0.0.1 on the virtual ESP32.
    let listenAddress: UInt32
    /// Connections a listener keeps waiting for accept (lwIP's default accept backlog is small;
    /// every server here accepts at once).
    static let backlog: Int32 = 4

    /// `loopbackOnly`: listen on 127.0.0.1 instead of every interface.
    public init(loopbackOnly: Bool) {
        listenAddress = loopbackOnly ? IPv4.loopback : IPv4.any
    }

    public func listen(port: Int) throws(TapWalkerError) -> any ConnectionListeners {
        try listeners(port: port)
    }

    /// `listen(port:)` with the concrete type, for `BSDListeners.combined`.
    public func listeners(port: Int) throws(TapWalkerError) -> BSDListeners {
        guard port > 0 && port < 65536 else { throw TapWalkerError(.input, "cannot listen on port \(port): not a TCP port") }
        let fd = bsd_listen(listenAddress, Int32(port), BSDNetwork.backlog)
        guard fd >= 0 else {
            throw TapWalkerError(.input, "cannot listen on \(IPv4.text(listenAddress)):\(port): \(BSD.lastError())")
        }
        return BSDListeners(fds: [fd], ports: [port])
    }

    public func makeConnection() -> any NetworkConnection { BSDConnection() }

    // MARK: FTPDataChannels

    public func listen(host: String) throws(TapWalkerError) -> any FTPPassiveListener {
        guard let address = IPv4.parse(host) else {
            throw TapWalkerError(.input, "cannot listen for a data connection on \(host): not an IPv4 address")
        }
        let fd = bsd_listen(address, 0, 1)
        guard fd >= 0 else { throw TapWalkerError(.input, "cannot listen for a data connection on \(host): \(BSD.lastError())") }
        var bound: UInt32 = 0
        var port: Int32 = 0
        guard bsd_socket_name(fd, 0, &bound, &port) == 0 else {
            let why = BSD.lastError()
            _ = bsd_close(fd)
            throw TapWalkerError(.input, "cannot listen for a data connection on \(host): \(why)")
        }
        return BSDPassiveListener(BSDListeners(fds: [fd], ports: [Int(port)]))
    }

    public func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) -> any NetworkConnection {
        let connection = BSDConnection()
        try connection.connect(host: host, port: port, timeoutMilliseconds: timeoutMilliseconds)
        return connection
    }
}

/// The socket of one passive FTP transfer.
final class BSDPassiveListener: FTPPassiveListener {
    let listeners: BSDListeners

    init(_ listeners: BSDListeners) { self.listeners = listeners }

    var port: Int { listeners.ports[0] }

    func accept(timeoutMilliseconds: Int) throws(TapWalkerError) -> (connection: any NetworkConnection, peerHost: String)? {
        guard let accepted = try listeners.accept(timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        return (accepted.connection, FTPServer.host(of: accepted.peer))
    }

    func close() { listeners.close() }
}
