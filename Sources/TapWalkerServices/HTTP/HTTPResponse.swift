import TapWalkerCore

/// Writes one answer on the connection: a fixed-length body, a chunked one, or a stream of
/// server-sent events (`text/event-stream`, which ends with the connection). Nothing is buffered
/// beyond the head, so a flash dump or an event stream costs no memory per byte.
public final class HTTPResponse {
    public enum Framing {
        case length(Int)
        case chunked
        /// The body runs to the end of the connection (event streams).
        case untilClose
    }

    private let connection: any NetworkConnection
    private let timeoutMilliseconds: Int
    /// Header lines added to the next head ("Set-Cookie: ...").
    public var extraHeaders: [String] = []
    /// Whether the connection may carry another request afterwards.
    public var keepAlive: Bool
    public private(set) var headSent = false
    public private(set) var status = 0
    private var framing: Framing = .length(0)
    private var headOnly = false

    init(connection: any NetworkConnection, timeoutMilliseconds: Int, keepAlive: Bool, headOnly: Bool) {
        self.connection = connection
        self.timeoutMilliseconds = timeoutMilliseconds
        self.keepAlive = keepAlive
        self.headOnly = headOnly
    }

    /// Sends the head. `untilClose` also ends keep-alive.
    public func start(status: Int, contentType: String, framing: Framing, headers: [String] = []) throws(TapWalkerError) {
        precondition(!headSent)
        headSent = true
        self.status = status
        self.framing = framing
        if case .untilClose = framing { keepAlive = false }
        var head = "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\nContent-Type: \(contentType)\r\n"
        switch framing {
        case .length(let n): head += "Content-Length: \(n)\r\n"
        case .chunked: head += "Transfer-Encoding: chunked\r\n"
        case .untilClose: head += "Cache-Control: no-store\r\n"
        }
        head += "X-Content-Type-Options: nosniff\r\n"
        for h in extraHeaders + headers { head += h + "\r\n" }
        head += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
        try raw(Array(head.utf8))
    }

    /// Body bytes (framed as a chunk when chunked).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        guard bytes.count > 0, !headOnly else { return }
        if case .chunked = framing {
            try raw(Array((String(bytes.count, radix: 16) + "\r\n").utf8))
            try connection.send(bytes, timeoutMilliseconds: timeoutMilliseconds)
            try raw([0x0D, 0x0A])
        } else {
            try connection.send(bytes, timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    public func write(_ bytes: [UInt8]) throws(TapWalkerError) {
        try bytes.withBytes { (p) throws(TapWalkerError) in try write(p) }
    }

    /// Ends a chunked body (the last chunk); nothing to do for the others.
    public func finish() throws(TapWalkerError) {
        if case .chunked = framing, !headOnly { try raw(Array("0\r\n\r\n".utf8)) }
    }

    /// A whole answer at once.
    public func send(status: Int, contentType: String, body: [UInt8], headers: [String] = []) throws(TapWalkerError) {
        try start(status: status, contentType: contentType, framing: .length(body.count), headers: headers)
        try write(body)
    }

    public func json(_ status: Int, _ text: String, headers: [String] = []) throws(TapWalkerError) {
        try send(status: status, contentType: "application/json", body: Array(text.utf8), headers: headers)
    }

    /// {"ok":false,"error":message} with `status`.
    public func error(_ status: Int, _ message: String, headers: [String] = []) throws(TapWalkerError) {
        try json(status, HTTPJSON.error(message), headers: headers)
    }

    // MARK: - Server-sent events

    /// Starts an event stream (HTML Living Standard, "Server-sent events").
    public func startEvents() throws(TapWalkerError) {
        try start(status: 200, contentType: "text/event-stream", framing: .untilClose)
    }

    /// One event: "event: NAME", "id: N", one "data:" line per line of `data`, then an empty line.
    public func event(_ name: String, data: String, id: Int? = nil) throws(TapWalkerError) {
        var text = "event: \(name)\n"
        if let id { text += "id: \(id)\n" }
        for line in Array(data.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            text += "data: " + String(decoding: line, as: UTF8.self) + "\n"
        }
        text += "\n"
        try write(Array(text.utf8))
    }

    /// A comment line, which keeps proxies and the browser from timing the stream out.
    public func eventComment(_ text: String) throws(TapWalkerError) {
        try write(Array(": \(text)\n\n".utf8))
    }

    private func raw(_ bytes: [UInt8]) throws(TapWalkerError) {
        try bytes.withBytes { (p) throws(TapWalkerError) in try connection.send(p, timeoutMilliseconds: timeoutMilliseconds) }
    }
}
