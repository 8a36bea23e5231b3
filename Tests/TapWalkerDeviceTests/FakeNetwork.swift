import Foundation
import TapWalkerCore
import TapWalkerServices
import TapWalkerDevice

/// A network of in-memory connections: `listen` records the port, `dial` hands a connection to
/// that port's accept loop.
final class FakeNetwork: DeviceNetwork {
    private let lock = NSCondition()
    private var listeners: [Int: Listener] = [:]
    private(set) var listened: [Int] = []

    final class Listener: ConnectionListeners {
        let port: Int
        private let condition = NSCondition()
        private var pending: [AcceptedConnection] = []
        private(set) var accepts = 0

        init(port: Int) { self.port = port }

        func add(_ c: AcceptedConnection) {
            condition.lock(); pending.append(c); condition.signal(); condition.unlock()
        }

        func accept(timeoutMilliseconds: Int) throws(TapWalkerError) -> AcceptedConnection? {
            condition.lock()
            defer { condition.unlock() }
            accepts += 1
            let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
            while pending.isEmpty {
                if !condition.wait(until: deadline) { return nil }
            }
            return pending.removeFirst()
        }
    }

    func listen(port: Int) throws(TapWalkerError) -> any ConnectionListeners {
        lock.lock()
        defer { lock.unlock() }
        guard listeners[port] == nil else { throw TapWalkerError(.usage, "port \(port) is in use") }
        let l = Listener(port: port)
        listeners[port] = l
        listened.append(port)
        return l
    }

    /// Connects `connection` to `port` from `peer`; false when nothing listens there.
    @discardableResult
    func dial(_ port: Int, _ connection: HoldingConnection, from peer: String) -> Bool {
        lock.lock()
        let l = listeners[port]
        lock.unlock()
        guard let l else { return false }
        l.add(AcceptedConnection(listener: 0, connection: connection, peer: peer, local: "10.0.0.7:\(port)"))
        return true
    }

    func makeConnection() -> any NetworkConnection { HoldingConnection([]) }

    func listen(host: String) throws(TapWalkerError) -> any FTPPassiveListener {
        throw TapWalkerError(.device, "no data connections in these tests")
    }

    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) -> any NetworkConnection {
        throw TapWalkerError(.device, "no data connections in these tests")
    }
}

/// The server's end of a connection: hands out the scripted input, then either reports the
/// peer's close or, while `holdOpen`, waits as a silent client does until `hangUp`. Thread-safe.
final class HoldingConnection: NetworkConnection {
    private let condition = NSCondition()
    private var input: [UInt8]
    private var output: [UInt8] = []
    private var holdOpen: Bool
    private(set) var closed = false

    init(_ input: [UInt8], holdOpen: Bool = false) {
        self.input = input
        self.holdOpen = holdOpen
    }
    convenience init(lines: [String]) { self.init(Array(lines.map { $0 + "\r\n" }.joined().utf8)) }

    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {
        throw TapWalkerError(.cable, "not in these tests")
    }

    func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) {
        condition.lock(); output += bytes; condition.unlock()
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        while input.isEmpty && holdOpen {
            if !condition.wait(until: deadline) { throw TapWalkerError(.cable, "timed out") }
        }
        let n = min(buffer.count, input.count)
        for i in 0..<n { buffer[i] = input[i] }
        input.removeFirst(n)
        return n
    }

    func close() { condition.lock(); closed = true; condition.unlock() }

    /// The client closes its end.
    func hangUp() { condition.lock(); holdOpen = false; condition.broadcast(); condition.unlock() }

    var isClosed: Bool { condition.lock(); defer { condition.unlock() }; return closed }
    var sent: String { condition.lock(); defer { condition.unlock() }; return String(decoding: output, as: UTF8.self) }
}
