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
/// `TDOSampling.sampleTDO`. A cable that cannot sample TDO without clocking (an XVC cable) answers
/// such an `R` when the next rising edge arrives: OpenOCD always sends that edge before it reads
/// the answers, so it is served; a client that waits for each answer before the edge is not.
///
/// The ECP5 has no TRST pin and SRST is not wired to the board, so the reset commands are
/// accepted and change nothing. An unknown command closes the connection.
public struct RemoteBitbangServer {
    public static let defaultPort = 3335
    /// Bytes taken from the network per batch (and so the most TCK edges clocked per batch).
    static let batchBytes = 4096
    /// Answers to `R` sent per network write; a batch with more sends several.
    static let replyBytes = 1024

    public let cable: any Cable
    /// The same cable when it can sample TDO without clocking; nil when it cannot.
    let sampler: (any TDOSampling)?
    public var options: JTAGServerOptions
    let clock: any ServiceClock

    public init(cable: any TDOSampling, clock: any ServiceClock, options: JTAGServerOptions = JTAGServerOptions()) {
        self.init(cable: cable, sampler: cable, clock: clock, options: options)
    }

    /// `sampler`: `cable` itself when it samples TDO without clocking, else nil.
    public init(cable: any Cable, sampler: (any TDOSampling)?, clock: any ServiceClock,
                options: JTAGServerOptions = JTAGServerOptions()) {
        self.cable = cable
        self.sampler = sampler
        self.clock = clock
        self.options = options
    }

    /// Serves one client until it quits, closes, or sends something that is not remote_bitbang.
    public func serve(_ connection: any NetworkConnection) -> JTAGSessionSummary {
        runSession(connection, cable: cable, clock: clock, options: options, bufferBytes: RemoteBitbangServer.batchBytes, session)
    }

    /// One batch: the TMS/TDI of its rising edges (the vector buffer) and, in order, which of its
    /// events were rising edges and which `R`, one bit each, so that after clocking every `R` is
    /// answered with the TDO of the edge after it. Memory: a bit per byte of the batch.
    private struct Batch {
        var tms: [UInt8]
        var tdi: [UInt8]
        var tdo: [UInt8]
        /// Bit k: event k is an `R` (1) or a rising edge (0).
        var isRead: [UInt8]
        var replies: [UInt8]
        var edges = 0
        var events = 0

        init(bytes n: Int) {
            let vectorBytes = (n + 7) / 8
            tms = [UInt8](repeating: 0, count: vectorBytes)
            tdi = [UInt8](repeating: 0, count: vectorBytes)
            tdo = [UInt8](repeating: 0, count: vectorBytes)
            isRead = [UInt8](repeating: 0, count: vectorBytes)
            replies = [UInt8](repeating: 0, count: RemoteBitbangServer.replyBytes)
        }

        mutating func edge(tms m: Bool, tdi d: Bool) {
            if m { tms[edges >> 3] |= 1 << UInt8(edges & 7) }
            if d { tdi[edges >> 3] |= 1 << UInt8(edges & 7) }
            edges += 1
            events += 1
        }

        mutating func read() {
            isRead[events >> 3] |= 1 << UInt8(events & 7)
            events += 1
        }

        mutating func clear() {
            for i in 0..<((max(edges, events) + 7) / 8) { tms[i] = 0; tdi[i] = 0; isRead[i] = 0 }
            edges = 0
            events = 0
        }

        /// Reads after the last rising edge.
        var trailingReads: Int {
            var n = 0
            var k = events - 1
            while k >= 0 && isRead[k >> 3] >> UInt8(k & 7) & 1 == 1 { n += 1; k -= 1 }
            return n
        }
    }

