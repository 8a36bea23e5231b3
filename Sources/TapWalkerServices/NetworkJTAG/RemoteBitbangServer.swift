import TapWalkerCore

/// OpenOCD's remote_bitbang protocol, server side. One ASCII byte per command:
/// `'0'`–`'7'` set TCK, TMS, TDI (4·TCK + 2·TMS + TDI); `R` reads TDO, answered `'0'`/`'1'`;
/// `B`/`b` LED on/off; `r`–`u` set TRST/SRST; `Z`/`z` sleep 1 ms / 1 µs (?: as OpenOCD's
/// protocol notes describe them; OpenOCD 0.12 itself sleeps on its side and never sends them);
/// `Q` quit. CR and LF are ignored.
///
/// Pins, not cycles: a TCK rising edge is a 0→1 change of the TCK bit, and clocks one bit with the
/// TMS/TDI levels of that byte. TDO behaves as on the chip: it changes on the falling edge of TCK,
/// so `R` between a falling and the next rising edge (OpenOCD writes TCK=0, `R`, TCK=1 per bit)
/// answers with the bit that rising edge samples.
///
/// Replies are batched: everything that arrived together is clocked in one `Cable.clock` call and
/// the answers go back in one send, so a pipelining client pays no round trip per bit. An `R` with
/// no rising edge after it in the batch (a client that waits for each answer) is answered from
/// `TDOSampling.sampleTDO`.
///
/// The ECP5 has no TRST pin and SRST is not wired to the board, so the reset commands are
/// accepted and change nothing. An unknown command closes the connection.
public struct RemoteBitbangServer {
    public static let defaultPort = 3335
    /// Bytes taken from the network per batch (and so the most TCK edges clocked per batch).
    static let batchBytes = 4096

    public let cable: any TDOSampling
    public var options: JTAGServerOptions
    let clock: any ServiceClock

    public init(cable: any TDOSampling, clock: any ServiceClock, options: JTAGServerOptions = JTAGServerOptions()) {
        self.cable = cable
        self.clock = clock
        self.options = options
    }

    /// Serves one client until it quits, closes, or sends something that is not remote_bitbang.
    public func serve(_ connection: any NetworkConnection) -> JTAGSessionSummary {
        runSession(connection, cable: cable, clock: clock, options: options, bufferBytes: RemoteBitbangServer.batchBytes, session)
    }

    private func session(_ reader: ConnectionReader, _ summary: inout JTAGSessionSummary, _ idle: inout IdleTime) throws(TapWalkerError) {
        let n = RemoteBitbangServer.batchBytes
        let vectorBytes = (n + 7) / 8
        var tms = [UInt8](repeating: 0, count: vectorBytes)
        var tdi = [UInt8](repeating: 0, count: vectorBytes)
        var tdo = [UInt8](repeating: 0, count: vectorBytes)
        // For each `R` of the batch: the index of the edge whose sample answers it, or -1 for "after
        // the last edge of the batch".
        var reads = [Int](repeating: 0, count: n)
        var replies = [UInt8](repeating: 0, count: n)
        var tck = false
        var quit = false
        while !quit {
            guard try reader.fill() else { return }
            try idle.pass(reader, to: cable)
            var edges = 0
            var readCount = 0
            for i in 0..<vectorBytes { tms[i] = 0; tdi[i] = 0 }
            while let b = reader.bufferedByte() {
                summary.bytesReceived += 1
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    let v = b - UInt8(ascii: "0")
                    let newTCK = v & 4 != 0
                    if newTCK && !tck {
                        if v & 2 != 0 { tms[edges >> 3] |= 1 << UInt8(edges & 7) }
                        if v & 1 != 0 { tdi[edges >> 3] |= 1 << UInt8(edges & 7) }
                        edges += 1
                    }
                    tck = newTCK
                case UInt8(ascii: "R"):
                    reads[readCount] = edges
                    readCount += 1
                case UInt8(ascii: "B"), UInt8(ascii: "b"), UInt8(ascii: "\r"), UInt8(ascii: "\n"),
                     UInt8(ascii: "r"), UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "u"):
                    break
                case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                    // Clock what came before, then let the time pass on the cable.
                    try clockBatch(edges, &tms, &tdi, &tdo, reads: &reads, readCount: readCount, replies: &replies)
                    try send(replies, readCount, reader.connection, &summary)
                    summary.bitsClocked += edges
                    edges = 0
                    readCount = 0
                    for i in 0..<vectorBytes { tms[i] = 0; tdi[i] = 0 }
                    try cable.wait(microseconds: b == UInt8(ascii: "Z") ? 1000 : 1)
                case UInt8(ascii: "Q"):
                    quit = true
                default:
                    try clockBatch(edges, &tms, &tdi, &tdo, reads: &reads, readCount: readCount, replies: &replies)
                    try send(replies, readCount, reader.connection, &summary)
                    summary.closedBecause = "unknown remote_bitbang command '\(ASCII.printable([b]))' (byte \(b))"
                    return
                }
                if quit { break }
            }
            try clockBatch(edges, &tms, &tdi, &tdo, reads: &reads, readCount: readCount, replies: &replies)
            try send(replies, readCount, reader.connection, &summary)
            summary.bitsClocked += edges
            if edges > 0 { summary.shifts += 1 }
        }
    }

    /// Clocks the batch's edges and fills the answers to its reads.
    private func clockBatch(
        _ edges: Int, _ tms: inout [UInt8], _ tdi: inout [UInt8], _ tdo: inout [UInt8],
        reads: inout [Int], readCount: Int, replies: inout [UInt8]
    ) throws(TapWalkerError) {
        if edges > 0 {
            let bytes = (edges + 7) / 8
            try tms.withBytes { (m) throws(TapWalkerError) in
                try tdi.withBytes { (d) throws(TapWalkerError) in
                    try tdo.withMutableBytes { (o) throws(TapWalkerError) in
                        try cable.clock(
                            bits: edges, tms: UnsafeRawBufferPointer(rebasing: m[0..<bytes]),
                            tdi: UnsafeRawBufferPointer(rebasing: d[0..<bytes]),
                            tdo: UnsafeMutableRawBufferPointer(rebasing: o[0..<bytes]))
                    }
                }
            }
        }
        var now: UInt8?
        for r in 0..<readCount {
            let edge = reads[r]
            let bit: Bool
            if edge < edges {
                bit = tdo[edge >> 3] >> UInt8(edge & 7) & 1 == 1
            } else {
                if now == nil { now = try cable.sampleTDO() ? 1 : 0 }
                bit = now == 1
            }
            replies[r] = bit ? UInt8(ascii: "1") : UInt8(ascii: "0")
        }
    }

    private func send(_ replies: [UInt8], _ count: Int, _ connection: any NetworkConnection, _ summary: inout JTAGSessionSummary) throws(TapWalkerError) {
        guard count > 0 else { return }
        try replies.withBytes { (p) throws(TapWalkerError) in
            try connection.send(UnsafeRawBufferPointer(rebasing: p[0..<count]), timeoutMilliseconds: options.idleTimeoutMilliseconds)
        }
        summary.bytesSent += count
    }
}
