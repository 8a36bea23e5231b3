/// An `http://` URL as a `ByteSource`: one HTTP/1.1 GET over a `NetworkConnection`, the body
/// streamed as it arrives (never held whole).
///
/// The request is made, and the status line and headers read, by `init`: a missing file (404), a
/// refused connection or too many redirects fail before anything is written to a device. Redirects
/// (301, 302, 303, 307, 308) are followed up to `maxRedirects` times when `Location` is an absolute
/// http:// URL or an absolute path. Bodies may have a Content-Length, be chunked (extensions
/// ignored, trailers skipped), or run to the end of the connection. A body that ends early is an
/// `.input` error that says how many bytes arrived.
///
/// Memory: one receive buffer (`bufferSize`, 4 KB by default) and the header line being read
/// (at most `maxHeaderLine` bytes).
public final class HTTPSource: ByteSource {
    public static let maxHeaderLine = 8192
    public static let maxHeaders = 100
    public static let maxRedirects = 3

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
    private var buffer: [UInt8]
    private var bufferPos = 0
    private var bufferEnd = 0
    private var peerClosed = false

    private enum Body {
        case length(remaining: Int)
        case chunked(remainingInChunk: Int, needSize: Bool)
        case untilClose
        case finished
    }
    private var body: Body = .finished
    /// Body bytes handed out so far.
    public private(set) var bytesReceived = 0

