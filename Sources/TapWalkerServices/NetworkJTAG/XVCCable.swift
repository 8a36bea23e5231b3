import TapWalkerCore

/// A cable reached over XVC 1.0 (`--cable xvc://host:port`): an XVC server such as
/// `tapwalker sim`/`serve`, an ESP32 running XVC firmware, or any other.
///
/// Shifts are batched: TCK cycles whose TDO nobody reads are collected into one `shift:` of up to
/// half the advertised vector length (the conservative reading of `getinfo:`), and such shifts are
/// sent without waiting for their replies (up to `maximumOutstanding` bytes of replies in flight,
/// little enough that a small server's TCP window cannot deadlock). A flash write therefore costs
/// a round trip per status poll, not per bit.
public final class XVCCable: Cable {
    let connection: any NetworkConnection
    let clock: any ServiceClock
    /// How long to wait for an answer. Generous: a server may still be clocking a long backlog of
    /// buffered commands (a whole bitstream) before it reaches the read that is awaited.
    let timeoutMilliseconds: Int
    /// Bits per shift command.
    public let maximumBits: Int
    static let maximumOutstanding = 16 * 1024

    private var tms: [UInt8]
    private var tdi: [UInt8]
    private var pendingBits = 0
    /// Reply bytes of shifts sent but not yet read (their TDO is discarded).
    private var outstanding = 0
    private var discard = [UInt8](repeating: 0, count: 1024)
    public private(set) var frequency: UInt32 = 25_000_000
    private var cycles: UInt64 = 0
    /// What the server said in `getinfo:`.
    public let serverInfo: String

    /// Connects, asks `getinfo:`, and sets TCK with `settck:`.
    public init(
        connection: any NetworkConnection, host: String, port: Int, clock: any ServiceClock,
        frequency: UInt32 = 25_000_000, connectTimeoutMilliseconds: Int = 5000,
        timeoutMilliseconds: Int = 60_000
    ) throws(TapWalkerError) {
        self.connection = connection
        self.clock = clock
        self.timeoutMilliseconds = timeoutMilliseconds
        try connection.connect(host: host, port: port, timeoutMilliseconds: connectTimeoutMilliseconds)
        let reader = ConnectionReader(connection, capacity: 64, timeoutMilliseconds: timeoutMilliseconds)
        try connection.send(Array("getinfo:".utf8), timeoutMilliseconds: timeoutMilliseconds)
        var line: [UInt8] = []
        while true {
            guard let b = try reader.byte() else {
                throw TapWalkerError(.cable, "the XVC server at \(host):\(port) closed the connection without answering getinfo:")
            }
            if b == UInt8(ascii: "\n") { break }
            line.append(b)
            if line.count > 64 { break }
        }
        serverInfo = ASCII.printable(line)
        // "xvcServer_v1.0:<n>"
        guard line.count > 15, ASCII.equal(Array(line.prefix(15)), "xvcServer_v1.0:"),
              let n = ASCII.parseInteger(String(decoding: line[15...], as: UTF8.self)), n >= 2
        else {
            throw TapWalkerError(.cable, "\(host):\(port) is not an XVC 1.0 server (getinfo: answered '\(serverInfo)')")
        }
        let bytes = min(n / 2, 4096)
        maximumBits = bytes * 8
        tms = [UInt8](repeating: 0, count: bytes)
        tdi = [UInt8](repeating: 0, count: bytes)
        _ = try setFrequency(frequency)
    }

    public func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 {
        try flush()
        let period = UInt32(max(1, 1_000_000_000 / UInt64(max(1, hertz))))
        var command = Array("settck:".utf8)
        for i in 0..<4 { command.append(UInt8(period >> UInt32(8 * i) & 0xFF)) }
        try connection.send(command, timeoutMilliseconds: timeoutMilliseconds)
        var reply = [UInt8](repeating: 0, count: 4)
        try receiveExactly(&reply, 4)
        let actual = UInt32(reply[0]) | UInt32(reply[1]) << 8 | UInt32(reply[2]) << 16 | UInt32(reply[3]) << 24
        frequency = UInt32(1_000_000_000 / UInt64(max(1, actual)))
        return frequency
    }

