import TapWalkerCore

/// A request's body as a `ByteSource`, streamed from the connection as the handler reads it (never
/// held whole). More than `limit` bytes is an error the server answers with 413; an announced
/// Content-Length above the limit is refused before anything is read. A client that asked for
/// `100-continue` is told to go on when the handler first reads.
public final class HTTPRequestBody: ByteSource {
    public let name: String
    public let limit: Int
    public var totalBytes: Int?
    private let reader: HTTPMessageReader
    private var continueNeeded: Bool
    private let sendContinue: () throws(TapWalkerError) -> Void
    public private(set) var bytesRead = 0
    /// Set when the body went past `limit`.
    public private(set) var exceeded = false

    init(reader: HTTPMessageReader, request: HTTPRequest, limit: Int, name: String, sendContinue: @escaping () throws(TapWalkerError) -> Void) {
        self.reader = reader
        self.limit = limit
        self.name = name
        self.sendContinue = sendContinue
        continueNeeded = request.expectContinue && request.hasBody
        totalBytes = request.framing.chunked ? nil : request.framing.contentLength
        reader.startBody(request.framing, readToClose: false)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        if continueNeeded {
            continueNeeded = false
            try sendContinue()
        }
        // One byte beyond the limit is asked for, so that reaching it exactly is not an error.
        let room = limit - bytesRead + 1
        let n = try reader.readBody(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, room)]))
        bytesRead += n
        if bytesRead > limit {
            exceeded = true
            throw TapWalkerError(.input, "the request body is larger than \(limit) bytes")
        }
        return n
    }

    /// Whether everything the client sent has been read, so the next request can follow.
    public var finished: Bool { reader.bodyFinished }

    /// Reads and drops the rest (a handler that answered without reading it all), at most
    /// `limit` bytes; false when the connection must be closed instead.
    func drain(upTo limit: Int) -> Bool {
        var scratch = [UInt8](repeating: 0, count: 512)
        var dropped = 0
        while !reader.bodyFinished {
            let n: Int
            do throws(TapWalkerError) {
                n = try scratch.withMutableBytes { (p) throws(TapWalkerError) -> Int in try reader.readBody(into: p) }
            } catch { return false }
            if n == 0 { break }
            dropped += n
            if dropped > limit { return false }
        }
        return true
    }

    /// The whole body, for the small ones (a login form), bounded by `limit`.
    public func readSmall() throws(TapWalkerError) -> [UInt8] {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while true {
            let n = try chunk.withMutableBytes { (p) throws(TapWalkerError) -> Int in try read(into: p) }
            if n == 0 { return all }
            all += chunk[0..<n]
        }
    }
}
