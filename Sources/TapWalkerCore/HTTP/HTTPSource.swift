/// An `http://` URL as a `ByteSource`: one HTTP/1.1 GET over a `NetworkConnection`, the body
/// streamed as it arrives (never held whole).
///
/// The request is made, and the status line and headers read, by `init`: a missing file (404), a
/// refused connection or too many redirects fail before anything is written to a device. Redirects
/// and limits follow `HTTPFetchRules` (up to 3, to an absolute http:// URL or an absolute path). Bodies may have a Content-Length, be chunked (extensions
/// ignored, trailers skipped), or run to the end of the connection. A body that ends early is an
/// `.input` error that says how many bytes arrived.
///
/// Memory: one receive buffer (`bufferSize`, 4 KB by default) and the header line being read
/// (at most `maxHeaderLine` bytes). The reading itself (lines, headers, body framing) is
/// `HTTPMessageReader`, shared with the HTTP server.
public final class HTTPSource: ByteSource {
    public static let maxHeaderLine = 8192
    public static let maxHeaders = 100
    public static let maxRedirects = HTTPFetchRules.maxRedirects

    /// The URL as given (redirects do not change it).
    public let name: String
    /// The URL finally read, after redirects.
    public private(set) var finalURL: HTTPURL
    /// The Content-Length when the server sent one (and the body is not chunked).
    public private(set) var totalBytes: Int?
    /// The status line of the answer that is being read ("HTTP/1.1 200 OK").
    public private(set) var statusLine: String = ""

    private let makeConnection: () -> any NetworkConnection
    private let timeout: Int
    private var connection: (any NetworkConnection)?
    private let reader: HTTPMessageReader
    /// Body bytes handed out so far.
    public var bytesReceived: Int { reader.bytesReceived }
    private var transfer: HTTPTransferDeadline?

    /// Connects to `url` (an http:// URL: see `HTTPURL.parse`) with a connection from
    /// `connection`, sends the GET and reads the answer's head. `timeoutMilliseconds` bounds the
    /// connect and every wait for data. With `clock` (microseconds), the whole transfer is
    /// bounded too (`HTTPTransferDeadline`): a server that drips a byte a second never gets
    /// past any single wait but fails that.
    public init(
        url: String, timeoutMilliseconds: Int = HTTPFetchRules.waitMilliseconds, bufferSize: Int = 4096,
        clock: (() -> UInt64)? = nil, deadline: HTTPTransferDeadline.Rule = HTTPTransferDeadline.Rule(),
        connection: @escaping () -> any NetworkConnection
    ) throws(TapWalkerError) {
        name = url
        finalURL = try HTTPURL.parse(url)
        makeConnection = connection
        timeout = timeoutMilliseconds
        reader = HTTPMessageReader(
            name: url, bufferSize: bufferSize, timeoutMilliseconds: timeoutMilliseconds,
            maxLine: HTTPSource.maxHeaderLine, maxHeaders: HTTPSource.maxHeaders)
        if let clock {
            let transfer = HTTPTransferDeadline(name: url, rule: deadline, clock: clock)
            self.transfer = transfer
            let idle = timeoutMilliseconds
            reader.nextTimeout = { () throws(TapWalkerError) -> Int in try transfer.timeout(idle: idle) }
        }
        var redirects = 0
        while true {
            let location = try request(finalURL)
            guard let location else { break }
            close()
            if redirects == HTTPSource.maxRedirects {
                throw HTTPFetchRules.tooManyRedirects(name, statusLine: statusLine, location: location)
            }
            redirects += 1
            finalURL = try resolve(location)
        }
    }

    deinit { connection?.close() }

    public func read(into out: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        guard out.count > 0 else { return 0 }
        let n: Int
        do throws(TapWalkerError) { n = try reader.readBody(into: out) } catch {
            guard reader.waitFailed else { throw error }
            throw HTTPFetchRules.cutShort(error, received: reader.bytesReceived, total: totalBytes)
        }
        transfer?.received = reader.bytesReceived
        if n == 0 { close() }
        return n
    }

