import TapWalkerCore

/// A TCP connection over BSD sockets (lwIP's on the ESP32, the host's on the virtual ESP32).
/// Every wait is a poll bounded by the caller's timeout, so a silent peer cannot hold a task for
/// ever; `send` sends everything or fails.
public final class BSDConnection: NetworkConnection {
    private var fd: Int32
    /// The other end, "address:port", for messages.
    public private(set) var peer: String

    /// A connection not yet connected (`connect` opens it).
    public init() {
        fd = -1
        peer = ""
    }

    /// A socket `accept` returned.
    init(accepted fd: Int32, peer: String) {
        self.fd = fd
        self.peer = peer
    }

    deinit { close() }

    /// This end, "address:port": the address the client reached (an FTP PASV reply names it).
    public var local: String {
        var host: UInt32 = 0
        var port: Int32 = 0
        guard fd >= 0, bsd_socket_name(fd, 0, &host, &port) == 0 else { return "0.0.0.0:0" }
        return IPv4.text(host) + ":\(port)"
    }

    public func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {
        close()
        peer = host + ":\(port)"
        guard let address = IPv4.parse(host) else {
            // The device resolves no names: the services connect only to addresses they were given.
            throw TapWalkerError(.input, "cannot connect to \(peer): not an IPv4 address")
        }
        guard port > 0 && port < 65536 else { throw TapWalkerError(.input, "cannot connect to \(peer): no such port") }
        var pending: Int32 = 0
        let s = bsd_connect_start(address, Int32(port), &pending)
        guard s >= 0 else { throw TapWalkerError(.input, "cannot connect to \(peer): \(BSD.lastError())") }
        if pending != 0 {
            do throws(TapWalkerError) {
                guard try BSD.wait(s, writable: true, timeoutMilliseconds: timeoutMilliseconds) else {
                    throw TapWalkerError(.input, "cannot connect to \(peer): no answer in \(BSD.seconds(timeoutMilliseconds))")
                }
            } catch {
                _ = bsd_close(s)
                throw error
            }
            let error = bsd_connect_finish(s)
            guard error == 0 else {
                _ = bsd_close(s)
                throw TapWalkerError(.input, "cannot connect to \(peer): \(BSD.text(error))")
            }
        } else {
            _ = bsd_connect_finish(s)
        }
        fd = s
    }

    public func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) {
        guard fd >= 0 else { throw TapWalkerError(.input, "sending to \(peer) failed: not connected") }
        var offset = 0
        while offset < bytes.count {
            // Poll first, then send what fits without waiting (MSG_DONTWAIT), so that a peer that
            // takes nothing cannot hold us past the timeout.
            guard try BSD.wait(fd, writable: true, timeoutMilliseconds: timeoutMilliseconds) else {
                throw TapWalkerError(.input, "sending to \(peer) timed out after \(BSD.seconds(timeoutMilliseconds))")
            }
            let n = bsd_send(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                let error = bsd_errno()
                if bsd_is_interrupted(error) != 0 || bsd_would_block(error) != 0 { continue }
                throw TapWalkerError(.input, "sending to \(peer) failed: \(BSD.text(error))")
            }
            offset += n
        }
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int {
        guard fd >= 0 else { throw TapWalkerError(.input, "receiving from \(peer) failed: not connected") }
        if buffer.count == 0 { return 0 }
        while true {
            guard try BSD.wait(fd, writable: false, timeoutMilliseconds: timeoutMilliseconds) else {
                throw TapWalkerError(.input, "\(peer) sent nothing for \(BSD.seconds(timeoutMilliseconds)); gave up waiting")
            }
            let n = bsd_recv(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            let error = bsd_errno()
            if bsd_is_interrupted(error) != 0 || bsd_would_block(error) != 0 { continue }
            throw TapWalkerError(.input, "receiving from \(peer) failed: \(BSD.text(error))")
        }
    }

    /// Ends both directions; a task blocked in `receive` on this connection returns at once.
    /// `close` still has to be called.
    public func shutdown() {
        if fd >= 0 { _ = bsd_shutdown(fd) }
    }

    /// Bytes still arriving that `close` reads and drops before closing (bsd_close_lingering).
    static let lingerBytes = 1 << 20

    public func close() {
        if fd >= 0 { _ = bsd_close_lingering(fd, BSDConnection.lingerBytes) }
        fd = -1
    }
}
