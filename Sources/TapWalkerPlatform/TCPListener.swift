#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerCore

/// A listening TCP socket (IPv4 and, where the system allows, IPv6 on the same port) that hands
/// out `TCPConnection`s. Servers in TapWalkerServices see only the connections.
public final class TCPListener {
    private var fd: Int32 = -1
    /// The port actually bound (useful when 0 asked the system to choose one).
    public private(set) var port: Int = 0

    /// Listens on `port` of `host` ("127.0.0.1", "0.0.0.0", "::"; nil for every address).
    public init(port: Int, host: String? = nil) throws(TapWalkerError) {
        guard (0...65535).contains(port) else {
            throw TapWalkerError(.usage, "port \(port) is out of range (0–65535)")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_PASSIVE
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host ?? "0.0.0.0", String(port), &hints, &list)
        guard rc == 0, let ai = list else {
            throw TapWalkerError(.usage, "cannot listen on \(host ?? "*"):\(port): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        let s = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
        guard s >= 0 else { throw TapWalkerError(.usage, "cannot open a socket: \(errnoText())") }
        var one: Int32 = 1
        _ = setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else {
            let why = errnoText()
            _ = systemClose(s)
            throw TapWalkerError(.usage, "cannot listen on port \(port): \(why)")
        }
        guard listen(s, 16) == 0 else {
            let why = errnoText()
            _ = systemClose(s)
            throw TapWalkerError(.usage, "cannot listen on port \(port): \(why)")
        }
        fd = s
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(s, $0, &length) }
        }
        self.port = TCPListener.port(of: &address)
    }

    deinit { close() }

    public func close() {
        if fd >= 0 { _ = systemClose(fd) }
        fd = -1
    }

    /// Waits up to `timeoutMilliseconds` (-1: for ever) for a connection on any of `listeners`;
    /// returns which listener and the connection, or nil on timeout or interruption (`Interruption`).
    public static func accept(
        any listeners: [TCPListener], timeoutMilliseconds: Int
    ) throws(TapWalkerError) -> (index: Int, connection: TCPConnection)? {
        var fds = listeners.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        fds.append(pollfd(fd: Interruption.fd, events: Int16(POLLIN), revents: 0))
        let r = poll(&fds, nfds_t(fds.count), Int32(clamping: timeoutMilliseconds))
        if r < 0 {
            if errno == EINTR { return nil }
            throw TapWalkerError(.input, "waiting for connections failed: \(errnoText())")
        }
        if fds[listeners.count].revents != 0 { return nil }
        for (i, p) in fds.prefix(listeners.count).enumerated() where p.revents & Int16(POLLIN) != 0 {
            if let c = try listeners[i].accept() { return (i, c) }
        }
        return nil
    }

    /// Accepts one waiting connection (blocks until one arrives); nil if interrupted.
    public func accept() throws(TapWalkerError) -> TCPConnection? {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let c = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                Glibc.accept(fd, $0, &length)
                #else
                Darwin.accept(fd, $0, &length)
                #endif
            }
        }
        if c < 0 {
            if errno == EINTR || errno == ECONNABORTED || errno == EAGAIN { return nil }
            throw TapWalkerError(.input, "accepting a connection failed: \(errnoText())")
        }
        var one: Int32 = 1
        _ = setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return TCPConnection(accepted: c, peer: TCPListener.name(of: &address))
    }

    /// The local address of an accepted connection's socket, as the FTP server's PASV reply needs it.
    static func port(of address: inout sockaddr_storage) -> Int {
        withUnsafePointer(to: &address) { p -> Int in
            if Int32(p.pointee.ss_family) == AF_INET6 {
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    static func name(of address: inout sockaddr_storage) -> String {
        var host = [CChar](repeating: 0, count: 64)
        let family = Int32(address.ss_family)
        withUnsafePointer(to: &address) { p in
            if family == AF_INET6 {
                p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                    var addr = a.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &addr, &host, socklen_t(host.count))
                }
            } else {
                p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                    var addr = a.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &addr, &host, socklen_t(host.count))
                }
            }
        }
        let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let port = port(of: &address)
        return family == AF_INET6 ? "[\(text)]:\(port)" : "\(text):\(port)"
    }
}
