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
    /// Microseconds the server waited for the client.
    public var waitedMicroseconds: UInt64 = 0

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

/// Tells the cable about client silence (`JTAGServerOptions.idleTimeReachesCable`), in steps a
/// `UInt32` of microseconds holds.
func passIdleTime(_ reader: ConnectionReader, accounted: inout UInt64, to cable: any Cable) throws(TapWalkerError) {
    var gap = reader.waitedMicroseconds - accounted
    accounted = reader.waitedMicroseconds
    while gap > 0 {
        let step = UInt32(min(gap, UInt64(UInt32.max)))
        try cable.wait(microseconds: step)
        gap -= UInt64(step)
    }
}
