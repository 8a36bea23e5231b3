/// The reading half of HTTP/1.1 shared by the download client (`HTTPSource`) and the server:
/// bounded lines, header fields, and the framing of a body (Content-Length, chunked, or to the
/// end of the connection), read through one fixed receive buffer.
///
/// Messages are prefixed with `name` (the URL for the client, the peer for the server). A line
/// longer than `maxLine` or more than `maxHeaders` header lines fail with `.input` and set
/// `limitExceeded`, so a server can answer 414/431 instead of 400.
public final class HTTPMessageReader {
    public enum Limit {
        case line
        case headerCount
    }

    public var name: String
    public var connection: (any NetworkConnection)?
    public var maxLine: Int
    public let maxHeaders: Int
    /// Receive timeout for each wait for data.
    public var timeoutMilliseconds: Int
    /// Asked before each wait for data, when set: the timeout to use for it (a server's deadline
    /// shortens it); it may throw to end the wait before it starts.
    public var nextTimeout: (() throws(TapWalkerError) -> Int)?
    /// Which bound the last failure broke, if one did.
    public private(set) var limitExceeded: Limit?

    private var buffer: [UInt8]
    private var bufferPos = 0
    private var bufferEnd = 0
    public private(set) var peerClosed = false

    private enum Body {
        case length(remaining: Int)
        case chunked(remainingInChunk: Int, needSize: Bool)
        case untilClose
        case finished
    }
    private var body: Body = .finished
    /// Body bytes handed out since the last `startBody`.
    public private(set) var bytesReceived = 0

