import TapWalkerCore

/// Xilinx Virtual Cable 1.0 server: `getinfo:`, `settck:<u32 LE period ns>`,
/// `shift:<u32 LE bits><tms bytes><tdi bytes>` → TDO bytes, bit 0 of byte 0 first.
///
/// The spec's `getinfo:` reply `xvcServer_v1.0:<n>` gives "the maximum vector length in bytes";
/// clients read it two ways (openFPGALoader and Vivado send n/2 bytes per vector, others n). The
/// server advertises `advertisedVectorBytes` and accepts shifts up to that many bytes per vector,
/// so both readings work. A longer shift, an unknown command or a zero-bit shift closes that
/// connection (XVC has no error replies); the caller goes on serving the next client.
public struct XVCServer {
    public static let defaultPort = 2542
    /// Bytes per vector advertised and accepted: 16,384 TCK per shift, 6 KB of buffers.
    public static let advertisedVectorBytes = 2048
    /// The connection's read buffer: commands and short vectors pass through it; a vector at least
    /// this long is received straight into its own buffer.
    static let readerBytes = 2048

    public let cable: any Cable
    public var options: JTAGServerOptions
    let clock: any ServiceClock

    public init(cable: any Cable, clock: any ServiceClock, options: JTAGServerOptions = JTAGServerOptions()) {
        self.cable = cable
        self.clock = clock
        self.options = options
    }

    /// Serves one client until it closes the connection or breaks the protocol.
    /// Cable errors end the session too (reported in the summary); nothing is thrown.
    public func serve(_ connection: any NetworkConnection) -> JTAGSessionSummary {
        runSession(connection, cable: cable, clock: clock, options: options, bufferBytes: XVCServer.readerBytes, session)
    }

    private func session(_ reader: ConnectionReader, _ summary: inout JTAGSessionSummary, _ idle: inout IdleTime) throws(TapWalkerError) {
        let connection = reader.connection
        let timeout = options.idleTimeoutMilliseconds
        let maxBytes = XVCServer.advertisedVectorBytes
        var tms = [UInt8](repeating: 0, count: maxBytes)
        var tdi = [UInt8](repeating: 0, count: maxBytes)
        var tdo = [UInt8](repeating: 0, count: maxBytes)
        while true {
            // The command name, up to its colon.
            var name: [UInt8] = []
            while true {
                guard let b = try reader.byte() else {
                    if !name.isEmpty { summary.closedBecause = "connection ended inside a command" }
                    return
                }
                summary.bytesReceived += 1
                if b == UInt8(ascii: ":") { break }
                name.append(b)
                if name.count > 8 {
                    summary.closedBecause = "not an XVC command: '\(ASCII.printable(name))…'"
                    return
                }
            }
            try idle.pass(reader, to: cable)
            if ASCII.equal(name, "getinfo") {
                let reply = Array("xvcServer_v1.0:\(maxBytes)\n".utf8)
                try connection.send(reply, timeoutMilliseconds: timeout)
                summary.bytesSent += reply.count
            } else if ASCII.equal(name, "settck") {
                guard let period = try readU32(reader, &summary) else {
                    summary.closedBecause = "connection ended inside settck"
                    return
                }
                // 0 would be an infinite frequency: answer with the current period, change nothing.
                if period > 0 {
                    let hz = UInt32(max(1, min(UInt64(UInt32.max), 1_000_000_000 / UInt64(period))))
                    _ = try cable.setFrequency(hz)
                }
                let actual = UInt32(min(UInt64(UInt32.max), 1_000_000_000 / UInt64(max(1, cable.frequency))))
                let reply = [UInt8(actual & 0xFF), UInt8(actual >> 8 & 0xFF), UInt8(actual >> 16 & 0xFF), UInt8(actual >> 24)]
                try connection.send(reply, timeoutMilliseconds: timeout)
                summary.bytesSent += 4
            } else if ASCII.equal(name, "shift") {
                guard let bits32 = try readU32(reader, &summary) else {
                    summary.closedBecause = "connection ended inside shift"
                    return
                }
                let bits = Int(bits32)
                let bytes = (bits + 7) / 8
                guard bits > 0, bytes <= maxBytes else {
                    summary.closedBecause = "shift of \(bits) bits; this server takes 1 to \(maxBytes * 8)"
                    return
                }
                let complete = try tms.withMutableBytes { (m) throws(TapWalkerError) -> Bool in
                    try tdi.withMutableBytes { (d) throws(TapWalkerError) -> Bool in
                        guard try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: m[0..<bytes])),
                              try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: d[0..<bytes])) else { return false }
                        return true
                    }
                }
                guard complete else {
                    summary.closedBecause = "connection ended inside shift"
                    return
                }
                summary.bytesReceived += 2 * bytes
                try idle.pass(reader, to: cable)
                try tms.withBytes { (m) throws(TapWalkerError) in
                    try tdi.withBytes { (d) throws(TapWalkerError) in
                        try tdo.withMutableBytes { (o) throws(TapWalkerError) in
                            try cable.clock(
                                bits: bits, tms: UnsafeRawBufferPointer(rebasing: m[0..<bytes]),
                                tdi: UnsafeRawBufferPointer(rebasing: d[0..<bytes]),
                                tdo: UnsafeMutableRawBufferPointer(rebasing: o[0..<bytes]))
                        }
                    }
                }
                try tdo.withBytes { (o) throws(TapWalkerError) in
                    try connection.send(UnsafeRawBufferPointer(rebasing: o[0..<bytes]), timeoutMilliseconds: timeout)
                }
                summary.shifts += 1
                summary.bitsClocked += bits
                summary.bytesSent += bytes
            } else {
                summary.closedBecause = "unknown XVC command '\(ASCII.printable(name)):'"
                return
            }
        }
    }

    private func readU32(_ reader: ConnectionReader, _ summary: inout JTAGSessionSummary) throws(TapWalkerError) -> UInt32? {
        var v: UInt32 = 0
        for i in 0..<4 {
            guard let b = try reader.byte() else { return nil }
            v |= UInt32(b) << UInt32(8 * i)
        }
        summary.bytesReceived += 4
        return v
    }
}
