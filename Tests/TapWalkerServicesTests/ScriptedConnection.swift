import TapWalkerCore
import TapWalkerServices

/// A connection for protocol tests without sockets: `receive` hands out the scripted input in the
/// given pieces (then 0, the peer closed), `send` collects everything the server sent.
final class ScriptedConnection: NetworkConnection {
    private var pieces: [[UInt8]]
    private(set) var sent: [UInt8] = []
    private(set) var closed = false

    init(_ pieces: [[UInt8]]) { self.pieces = pieces }
    convenience init(_ bytes: [UInt8]) { self.init([bytes]) }

    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {}

    func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) {
        sent += bytes
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int {
        guard !pieces.isEmpty else { return 0 }
        let n = min(buffer.count, pieces[0].count)
        for i in 0..<n { buffer[i] = pieces[0][i] }
        pieces[0].removeFirst(n)
        if pieces[0].isEmpty { pieces.removeFirst() }
        return n
    }

    func close() { closed = true }
}

/// A clock that only moves when told to (sleeps advance it).
final class ManualClock: ServiceClock {
    var now: UInt64 = 0
    func microseconds() -> UInt64 { now }
    func sleep(microseconds: UInt32) { now += UInt64(microseconds) }
}
