import TapWalkerCore

/// One client connection: requests one after another (keep-alive) until the client closes, a
/// timeout passes, or a request breaks a limit. Each head is bounded in line length, number of
/// lines and time; each body is streamed to the route with the route's limit.
final class HTTPConnectionSession {
    let server: HTTPServer
    let connection: any NetworkConnection
    let peer: String
    /// Its place among the connections not logged in yet (`PreLoginSlots`).
    let slot: Int
    /// Whether a request on this connection has logged in (then the pre-login limits are off).
    private(set) var loggedIn = false
    private let reader: HTTPMessageReader
    private let deadline: HTTPDeadline
    private let acceptedAt: UInt64

    init(server: HTTPServer, connection: any NetworkConnection, peer: String, slot: Int) {
        self.server = server
        self.connection = connection
        self.peer = peer
        self.slot = slot
        let o = server.options
        reader = HTTPMessageReader(
            name: peer, bufferSize: 2048, timeoutMilliseconds: o.idleTimeoutMilliseconds,
            maxLine: o.maximumRequestLine, maxHeaders: o.maximumHeaders)
        deadline = HTTPDeadline(clock: server.clock, idleMilliseconds: o.idleTimeoutMilliseconds)
        acceptedAt = server.clock.microseconds()
    }

    func run() {
        reader.reset(connection)
        let d = deadline
        reader.nextTimeout = { () throws(TapWalkerError) -> Int in try d.timeout() }
        while serveOne() {}
    }

    private var preLoginDeadline: UInt64 { acceptedAt + UInt64(server.options.preLoginMilliseconds) * 1000 }

    /// One request and its answer; false when the connection is to be closed.
    private func serveOne() -> Bool {
        let o = server.options
        // Waiting for the next request: the idle timeout, and the pre-login deadline if not logged in.
        deadline.deadline = loggedIn ? nil : preLoginDeadline
        // Until its head is in, a connection not logged in may lose its place to a newcomer.
        server.preLogin.setWaiting(slot, true)
        do throws(TapWalkerError) {
            if try reader.atEnd() { return false }
        } catch {
            if deadline.expired { refuse(408, "not logged in within \(o.preLoginMilliseconds / 1000) s") }
            return false
        }
        if loggedIn { deadline.deadline = server.clock.microseconds() + UInt64(o.headTimeoutMilliseconds) * 1000 }

        // The request line.
        reader.maxLine = o.maximumRequestLine
        let line: [UInt8]
        do throws(TapWalkerError) { line = try reader.readLine(what: "the request line") } catch {
            headFailed(error, lineStatus: 414)
            return false
        }
        let (parsed, problem) = HTTPRequest.parse(requestLine: line)
        guard var request = parsed else {
            if case .version = problem { refuse(505, "only HTTP/1.0 and HTTP/1.1") }
            else if case .malformed(let why) = problem { refuse(400, why) }
            return false
        }
        reader.maxLine = o.maximumHeaderLine
        do throws(TapWalkerError) {
            request.framing = try reader.readHeaders { (field, value) throws(TapWalkerError) in request.add(field: field, value: value) }
        } catch {
            headFailed(error, lineStatus: 431)
            return false
        }
        server.preLogin.setWaiting(slot, false)
        if request.framing.chunked && request.framing.contentLength != nil {
            refuse(400, "both Content-Length and chunked: refused")
            return false
        }
        // The body: only the idle timeout once logged in; before, the pre-login deadline still runs.
        deadline.deadline = loggedIn ? nil : preLoginDeadline

        let limit = server.router.bodyLimit(request)
        let response = HTTPResponse(
            connection: connection, timeoutMilliseconds: o.sendTimeoutMilliseconds,
            keepAlive: request.keepAlive && o.keepAlive, headOnly: request.isMethod("HEAD"))
        if let length = request.framing.contentLength, length > limit {
            refuse(413, "the body is \(length) bytes; \(request.path) takes at most \(limit)")
            return false
        }
        let connection = self.connection
        let timeout = o.sendTimeoutMilliseconds
        let body = HTTPRequestBody(reader: reader, request: request, limit: limit, name: request.path) { () throws(TapWalkerError) in
            try Array("HTTP/1.1 100 Continue\r\n\r\n".utf8).withBytes { (p) throws(TapWalkerError) in try connection.send(p, timeoutMilliseconds: timeout) }
        }
        let exchange = HTTPExchange(request: request, body: body, response: response, peer: peer)
        // Strong captures (Embedded Swift has no unowned): the exchange lives for this request only.
        exchange.onLoggedIn = { [self] in enteredLogin() }
        exchange.onStream = { [self] in
            deadline.deadline = nil
            server.loggedIn(slot)
        }
        exchange.waitForPeer = { [self] milliseconds in peerStays(milliseconds) }
        do throws(TapWalkerError) {
            try server.router.handle(exchange)
        } catch {
            if body.exceeded {
                if !response.headSent { try? response.error(413, "the body is larger than \(limit) bytes, the most \(request.path) takes") }
            } else if deadline.expired {
                if !response.headSent { try? response.error(408, "the request took too long") }
            } else if !response.headSent {
                try? response.error(400, error.message)
            }
            server.log(peer, "\(request.method) \(request.path): \(error.message)")
            linger(body)
            return false
        }
        if !response.headSent { try? response.error(500, "no answer") }
        if exchange.identity.loggedIn { enteredLogin() }
        if response.keepAlive, body.finished || body.drain(upTo: o.drainLimit) { return true }
        linger(body)
        return false
    }

