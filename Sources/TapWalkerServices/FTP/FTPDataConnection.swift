import TapWalkerCore

/// The data connection of one session: set up by PASV/EPSV (the server listens) or PORT/EPRT (the
/// server connects), used by the next transfer and then gone. Only the control connection's own
/// host may connect in passive mode or be connected to in active mode, so that nobody else on the
/// network can take over a transfer and the server cannot be used to reach a third host
/// (the "FTP bounce" of RFC 2577). Active mode also connects only to unprivileged ports (1024 and
/// up), where no system service of the client's host listens. In passive mode, a connection
/// from another address is closed and the wait goes on for the client's own, so that a stranger
/// who finds the port cannot abort the transfer.
final class FTPDataLink {
    enum Mode {
        case none
        case passive(any FTPPassiveListener)
        case active(host: String, port: Int)
    }

    private(set) var mode = Mode.none
    let channels: any FTPDataChannels
    let clientHost: String
    let timeoutMilliseconds: Int
    let clock: any ServiceClock
    let log: (String) -> Void
    static let lowestActivePort = 1024

    init(channels: any FTPDataChannels, clientHost: String, timeoutMilliseconds: Int, clock: any ServiceClock,
         log: @escaping (String) -> Void) {
        self.channels = channels
        self.clientHost = clientHost
        self.timeoutMilliseconds = timeoutMilliseconds
        self.clock = clock
        self.log = log
    }

    var isReady: Bool {
        if case .none = mode { return false }
        return true
    }

    /// Listens for the next transfer; returns the port.
    func listen(host: String) throws(TapWalkerError) -> Int {
        reset()
        let listener = try channels.listen(host: host)
        mode = .passive(listener)
        return listener.port
    }

    func connectLater(host: String, port: Int) throws(TapWalkerError) {
        guard ASCII.equal(host, clientHost) else {
            throw TapWalkerError(.usage, "active mode connects only to the client's own address \(clientHost), not \(host)")
        }
        guard (FTPDataLink.lowestActivePort...65535).contains(port) else {
            throw TapWalkerError(.usage, "active mode connects only to ports \(FTPDataLink.lowestActivePort) to 65535, not \(port)")
        }
        reset()
        mode = .active(host: host, port: port)
    }

    /// Opens the connection that PASV/EPSV/PORT/EPRT prepared; it serves one transfer.
    func open() throws(TapWalkerError) -> any NetworkConnection {
        let current = mode
        mode = .none
        switch current {
        case .none:
            throw TapWalkerError(.usage, "no data connection: send PASV, EPSV, PORT or EPRT first")
        case .active(let host, let port):
            return try channels.connect(host: host, port: port, timeoutMilliseconds: timeoutMilliseconds)
        case .passive(let listener):
            defer { listener.close() }
            let deadline = clock.microseconds() + UInt64(timeoutMilliseconds) * 1000
            while true {
                let now = clock.microseconds()
                let left = deadline > now ? Int((deadline - now + 999) / 1000) : 0
                guard left > 0, let (connection, peer) = try listener.accept(timeoutMilliseconds: left) else {
                    throw TapWalkerError(.input, "the client did not open the data connection within \(timeoutMilliseconds / 1000) s")
                }
                if ASCII.equal(peer, clientHost) { return connection }
                connection.close()
                log("closed a data connection from \(peer), not the client \(clientHost); still waiting for the client's")
            }
        }
    }

    func reset() {
        if case .passive(let listener) = mode { listener.close() }
        mode = .none
    }
}

/// An upload's data connection as a `ByteSource`. The end of the stream is the end of the file in
/// FTP, so a client that dies halfway looks like a short file; before reporting the end, the
/// source asks `controlClosed` whether the control connection went too, and if so throws, so that
/// the programmer or writer treats it as the cut-off it is.
final class FTPUploadSource: ByteSource {
    let connection: any NetworkConnection
    let name: String
    let timeoutMilliseconds: Int
    let controlClosed: () -> Bool
    private(set) var received = 0

    init(_ connection: any NetworkConnection, name: String, timeoutMilliseconds: Int, controlClosed: @escaping () -> Bool) {
        self.connection = connection
        self.name = name
        self.timeoutMilliseconds = timeoutMilliseconds
        self.controlClosed = controlClosed
    }

    var totalBytes: Int? { nil }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        let n: Int
        do throws(TapWalkerError) {
            n = try connection.receive(into: buffer, timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            throw TapWalkerError(.input, "the upload broke off after \(received) bytes: \(error.message)")
        }
        if n == 0 && controlClosed() {
            throw TapWalkerError(.input, "the client disconnected after \(received) bytes, before the upload was complete")
        }
        received += n
        return n
    }

    /// Reads and drops what the client still sends, until it ends the upload, `limit` bytes have
    /// been dropped, or a read fails (the data timeout bounds each wait).
    func discardRest(upTo limit: Int) {
        var scratch = [UInt8](repeating: 0, count: 512)
        var dropped = 0
        while dropped < limit {
            let n: Int
            do throws(TapWalkerError) {
                n = try scratch.withMutableBytes { (p) throws(TapWalkerError) -> Int in
                    try connection.receive(into: p, timeoutMilliseconds: timeoutMilliseconds)
                }
            } catch { return }
            if n == 0 { return }
            dropped += n
        }
    }
}
