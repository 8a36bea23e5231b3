/// One TCP connection, as the protocol code above it needs it: connect, send, receive, close.
///
/// Kept to what the BSD socket calls give directly, so that the host (POSIX) and the ESP32 (lwIP)
/// implement it with the same few calls. Errors are `.input` errors that say what failed.
/// An object is used for one connection: `connect` once, then `send`/`receive`, then `close`.
public protocol NetworkConnection: AnyObject {
    /// Opens the connection; gives up after `timeoutMilliseconds`.
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError)
    /// Sends all of `bytes`; fails when the peer takes none of them for `timeoutMilliseconds`.
    func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError)
    /// Receives up to `buffer.count` bytes; returns how many, 0 only when the peer closed the
    /// connection. Fails when nothing arrives for `timeoutMilliseconds`.
    func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int
    /// Closes the connection (again is harmless).
    func close()
    /// Ends both directions without releasing the connection, from any thread: a receive or send
    /// blocked on it returns at once (a server pushing out an idle connection). `close` follows.
    func shutdown()
    /// For a connection that reads ahead on a thread of its own: the peer's silences, measured when
    /// the bytes arrived, counting only those before the bytes `receive` has already returned
    /// (`receive` never returns bytes from both sides of a silence). nil for ordinary connections,
    /// whose silences the reader measures itself.
    var silentMicroseconds: UInt64? { get }
}

extension NetworkConnection {
    public var silentMicroseconds: UInt64? { nil }
    /// Connections that only ever block one thread of their own (test doubles) need not.
    public func shutdown() {}
}