    /// Connects to `url` (an http:// URL: see `HTTPURL.parse`) with a connection from
    /// `connection`, sends the GET and reads the answer's head. `timeoutMilliseconds` bounds the
    /// connect and every wait for data.
    public init(
        url: String, timeoutMilliseconds: Int = 30_000, bufferSize: Int = 4096,
        connection: @escaping () -> any NetworkConnection
    ) throws(TapWalkerError) {
        name = url
        finalURL = try HTTPURL.parse(url)
        makeConnection = connection
        timeout = timeoutMilliseconds
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 64))
        var redirects = 0
        while true {
            let location = try request(finalURL)
            guard let location else { break }
            close()
            if redirects == HTTPSource.maxRedirects {
                throw TapWalkerError(.input, "\(name): too many redirects (more than \(HTTPSource.maxRedirects)); the last one was '\(statusLine)' to \(location)")
            }
            redirects += 1
            finalURL = try resolve(location)
        }
    }

    deinit { connection?.close() }

    public func read(into out: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        guard out.count > 0 else { return 0 }
        while true {
            switch body {
            case .finished:
                close()
                return 0
            case .untilClose:
                let n = try take(into: out, max: out.count)
                if n == 0 { body = .finished }
                return n
            case .length(let remaining):
                if remaining == 0 { body = .finished; continue }
                let n = try take(into: out, max: min(out.count, remaining))
                if n == 0 {
                    throw TapWalkerError(.data, "\(name): the connection closed after \(bytesReceived) of \(bytesReceived + remaining) bytes (Content-Length)")
                }
                body = .length(remaining: remaining - n)
                return n
            case .chunked(let remaining, let needSize):
                if needSize {
                    if remaining == -1 {
                        // The CRLF after a chunk's data.
                        let line = try readLine(what: "the end of a chunk")
                        guard line.isEmpty else { throw TapWalkerError(.input, "\(name): a chunk is longer than its size line says (chunked encoding broken after \(bytesReceived) bytes)") }
                    }
                    let size = try readChunkSize()
                    if size == 0 {
                        try skipTrailers()
                        body = .finished
                        continue
                    }
                    body = .chunked(remainingInChunk: size, needSize: false)
                    continue
                }
                if remaining == 0 { body = .chunked(remainingInChunk: -1, needSize: true); continue }
                let n = try take(into: out, max: min(out.count, remaining))
                if n == 0 {
                    throw TapWalkerError(.data, "\(name): the connection closed after \(bytesReceived) bytes, before the last chunk")
                }
                body = .chunked(remainingInChunk: remaining - n, needSize: false)
                return n
            }
        }
    }

    /// Closes the connection (reading afterwards returns what is buffered, then the end).
    public func close() {
        connection?.close()
        connection = nil
    }

    // MARK: - The request and the answer's head

    /// Sends the GET and reads the head. Returns the Location of a redirect (nil: the body follows).
    private func request(_ url: HTTPURL) throws(TapWalkerError) -> String? {
        bufferPos = 0
        bufferEnd = 0
        peerClosed = false
        bytesReceived = 0
        totalBytes = nil
        let c = makeConnection()
        connection = c
        try c.connect(host: url.host, port: url.port, timeoutMilliseconds: timeout)
        let request = "GET \(url.path) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: tapwalker\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        let bytes = Array(request.utf8)
        try bytes.withBytes { (p) throws(TapWalkerError) in try c.send(p, timeoutMilliseconds: timeout) }

        var status = 0
        var head: Head
        repeat {
            let line = try readLine(what: "the status line")
            statusLine = String(decoding: line, as: UTF8.self)
            status = try parseStatus(line)
            head = try readHeaders()
        } while status >= 100 && status < 200  // 100 Continue and friends: another head follows

        if status == 301 || status == 302 || status == 303 || status == 307 || status == 308 {
            guard let location = head.location else {
                throw TapWalkerError(.input, "\(name): server answered '\(statusLine)' without a Location header")
            }
            return location
        }
        guard status >= 200 && status < 300 else {
            throw TapWalkerError(.input, "\(name): server answered '\(statusLine)'")
        }
        if head.chunked {
            body = .chunked(remainingInChunk: 0, needSize: true)
        } else if let length = head.contentLength {
            body = .length(remaining: length)
            totalBytes = length
        } else if status == 204 {
            body = .finished
        } else {
            body = .untilClose
        }
        return nil
    }

    private struct Head {
        var contentLength: Int?
        var chunked = false
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
        var head = Head()
        var count = 0
        while true {
            let line = try readLine(what: "the headers")
            if line.isEmpty { return head }
            count += 1
            if count > HTTPSource.maxHeaders {
                throw TapWalkerError(.input, "\(name): the server sent more than \(HTTPSource.maxHeaders) header lines")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw TapWalkerError(.input, "\(name): malformed header line '\(String(decoding: line.prefix(80), as: UTF8.self))'")
            }
            let field = line[..<colon]
            let value = HTTPSource.trimmed(line[(colon + 1)...])
            if HTTPSource.equalFold(field, "content-length") {
                guard let n = HTTPURL.decimal(value) else {
                    throw TapWalkerError(.input, "\(name): Content-Length '\(String(decoding: value, as: UTF8.self))' is not a number")
                }
                if let previous = head.contentLength, previous != n {
                    throw TapWalkerError(.input, "\(name): the server sent two different Content-Length headers")
                }
                head.contentLength = n
            } else if HTTPSource.equalFold(field, "transfer-encoding") {
                // The last coding applied is the one that frames the body.
                var last = value
                if let comma = value.lastIndex(of: UInt8(ascii: ",")) { last = HTTPSource.trimmed(value[(comma + 1)...]) }
                if HTTPSource.equalFold(last, "chunked") {
                    head.chunked = true
                } else if !HTTPSource.equalFold(last, "identity") {
                    throw TapWalkerError(.input, "\(name): Transfer-Encoding '\(String(decoding: value, as: UTF8.self))' is not supported")
                }
            } else if HTTPSource.equalFold(field, "location") {
                head.location = String(decoding: value, as: UTF8.self)
            }
        }
    }

    /// Where a Location points: an absolute http:// URL, or an absolute path on the same server.
    private func resolve(_ location: String) throws(TapWalkerError) -> HTTPURL {
        let b = Array(location.utf8)
        if HTTPURL.hasScheme(b, "https://") {
            throw TapWalkerError(.input, "\(name): the server redirects to \(location), and HTTPS is not supported")
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
        throw TapWalkerError(.input, "\(name): the server redirects to '\(location)'; only absolute http:// URLs and absolute paths are followed")
    }

    // MARK: - Chunked framing

    /// A chunk-size line: hex digits, then optionally ";extensions" (ignored) or whitespace.
    private func readChunkSize() throws(TapWalkerError) -> Int {
        let line = try readLine(what: "a chunk size")
        var size = 0
        var digits = 0
        var i = 0
        while i < line.count {
            let c = line[i]
            let d: Int
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = Int(c - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = Int(c - UInt8(ascii: "A")) + 10
            default: d = -1
            }
            if d < 0 { break }
            guard digits < 15 else { throw TapWalkerError(.input, "\(name): a chunk size is too large") }
            size = size * 16 + d
            digits += 1
            i += 1
        }
        let restOK = i == line.count || line[i] == UInt8(ascii: ";") || line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t")
        guard digits > 0, restOK else {
            throw TapWalkerError(.input, "\(name): bad chunk size line '\(String(decoding: line.prefix(80), as: UTF8.self))' after \(bytesReceived) bytes")
        }
        return size
    }

    /// After the last chunk: trailer fields up to the empty line, bounded like headers.
    private func skipTrailers() throws(TapWalkerError) {
        var count = 0
        while true {
            let line = try readLine(what: "the trailers")
            if line.isEmpty { return }
            count += 1
            if count > HTTPSource.maxHeaders {
                throw TapWalkerError(.input, "\(name): the server sent more than \(HTTPSource.maxHeaders) trailer lines")
            }
        }
    }

    // MARK: - Bytes from the connection

    /// Refills the buffer; false when the peer closed the connection.
    private func fill() throws(TapWalkerError) -> Bool {
        if peerClosed { return false }
        guard let c = connection else { return false }
        let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in
            try c.receive(into: p, timeoutMilliseconds: timeout)
        }
        if n == 0 { peerClosed = true; return false }
        bufferPos = 0
        bufferEnd = n
        return true
    }

    /// Body bytes: from the buffer, or straight from the connection into `out`. 0 at the end.
    private func take(into out: UnsafeMutableRawBufferPointer, max limit: Int) throws(TapWalkerError) -> Int {
        if bufferPos < bufferEnd {
            let n = min(limit, bufferEnd - bufferPos)
            for i in 0..<n { out[i] = buffer[bufferPos + i] }
            bufferPos += n
            bytesReceived += n
            return n
        }
        if peerClosed { return 0 }
        guard let c = connection else { return 0 }
        let n = try c.receive(into: UnsafeMutableRawBufferPointer(rebasing: out[0..<limit]), timeoutMilliseconds: timeout)
        if n == 0 { peerClosed = true }
        bytesReceived += n
        return n
    }

    /// One line without its CRLF (a bare LF is accepted too). Longer than `maxHeaderLine`, or cut
    /// off by the end of the connection, is an error.
    private func readLine(what: String) throws(TapWalkerError) -> [UInt8] {
        var line: [UInt8] = []
        while true {
            if bufferPos == bufferEnd {
                guard try fill() else {
                    if case .chunked = body {
                        throw TapWalkerError(.data, "\(name): the connection closed after \(bytesReceived) bytes, before the last chunk")
                    }
                    throw TapWalkerError(.input, "\(name): the connection closed while reading \(what)" + (line.isEmpty ? "" : " (\(line.count) bytes of an unfinished line)"))
                }
            }
            while bufferPos < bufferEnd {
                let c = buffer[bufferPos]
                bufferPos += 1
                if c == UInt8(ascii: "\n") {
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    return line
                }
                line.append(c)
                if line.count > HTTPSource.maxHeaderLine {
                    throw TapWalkerError(.input, "\(name): a line in \(what) is longer than \(HTTPSource.maxHeaderLine) bytes")
                }
            }
        }
    }

    // MARK: - Byte helpers

    static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var a = s.startIndex, b = s.endIndex
        while a < b && (s[a] == 0x20 || s[a] == 0x09) { a += 1 }
        while b > a && (s[b - 1] == 0x20 || s[b - 1] == 0x09) { b -= 1 }
        return s[a..<b]
    }

    /// Case-insensitive ASCII comparison of `bytes` with `lower` (given in lower case).
    static func equalFold(_ bytes: ArraySlice<UInt8>, _ lower: StaticString) -> Bool {
        let n = lower.utf8CodeUnitCount
        guard bytes.count == n else { return false }
        let s = lower.utf8Start
        var k = 0
        for c in bytes {
            let folded = c >= 0x41 && c <= 0x5A ? c | 0x20 : c
            if folded != s[k] { return false }
            k += 1
        }
        return true
    }
}
