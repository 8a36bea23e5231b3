import TapWalkerCore

/// What the network JTAG servers share: the cable they drive, how they treat a silent client,
/// and the summary of one client's session.
public struct JTAGServerOptions {
    /// How long a client may stay silent before it is disconnected (it holds the board meanwhile).
    public var idleTimeoutMilliseconds = 300_000
    /// When true, the wall time the server spends waiting for the client is passed to the cable as
    /// `wait`. Used for the simulated board: clients such as OpenOCD sleep on their side for an SVF's
    /// RUNTEST times and openFPGALoader between polls, and a real chip keeps running meanwhile.
    /// Off for a real cable, where that time passes by itself.
    public var idleTimeReachesCable = false

    public init() {}
}

/// One client session, as the log and `--stats` report it.
public struct JTAGSessionSummary {
    /// Why the session ended: nil when the client closed the connection (or sent quit), else the
    /// reason the server closed it.
    public var closedBecause: String?
    public var shifts = 0
    public var bitsClocked = 0
    public var bytesReceived = 0
    public var bytesSent = 0
    public init() {}

    /// One log line: "12 shifts, 40960 bits; client closed".
    public var description: String {
        "\(shifts) shifts, \(bitsClocked) TCK, \(bytesReceived) bytes in, \(bytesSent) out; "
            + (closedBecause.map { "closed: " + $0 } ?? "client closed")
    }
}

extension NetworkConnection {
    /// Sends the bytes of an array (a short helper for the servers' replies).
    func send(_ bytes: [UInt8], timeoutMilliseconds: Int) throws(TapWalkerError) {
        try bytes.withBytes { (p) throws(TapWalkerError) in try send(p, timeoutMilliseconds: timeoutMilliseconds) }
    }
}

/// The time a connected client has been silent, passed on to the cable as `wait` when
/// `JTAGServerOptions.idleTimeReachesCable` is on (in steps a `UInt32` of microseconds holds).
struct IdleTime {
    let enabled: Bool
    private var accounted: UInt64 = 0

    init(enabled: Bool) { self.enabled = enabled }

    mutating func pass(_ reader: ConnectionReader, to cable: any Cable) throws(TapWalkerError) {
        guard enabled else { return }
        var gap = reader.waitedMicroseconds - accounted
        accounted = reader.waitedMicroseconds
        while gap > 0 {
            let step = UInt32(min(gap, UInt64(UInt32.max)))
            try cable.wait(microseconds: step)
            gap -= UInt64(step)
        }
    }
}

/// One client's session as both servers run it: `body` reads requests through a bounded reader;
/// an error ends the session and becomes its reason; then the cable is flushed and the connection
/// closed. Never throws, so the caller goes on serving the next client.
func runSession(
    _ connection: any NetworkConnection, cable: any Cable, clock: any ServiceClock, options: JTAGServerOptions,
    bufferBytes: Int,
    _ body: (ConnectionReader, inout JTAGSessionSummary, inout IdleTime) throws(TapWalkerError) -> Void
) -> JTAGSessionSummary {
    var summary = JTAGSessionSummary()
    var idle = IdleTime(enabled: options.idleTimeReachesCable)
    let reader = ConnectionReader(connection, capacity: bufferBytes, timeoutMilliseconds: options.idleTimeoutMilliseconds, clock: clock)
    do throws(TapWalkerError) {
        try body(reader, &summary, &idle)
    } catch {
        summary.closedBecause = error.message
    }
    try? cable.flush()
    connection.close()
    return summary
}