    public init(name: String, bufferSize: Int = 4096, timeoutMilliseconds: Int, maxLine: Int = 8192, maxHeaders: Int = 100) {
        self.name = name
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxLine = maxLine
        self.maxHeaders = maxHeaders
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 64))
    }

    /// Starts over on a new connection (nothing buffered, no body).
    public func reset(_ connection: (any NetworkConnection)?) {
        self.connection = connection
        bufferPos = 0
        bufferEnd = 0
        peerClosed = false
        bytesReceived = 0
        body = .finished
        limitExceeded = nil
        waitFailed = false
    }

    /// Bytes received and not yet consumed.
    public var buffered: Int { bufferEnd - bufferPos }

    // MARK: - Heads

    /// The framing facts of a head; other fields go to the caller's closure.
    public struct Framing {
        public var contentLength: Int?
        public var chunked = false
        public init() {}
    }

    /// Header lines up to the empty line. Content-Length and Transfer-Encoding are checked here
    /// (two different lengths, or a coding other than chunked/identity, are errors); every field,
    /// those included, is also passed to `field` as (name, trimmed value).
    public func readHeaders(
        what: String = "the headers",
        _ field: (ArraySlice<UInt8>, ArraySlice<UInt8>) throws(TapWalkerError) -> Void
    ) throws(TapWalkerError) -> Framing {
        var framing = Framing()
        var count = 0
        while true {
            let line = try readLine(what: what)
            if line.isEmpty { return framing }
            count += 1
            if count > maxHeaders {
                limitExceeded = .headerCount
                throw TapWalkerError(.input, "\(name): more than \(maxHeaders) header lines")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
                throw TapWalkerError(.input, "\(name): malformed header line '\(String(decoding: line.prefix(80), as: UTF8.self))'")
            }
            let key = line[..<colon]
            // RFC 9112 section 5.1: no whitespace between the name and the colon (or anywhere in
            // the name); such a field must be refused, never read as another (request smuggling).
            if key.contains(where: { $0 == 0x20 || $0 == 0x09 }) {
                throw TapWalkerError(.input, "\(name): whitespace in the header field name '\(String(decoding: key.prefix(80), as: UTF8.self))' (before the colon): refused")
            }
            let value = HTTPMessageReader.trimmed(line[(colon + 1)...])
            if HTTPMessageReader.equalFold(key, "content-length") {
                guard let n = HTTPURL.decimal(value) else {
                    throw TapWalkerError(.input, "\(name): Content-Length '\(String(decoding: value, as: UTF8.self))' is not a number")
                }
                if let previous = framing.contentLength, previous != n {
                    throw TapWalkerError(.input, "\(name): two different Content-Length headers")
                }
                framing.contentLength = n
            } else if HTTPMessageReader.equalFold(key, "transfer-encoding") {
                // Chunked must be the last coding, and only there: otherwise the body has no
                // reliable length (RFC 9112 section 6.3), and "identity" is no coding at all any
                // more. A coding before it (gzip) is left to the content sniffing of the inputs.
                // A second Transfer-Encoding field would add codings: refused too.
                let codings = value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { HTTPMessageReader.trimmed($0) }
                let chunkedCount = codings.filter { HTTPMessageReader.equalFold($0, "chunked") }.count
                guard !framing.chunked, let last = codings.last, HTTPMessageReader.equalFold(last, "chunked"), chunkedCount == 1,
                      !codings.contains(where: { $0.isEmpty || HTTPMessageReader.equalFold($0, "identity") })
                else {
                    throw TapWalkerError(.input, "\(name): Transfer-Encoding '\(String(decoding: value.prefix(80), as: UTF8.self))' is not accepted (chunked must be the last coding, once)")
                }
                framing.chunked = true
            }
            try field(key, value)
        }
    }

    // MARK: - Bodies

    /// The body that follows: chunked wins over a length (RFC 9112 section 6.3); neither means
    /// `untilClose` when `readToClose`, else no body.
    public func startBody(_ framing: Framing, readToClose: Bool) {
        bytesReceived = 0
        if framing.chunked {
            body = .chunked(remainingInChunk: 0, needSize: true)
        } else if let length = framing.contentLength {
            body = .length(remaining: length)
        } else {
            body = readToClose ? .untilClose : .finished
        }
    }

    /// No body (a 204, a HEAD).
    public func noBody() { body = .finished; bytesReceived = 0 }

    public var bodyFinished: Bool {
        if case .finished = body { return true }
        return false
    }

    /// Body bytes; 0 at its end. A body cut short by the peer is a `.data` error.
    public func readBody(into out: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        guard out.count > 0 else { return 0 }
        while true {
            switch body {
            case .finished:
                return 0
            case .untilClose:
                let n = try take(into: out, max: out.count)
                if n == 0 { body = .finished }
                return n
            case .length(let remaining):
                if remaining == 0 { body = .finished; continue }
                let n = try take(into: out, max: min(out.count, remaining))
                if n == 0 {
                    throw HTTPFetchRules.closedEarly(name, received: bytesReceived, total: bytesReceived + remaining)
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

    /// A chunk-size line: hex digits, then optionally ";extensions" (ignored) or whitespace.
    private func readChunkSize() throws(TapWalkerError) -> Int {
        let line = try readLine(what: "a chunk size")
        guard let size = HTTPMessageReader.chunkSize(line) else {
            throw TapWalkerError(.input, "\(name): bad chunk size line '\(String(decoding: line.prefix(80), as: UTF8.self))' after \(bytesReceived) bytes")
        }
        return size
    }

    /// The size of a chunk-size line, nil when it is not one (or has more than 15 hex digits).
    public static func chunkSize(_ line: [UInt8]) -> Int? {
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
            guard digits < 15 else { return nil }
            size = size * 16 + d
            digits += 1
            i += 1
        }
        let restOK = i == line.count || line[i] == UInt8(ascii: ";") || line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t")
        return digits > 0 && restOK ? size : nil
    }

    /// After the last chunk: trailer fields up to the empty line, bounded like headers.
    private func skipTrailers() throws(TapWalkerError) {
        var count = 0
        while true {
            let line = try readLine(what: "the trailers")
            if line.isEmpty { return }
            count += 1
            if count > maxHeaders {
                limitExceeded = .headerCount
                throw TapWalkerError(.input, "\(name): more than \(maxHeaders) trailer lines")
            }
        }
    }

    // MARK: - Bytes from the connection

    /// Refills the buffer; false when the peer closed the connection.
    public func fill() throws(TapWalkerError) -> Bool {
        if peerClosed { return false }
        guard let c = connection else { return false }
        let n = try waiting { () throws(TapWalkerError) -> Int in
            let timeout = try nextTimeout?() ?? timeoutMilliseconds
            return try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in
                try c.receive(into: p, timeoutMilliseconds: timeout)
            }
        }
        if n == 0 { peerClosed = true; return false }
        bufferPos = 0
        bufferEnd = n
        return true
    }

    /// True when the last failure was a wait for the peer (a timeout, a deadline, a dropped
    /// connection), not something the peer sent.
    public private(set) var waitFailed = false

    private func waiting(_ receive: () throws(TapWalkerError) -> Int) throws(TapWalkerError) -> Int {
        do throws(TapWalkerError) { return try receive() } catch {
            waitFailed = true
            throw error
        }
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
        let n = try waiting { () throws(TapWalkerError) -> Int in
            let timeout = try nextTimeout?() ?? timeoutMilliseconds
            return try c.receive(into: UnsafeMutableRawBufferPointer(rebasing: out[0..<limit]), timeoutMilliseconds: timeout)
        }
        if n == 0 { peerClosed = true }
        bytesReceived += n
        return n
    }

    /// True when the peer closed before sending anything more (between keep-alive requests).
    public func atEnd() throws(TapWalkerError) -> Bool {
        if bufferPos < bufferEnd { return false }
        return try !fill()
    }

    /// One line without its CRLF (a bare LF is accepted too). Longer than `maxLine`, or cut off by
    /// the end of the connection, is an error.
    public func readLine(what: String) throws(TapWalkerError) -> [UInt8] {
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
                if line.count > maxLine {
                    limitExceeded = .line
                    throw TapWalkerError(.input, "\(name): a line in \(what) is longer than \(maxLine) bytes")
                }
            }
        }
    }

    // MARK: - Byte helpers

    public static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var a = s.startIndex, b = s.endIndex
        while a < b && (s[a] == 0x20 || s[a] == 0x09) { a += 1 }
        while b > a && (s[b - 1] == 0x20 || s[b - 1] == 0x09) { b -= 1 }
        return s[a..<b]
    }

    /// Case-insensitive ASCII comparison of `bytes` with `lower` (given in lower case).
    public static func equalFold(_ bytes: ArraySlice<UInt8>, _ lower: StaticString) -> Bool {
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