    public var statistics: CableStatistics { CableStatistics(tckCycles: cycles) }

    public func clock(
        bits: Int, tms tmsIn: UnsafeRawBufferPointer, tdi tdiIn: UnsafeRawBufferPointer,
        tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError) {
        cycles += UInt64(bits)
        if let tdo {
            for i in 0..<((bits + 7) / 8) { tdo[i] = 0 }
            // Pending bits go first, in the same shift when everything fits.
            var i = 0
            while i < bits {
                if pendingBits == maximumBits { try sendPending(readReply: nil, from: 0) }
                let first = pendingBits
                let n = min(bits - i, maximumBits - pendingBits)
                append(tmsIn, tdiIn, from: i, count: n)
                try sendPending(readReply: tdo, from: first, to: i)
                i += n
            }
        } else {
            var i = 0
            while i < bits {
                if pendingBits == maximumBits { try sendPending(readReply: nil, from: 0) }
                let n = min(bits - i, maximumBits - pendingBits)
                append(tmsIn, tdiIn, from: i, count: n)
                i += n
            }
        }
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        try flush()
        clock.sleep(microseconds: microseconds)
    }

    public func flush() throws(TapWalkerError) {
        if pendingBits > 0 { try sendPending(readReply: nil, from: 0) }
        try drain()
    }

    /// Says goodbye: sends what is pending and closes the connection.
    public func close() {
        try? flush()
        connection.close()
    }

    // MARK: - Batching

    private func append(_ m: UnsafeRawBufferPointer, _ d: UnsafeRawBufferPointer, from: Int, count: Int) {
        for k in 0..<count {
            let src = from + k
            let dst = pendingBits + k
            let mask = UInt8(1 << (dst & 7))
            if dst & 7 == 0 { tms[dst >> 3] = 0; tdi[dst >> 3] = 0 }
            if m[src >> 3] >> UInt8(src & 7) & 1 == 1 { tms[dst >> 3] |= mask }
            if d[src >> 3] >> UInt8(src & 7) & 1 == 1 { tdi[dst >> 3] |= mask }
        }
        pendingBits += count
    }

    /// Sends the pending bits as one `shift:`. With `readReply`, waits for the reply and copies TDO
    /// bits `from`... of the shift into `readReply` starting at bit `to`; else the reply is left
    /// outstanding and discarded later.
    private func sendPending(readReply: UnsafeMutableRawBufferPointer?, from: Int, to: Int = 0) throws(TapWalkerError) {
        let bits = pendingBits
        let bytes = (bits + 7) / 8
        var command = Array("shift:".utf8)
        command.reserveCapacity(10 + 2 * bytes)
        for i in 0..<4 { command.append(UInt8(UInt32(bits) >> UInt32(8 * i) & 0xFF)) }
        command.append(contentsOf: tms[0..<bytes])
        command.append(contentsOf: tdi[0..<bytes])
        if outstanding + bytes > XVCCable.maximumOutstanding { try drain() }
        try connection.send(command, timeoutMilliseconds: timeoutMilliseconds)
        pendingBits = 0
        guard let readReply else {
            outstanding += bytes
            return
        }
        try drain()
        var reply = [UInt8](repeating: 0, count: bytes)
        try receiveExactly(&reply, bytes)
        for k in 0..<(bits - from) {
            let src = from + k
            let dst = to + k
            if reply[src >> 3] >> UInt8(src & 7) & 1 == 1 { readReply[dst >> 3] |= UInt8(1 << (dst & 7)) }
        }
    }

    /// Reads and drops the replies of shifts whose TDO nobody wanted.
    private func drain() throws(TapWalkerError) {
        while outstanding > 0 {
            let n = min(outstanding, discard.count)
            try receiveExactly(&discard, n)
            outstanding -= n
        }
    }

    private func receiveExactly(_ buffer: inout [UInt8], _ count: Int) throws(TapWalkerError) {
        var got = 0
        while got < count {
            let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in
                try connection.receive(into: UnsafeMutableRawBufferPointer(rebasing: p[got..<count]), timeoutMilliseconds: timeoutMilliseconds)
            }
            if n == 0 { throw TapWalkerError(.cable, "the XVC server closed the connection in the middle of a shift") }
            got += n
        }
    }
}
