import TapWalkerCore

/// A connection for protocol tests without sockets: `receive` hands out the scripted input in the
/// given pieces, at most `piece` bytes at a time (then 0: the peer closed); `send` collects
/// everything the other side sent, and `connect` records where it was asked to go.
public final class ScriptedConnection: NetworkConnection {
    private var pieces: [[UInt8]]
    private var offset = 0  // into pieces[0]: no copying of what is left, however large the script
    private let piece: Int
    public private(set) var sent: [UInt8] = []
    public private(set) var closed = false
    public private(set) var connectedTo: (host: String, port: Int)?

    public init(_ pieces: [[UInt8]], piece: Int = .max) {
        self.pieces = pieces
        self.piece = piece
    }
    public convenience init(_ bytes: [UInt8], piece: Int = .max) { self.init([bytes], piece: piece) }

    public func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {
        connectedTo = (host, port)
    }

    public func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) {
        sent += bytes
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int {
        guard !pieces.isEmpty else { return 0 }
        let n = min(buffer.count, piece, pieces[0].count - offset)
        for i in 0..<n { buffer[i] = pieces[0][offset + i] }
        offset += n
        if offset == pieces[0].count { pieces.removeFirst(); offset = 0 }
        return n
    }

    public func close() { closed = true }

    /// Room for `bytes` of replies, made before a measured session so that its heap figure is
    /// the session's own, not the growth of this collector (the embedded check's budgets).
    public func reserveReplies(_ bytes: Int) { sent.reserveCapacity(bytes) }
}
