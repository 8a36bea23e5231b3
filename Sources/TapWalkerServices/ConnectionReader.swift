import TapWalkerCore

/// Buffered reading from a `NetworkConnection` with a fixed buffer, for the servers' request
/// parsers: exact-length reads, single bytes, and lines of bounded length. It also measures how
/// long it waited for the peer (`waitedMicroseconds`), which the simulated board counts as time
/// that passed while the client was silent.
public final class ConnectionReader {
    public let connection: any NetworkConnection
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private let clock: (any ServiceClock)?
    /// Receive timeout per call; a peer silent for longer ends the session with an `.input` error.
    public var timeoutMilliseconds: Int
    /// Total microseconds spent waiting for the peer, when a clock was given.
    public private(set) var waitedMicroseconds: UInt64 = 0

    public init(_ connection: any NetworkConnection, capacity: Int = 4096, timeoutMilliseconds: Int, clock: (any ServiceClock)? = nil) {
        self.connection = connection
        self.buffer = [UInt8](repeating: 0, count: capacity)
        self.timeoutMilliseconds = timeoutMilliseconds
        self.clock = clock
    }

    /// Bytes received and not yet consumed.
    public var available: Int { end - start }

    /// Receives more (blocking until something arrives). Returns false when the peer closed.
    public func fill() throws(TapWalkerError) -> Bool {
        if start == end { start = 0; end = 0 }
        if end == buffer.count {
            // Move what is left to the front to make room.
            let n = end - start
            for i in 0..<n { buffer[i] = buffer[start + i] }
            start = 0
            end = n
        }
        let from = end
        let got = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in
            try receive(into: UnsafeMutableRawBufferPointer(rebasing: p[from...]))
        }
        end += got
        return got > 0
    }

    /// One receive from the connection, timed.
    private func receive(into target: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        let before = clock?.microseconds() ?? 0
        let got = try connection.receive(into: target, timeoutMilliseconds: timeoutMilliseconds)
        if let measured = connection.silentMicroseconds {
            waitedMicroseconds = measured
        } else if let clock {
            waitedMicroseconds += clock.microseconds() &- before
        }
        return got
    }

    /// The next byte, or nil when the peer closed the connection.
    public func byte() throws(TapWalkerError) -> UInt8? {
        if start == end, try !fill() { return nil }
        let b = buffer[start]
        start += 1
        return b
    }

    /// The next byte if one is already buffered (never blocks).
    public func bufferedByte() -> UInt8? {
        guard start < end else { return nil }
        let b = buffer[start]
        start += 1
        return b
    }

    /// Fills `into` completely. Returns false when the peer closed first. Once the buffer is empty,
    /// a remainder at least as long as the buffer is received straight into `into`, so a small
    /// buffer costs no extra copy or receive for long vectors.
    public func read(into target: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Bool {
        var done = 0
        while done < target.count {
            if start == end, target.count - done >= buffer.count {
                let got = try receive(into: UnsafeMutableRawBufferPointer(rebasing: target[done...]))
                if got == 0 { return false }
                done += got
                continue
            }
            if start == end, try !fill() { return false }
            let n = min(end - start, target.count - done)
            for i in 0..<n { target[done + i] = buffer[start + i] }
            start += n
            done += n
        }
        return true
    }

    /// Fills the first `count` bytes of `array`; throws `closed` when the peer closes first.
    public func read(_ count: Int, into array: inout [UInt8], closed: TapWalkerError) throws(TapWalkerError) {
        let complete = try array.withMutableBytes { (p) throws(TapWalkerError) -> Bool in
            try read(into: UnsafeMutableRawBufferPointer(rebasing: p[0..<count]))
        }
        if !complete { throw closed }
    }

    public enum Line {
        case line([UInt8])
        case tooLong
        case closed
    }

    /// Reads one line ending in LF (a CR before it is dropped). A line longer than `maximumLength`
    /// is consumed up to its end and reported as `.tooLong`, so the next one starts clean.
    public func line(maximumLength: Int) throws(TapWalkerError) -> Line {
        var out: [UInt8] = []
        var overflow = false
        while true {
            guard let b = try byte() else { return .closed }
            if b == UInt8(ascii: "\n") {
                if overflow { return .tooLong }
                if out.last == UInt8(ascii: "\r") { out.removeLast() }
                return .line(out)
            }
            if out.count < maximumLength + 1 { out.append(b) } else { overflow = true }
            if out.count > maximumLength { overflow = true }
        }
    }
}