    /// Closes the connection (reading afterwards returns what is buffered, then the end).
    public func close() {
        connection?.close()
        connection = nil
        reader.connection = nil
    }

    // MARK: - The request and the answer's head

    /// Sends the GET and reads the head. Returns the Location of a redirect (nil: the body follows).
    private func request(_ url: HTTPURL) throws(TapWalkerError) -> String? {
        totalBytes = nil
        let c = makeConnection()
        connection = c
        reader.reset(c)
        try c.connect(host: url.host, port: url.port, timeoutMilliseconds: timeout)
        let request = "GET \(url.path) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: tapwalker\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        let bytes = Array(request.utf8)
        try bytes.withBytes { (p) throws(TapWalkerError) in try c.send(p, timeoutMilliseconds: timeout) }

        var status = 0
        var head: Head
        repeat {
            let line = try reader.readLine(what: "the status line")
            statusLine = String(decoding: line, as: UTF8.self)
            status = try parseStatus(line)
            head = try readHeaders()
        } while status >= 100 && status < 200  // 100 Continue and friends: another head follows

        if HTTPFetchRules.isRedirect(status) {
            guard let location = head.location else {
                throw TapWalkerError(.input, "\(name): server answered '\(statusLine)' without a Location header")
            }
            return location
        }
        guard status >= 200 && status < 300 else {
            throw HTTPFetchRules.refusedAnswer(name, statusLine: statusLine)
        }
        if status == 204 && !head.framing.chunked && head.framing.contentLength == nil {
            reader.noBody()
        } else {
            reader.startBody(head.framing, readToClose: true)
            if !head.framing.chunked { totalBytes = head.framing.contentLength }
        }
        return nil
    }

    private struct Head {
        var framing = HTTPMessageReader.Framing()
        var location: String?
    }

    /// "HTTP/1.x NNN reason" → NNN.
    private func parseStatus(_ line: [UInt8]) throws(TapWalkerError) -> Int {
        let prefix: [UInt8] = Array("HTTP/1.".utf8)
        guard line.count >= 12, Array(line[0..<7]) == prefix, line[8] == UInt8(ascii: " "),
            let code = HTTPURL.decimal(line[9..<12]), line.count == 12 || line[12] == UInt8(ascii: " ")
        else {
            throw TapWalkerError(.input, "\(name): the server did not answer in HTTP/1.x (first line '\(String(decoding: line.prefix(80), as: UTF8.self))')")
        }
        return code
    }

    private func readHeaders() throws(TapWalkerError) -> Head {
        var location: String?
        let framing = try reader.readHeaders { (field, value) throws(TapWalkerError) in
            if HTTPMessageReader.equalFold(field, "location") {
                location = String(decoding: value, as: UTF8.self)
            }
        }
        return Head(framing: framing, location: location)
    }

    /// Where a Location points: an absolute http:// URL, or an absolute path on the same server.
    private func resolve(_ location: String) throws(TapWalkerError) -> HTTPURL {
        let b = Array(location.utf8)
        if HTTPURL.hasScheme(b, "https://") {
            throw TapWalkerError(.input, "\(name): the server redirects to \(location), and HTTPS is not supported by the device (it has no TLS yet)")
        }
        if HTTPURL.hasScheme(b, "http://") {
            do throws(TapWalkerError) { return try HTTPURL.parse(location) } catch {
                throw TapWalkerError(.input, "\(name): the server redirects to an unusable URL: \(error.message)")
            }
        }
        if b.first == UInt8(ascii: "/") && (b.count < 2 || b[1] != UInt8(ascii: "/")) {
            var path = b
            if let hash = path.firstIndex(of: UInt8(ascii: "#")) { path.removeSubrange(hash...) }
            for c in path where c <= 0x20 || c == 0x7F {
                throw TapWalkerError(.input, "\(name): the server redirects to a path with spaces or control characters")
            }
            return HTTPURL(host: finalURL.host, port: finalURL.port, path: String(decoding: path, as: UTF8.self))
        }
        throw HTTPFetchRules.redirectRefused(name, location: location)
    }
}
