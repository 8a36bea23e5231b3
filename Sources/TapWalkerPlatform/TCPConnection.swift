#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerCore

/// A TCP client connection over POSIX sockets (the same BSD calls exist in ESP-IDF's lwIP):
/// getaddrinfo, a non-blocking connect bounded by poll, then SO_RCVTIMEO/SO_SNDTIMEO for every
/// read and write. Interrupted calls (EINTR) are retried. Errors are `.input` errors that say
/// what failed and why (strerror).
public final class TCPConnection: NetworkConnection {
    private var fd: Int32 = -1
    private var peer = ""
    private var sendTimeout = -1

    public init() {}

    /// Wraps a socket that `TCPListener` accepted; `peer` names the other end in messages.
    init(accepted fd: Int32, peer: String) {
        self.fd = fd
        self.peer = peer
        #if canImport(Darwin)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// The other end, as "address:port".
    public var peerName: String { peer }

    /// This end, as "address:port": the address the client reached, which an FTP server's PASV
    /// reply must name.
    public var localName: String {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return TCPListener.name(of: &address)
    }

    deinit { close() }

    public func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {
        close()
        peer = (host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host) + ":\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            let why = rc == EAI_SYSTEM ? errnoText() : String(cString: gai_strerror(rc))
            throw TapWalkerError(.input, "cannot resolve \(host): \(why)")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no addresses"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            cursor = ai.pointee.ai_next
            let s = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if s < 0 { lastError = errnoText(); continue }
            if let error = TCPConnection.connect(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen, timeoutMilliseconds) {
                lastError = error
                _ = systemClose(s)
                continue
            }
            #if canImport(Darwin)
            var one: Int32 = 1
            _ = setsockopt(s, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            fd = s
            return
        }
        throw TapWalkerError(.input, "cannot connect to \(peer): \(lastError)")
    }

    public func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) {
        guard fd >= 0 else { throw TapWalkerError(.input, "sending to \(peer) failed: not connected") }
        if sendTimeout != timeoutMilliseconds {
            try setTimeout(SO_SNDTIMEO, timeoutMilliseconds)
            sendTimeout = timeoutMilliseconds
        }
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            #else
            let n = Darwin.send(fd, bytes.baseAddress! + offset, bytes.count - offset, 0)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw TapWalkerError(.input, "sending to \(peer) timed out after \(TCPConnection.seconds(timeoutMilliseconds))")
                }
                throw TapWalkerError(.input, "sending to \(peer) failed: \(errnoText())")
            }
            offset += n
        }
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int {
        guard fd >= 0 else { throw TapWalkerError(.input, "receiving from \(peer) failed: not connected") }
        if buffer.count == 0 { return 0 }
        // poll on the socket and the interruption pipe, so that Ctrl-C ends a waiting server cleanly.
        let deadline = MonotonicClock.now() + Double(timeoutMilliseconds) / 1000
        while true {
            let left = timeoutMilliseconds < 0 ? -1 : max(0, Int(((deadline - MonotonicClock.now()) * 1000).rounded(.up)))
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: Interruption.fd, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, Int32(clamping: left))
            if r < 0 {
                if errno == EINTR { continue }
                throw TapWalkerError(.input, "receiving from \(peer) failed: \(errnoText())")
            }
            if fds[1].revents != 0 { throw TapWalkerError(.input, "interrupted while waiting for \(peer)") }
            if r == 0 {
                throw TapWalkerError(.input, "\(peer) sent nothing for \(TCPConnection.seconds(timeoutMilliseconds)); gave up waiting")
            }
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            #if canImport(Glibc)
            // Acknowledge at once: a client that writes a request in two pieces with Nagle on
            // (openFPGALoader's XVC shift header, then its vectors) otherwise waits for Linux's
            // delayed ACK, 40 ms per request. Linux clears the flag again by itself, hence each time.
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), Int32(TCP_QUICKACK), &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            if n >= 0 { return n }
            if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
            throw TapWalkerError(.input, "receiving from \(peer) failed: \(errnoText())")
        }
    }

    /// Ends both directions without releasing the descriptor: a thread blocked in `receive` on
    /// this connection returns (0) at once. `close` still has to be called.
    public func shutdown() {
        if fd >= 0 { _ = systemShutdown(fd) }
    }

    public func close() {
        if fd >= 0 { _ = systemClose(fd) }
        fd = -1
        sendTimeout = -1
    }

    // MARK: - Helpers

    private func setTimeout(_ option: Int32, _ milliseconds: Int) throws(TapWalkerError) {
        var tv = timeval()
        tv.tv_sec = .init(milliseconds / 1000)
        tv.tv_usec = .init((milliseconds % 1000) * 1000)
        guard setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw TapWalkerError(.input, "setting a timeout on the connection to \(peer) failed: \(errnoText())")
        }
    }

    /// Non-blocking connect, waited for with poll (EINTR: wait again for the time left).
    /// Returns nil when connected, else why not.
    private static func connect(_ s: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, _ timeoutMilliseconds: Int) -> String? {
        let flags = fcntl(s, F_GETFL, 0)
        guard flags >= 0, fcntl(s, F_SETFL, flags | O_NONBLOCK) >= 0 else { return errnoText() }
        #if canImport(Glibc)
        let rc = Glibc.connect(s, address, length)
        #else
        let rc = Darwin.connect(s, address, length)
        #endif
        if rc != 0 {
            guard errno == EINPROGRESS || errno == EINTR else { return errnoText() }
            let deadline = MonotonicClock.now() + Double(timeoutMilliseconds) / 1000
            while true {
                let left = Int(((deadline - MonotonicClock.now()) * 1000).rounded(.up))
                if left <= 0 { return "timed out after \(seconds(timeoutMilliseconds))" }
                var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
                let r = poll(&p, 1, Int32(min(left, Int(Int32.max))))
                if r < 0 {
                    if errno == EINTR { continue }
                    return errnoText()
                }
                if r == 0 { return "timed out after \(seconds(timeoutMilliseconds))" }
                break
            }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(s, SOL_SOCKET, SO_ERROR, &error, &size) == 0 else { return errnoText() }
            if error != 0 { return String(cString: strerror(error)) }
        }
        guard fcntl(s, F_SETFL, flags) >= 0 else { return errnoText() }
        return nil
    }

    private static func seconds(_ milliseconds: Int) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }

}

func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}

private func systemShutdown(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.shutdown(fd, Int32(SHUT_RDWR))
    #else
    return Darwin.shutdown(fd, SHUT_RDWR)
    #endif
}