    /// A request proved a login: no pre-login deadline from now on, and the place among the
    /// connections not logged in is free at once (not only when the request ends: an event
    /// stream lasts minutes).
    private func enteredLogin() {
        deadline.deadline = nil
        guard !loggedIn else { return }
        loggedIn = true
        server.loggedIn(slot)
    }

    /// Waits up to `milliseconds` for the client; false when it has closed or reset the
    /// connection. A receive that gives up after its whole time is the client still there (a
    /// stream's client sends nothing); one that fails sooner is the connection failing.
    private func peerStays(_ milliseconds: Int) -> Bool {
        let started = server.clock.microseconds()
        var byte: UInt8 = 0
        do throws(TapWalkerError) {
            let n = try withUnsafeMutableBytes(of: &byte) { (p) throws(TapWalkerError) -> Int in
                try connection.receive(into: p, timeoutMilliseconds: milliseconds)
            }
            return n > 0
        } catch {
            return server.clock.microseconds() - started >= UInt64(milliseconds) * 900
        }
    }

    /// Before closing on an upload the handler stopped reading partway (a refusal after the
    /// read-ahead), reads and drops the rest, up to `lingerLimit`: closing a socket with bytes
    /// still unread resets the connection, and the client then reports the reset instead of the
    /// answer it was sent. A body the handler never began, one past its limit, or a client out
    /// of time is not waited for.
    private func linger(_ body: HTTPRequestBody) {
        guard body.bytesRead > 0, !body.exceeded, !body.finished, !deadline.expired else { return }
        _ = body.drain(upTo: server.options.lingerLimit)
    }

    /// The head broke a bound (414/431), ran out of time (408), or the client went away.
    private func headFailed(_ error: TapWalkerError, lineStatus: Int) {
        if deadline.expired {
            refuse(408, "the request head took too long")
        } else if let limit = reader.limitExceeded {
            switch limit {
            case .line: refuse(lineStatus, lineStatus == 414 ? "the request line is longer than \(server.options.maximumRequestLine) bytes" : "a header line is longer than \(server.options.maximumHeaderLine) bytes")
            case .headerCount: refuse(431, "more than \(server.options.maximumHeaders) header lines")
            }
        } else if !reader.peerClosed {
            refuse(400, error.message)
        }
    }

    /// An error answer after which the connection closes.
    private func refuse(_ status: Int, _ message: String) {
        let r = HTTPResponse(connection: connection, timeoutMilliseconds: 5000, keepAlive: false, headOnly: false)
        try? r.error(status, message)
        server.log(peer, "\(status): \(message)")
    }
}
