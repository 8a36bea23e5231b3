import TapWalkerCore

/// The connection of a network cable (the XVC and remote_bitbang clients) to its server.
///
/// Every send and every read has a deadline (`timeoutMilliseconds`), so a server that stops
/// answering ends the job instead of holding it forever. Whatever goes wrong on the connection
/// (the server closed it, was killed, stopped answering) is a `.cable` error that names the
/// server: the board service then adds what state the FPGA or flash may be in, and the command
/// line exits 1, as for any cable that stopped moving bits. Once failed, the link stays failed:
/// the clean-up that follows a failed job (leave the flash write-disabled, reload the FPGA) fails
/// at once with the same error instead of waiting out one more deadline per step.
public final class NetworkCableLink {
    let connection: any NetworkConnection
    let reader: ConnectionReader
    /// "the XVC server at HOST:PORT": the subject of every message.
    let server: String
    let timeoutMilliseconds: Int
    /// Generous: a server may still be clocking a long backlog of buffered commands (a whole
    /// bitstream) before it reaches the read that is awaited. `?timeout=S` in the cable's URL
    /// sets another.
    public static let defaultTimeoutMilliseconds = 60_000
    private(set) var failure: TapWalkerError?

    init(_ connection: any NetworkConnection, server: String, timeoutMilliseconds: Int) {
        self.connection = connection
        self.server = server
        self.timeoutMilliseconds = timeoutMilliseconds
        reader = ConnectionReader(connection, capacity: 4096, timeoutMilliseconds: timeoutMilliseconds)
    }

    func connect(host: String, port: Int, timeoutMilliseconds connectTimeout: Int) throws(TapWalkerError) {
        do throws(TapWalkerError) {
            try connection.connect(host: host, port: port, timeoutMilliseconds: connectTimeout)
        } catch {
            throw fail(TapWalkerError(.cable, error.message))
        }
    }

    func send(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        if let failure { throw failure }
        do throws(TapWalkerError) {
            try connection.send(bytes, timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            throw fail(lost(error))
        }
    }

    func send(_ bytes: [UInt8]) throws(TapWalkerError) {
        try bytes.withBytes { (p) throws(TapWalkerError) in try send(p) }
    }

    /// Fills the first `count` bytes of `array`; `what` says what was awaited, for the message
    /// when the server closes the connection first.
    func read(_ count: Int, into array: inout [UInt8], awaiting what: String) throws(TapWalkerError) {
        if let failure { throw failure }
        do throws(TapWalkerError) {
            try reader.read(count, into: &array, closed: TapWalkerError(.cable, "\(server) closed the connection before it answered \(what)"))
        } catch {
            throw fail(error.kind == .cable ? error : lost(error))
        }
    }

    /// The next byte, nil when the server closed the connection.
    func byte() throws(TapWalkerError) -> UInt8? {
        if let failure { throw failure }
        do throws(TapWalkerError) {
            return try reader.byte()
        } catch {
            throw fail(lost(error))
        }
    }

    func close() { connection.close() }

    private func lost(_ error: TapWalkerError) -> TapWalkerError {
        TapWalkerError(.cable, "the connection to \(server) failed (\(error.message))")
    }

    private func fail(_ error: TapWalkerError) -> TapWalkerError {
        failure = error
        return error
    }
}