    private func session(_ reader: ConnectionReader, _ summary: inout JTAGSessionSummary, _ idle: inout IdleTime) throws(TapWalkerError) {
        // Without a sampler, room for the reads carried into the next batch besides its own bytes.
        var batch = Batch(bytes: RemoteBitbangServer.batchBytes * (sampler == nil ? 2 : 1))
        var tck = false
        var quit = false
        var carried = 0
        while !quit {
            guard try reader.fill() else { return }
            try idle.pass(reader, to: cable)
            batch.clear()
            for _ in 0..<carried { batch.read() }
            carried = 0
            while let b = reader.bufferedByte() {
                summary.bytesReceived += 1
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    let v = b - UInt8(ascii: "0")
                    let newTCK = v & 4 != 0
                    if newTCK && !tck { batch.edge(tms: v & 2 != 0, tdi: v & 1 != 0) }
                    tck = newTCK
                case UInt8(ascii: "R"):
                    batch.read()
                case UInt8(ascii: "B"), UInt8(ascii: "b"), UInt8(ascii: "\r"), UInt8(ascii: "\n"),
                     UInt8(ascii: "r"), UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "u"):
                    break
                case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                    // Clock what came before, then let the time pass on the cable.
                    let keep = try run(&batch, reader.connection, &summary)
                    batch.clear()
                    for _ in 0..<keep { batch.read() }
                    try cable.wait(microseconds: b == UInt8(ascii: "Z") ? 1000 : 1)
                case UInt8(ascii: "Q"):
                    quit = true
                default:
                    _ = try run(&batch, reader.connection, &summary)
                    summary.closedBecause = "unknown remote_bitbang command '\(ASCII.printable([b]))' (byte \(b))"
                    return
                }
                if quit { break }
            }
            carried = try run(&batch, reader.connection, &summary)
            if carried > RemoteBitbangServer.batchBytes {
                summary.closedBecause = "more than \(RemoteBitbangServer.batchBytes) TDO reads without a TCK edge, which a cable that cannot sample TDO (XVC) cannot answer"
                return
            }
        }
    }

    /// Clocks the batch's edges and sends the answers to its reads, in order. Returns how many
    /// trailing reads were left unanswered (no sampler): they belong to the next batch's first edge.
    private func run(_ batch: inout Batch, _ connection: any NetworkConnection, _ summary: inout JTAGSessionSummary) throws(TapWalkerError) -> Int {
        let unanswered = sampler == nil ? batch.trailingReads : 0
        let edges = batch.edges
        if edges > 0 {
            let bytes = (edges + 7) / 8
            try batch.tms.withBytes { (m) throws(TapWalkerError) in
                try batch.tdi.withBytes { (d) throws(TapWalkerError) in
                    try batch.tdo.withMutableBytes { (o) throws(TapWalkerError) in
                        try cable.clock(
                            bits: edges, tms: UnsafeRawBufferPointer(rebasing: m[0..<bytes]),
                            tdi: UnsafeRawBufferPointer(rebasing: d[0..<bytes]),
                            tdo: UnsafeMutableRawBufferPointer(rebasing: o[0..<bytes]))
                    }
                }
            }
            summary.bitsClocked += edges
            summary.shifts += 1
        }
        var edge = 0
        var count = 0
        var now: Bool?
        for k in 0..<(batch.events - unanswered) {
            guard batch.isRead[k >> 3] >> UInt8(k & 7) & 1 == 1 else { edge += 1; continue }
            let bit: Bool
            if edge < edges {
                bit = batch.tdo[edge >> 3] >> UInt8(edge & 7) & 1 == 1
            } else {
                // No rising edge after it in this batch: TDO as the pin shows it now.
                if now == nil { now = try sampler?.sampleTDO() }
                bit = now == true
            }
            batch.replies[count] = bit ? UInt8(ascii: "1") : UInt8(ascii: "0")
            count += 1
            if count == batch.replies.count {
                try send(batch.replies, count, connection, &summary)
                count = 0
            }
        }
        try send(batch.replies, count, connection, &summary)
        return unanswered
    }

    private func send(_ replies: [UInt8], _ count: Int, _ connection: any NetworkConnection, _ summary: inout JTAGSessionSummary) throws(TapWalkerError) {
        guard count > 0 else { return }
        try replies.withBytes { (p) throws(TapWalkerError) in
            try connection.send(UnsafeRawBufferPointer(rebasing: p[0..<count]), timeoutMilliseconds: options.idleTimeoutMilliseconds)
        }
        summary.bytesSent += count
    }
}
