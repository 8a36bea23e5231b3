import TapWalkerCore

/// A cable reached over XVC 1.0 (`--cable xvc://host:port`): an XVC server such as
/// `tapwalker sim`/`serve`, an ESP32 running XVC firmware, or any other.
///
/// Shifts are batched and pipelined: TCK cycles whose TDO nobody reads are collected into one
/// `shift:` of up to half the advertised vector length (the conservative reading of `getinfo:`),
/// and every shift is sent without waiting for the replies of the ones before it (up to
/// `maximumOutstanding` bytes of replies in flight, little enough that a small server's TCP window
/// cannot deadlock). A read of many shifts costs one round trip, not one per shift, and a flash
/// write one per status poll.
public final class XVCCable: Cable {
    /// Every send and read with a deadline; a lost server is a `.cable` error.
    private let link: NetworkCableLink
    let clock: any ServiceClock
    /// Bits per shift command.
    public let maximumBits: Int
    static let maximumOutstanding = 16 * 1024

    private var tms: [UInt8]
    private var tdi: [UInt8]
    private var pendingBits = 0
    public private(set) var frequency: UInt32 = 25_000_000
    private var cycles: UInt64 = 0
    /// What the server said in `getinfo:`.
    public let serverInfo: String

    /// Connects, asks `getinfo:`, and sets TCK with `settck:`.
    public init(
        connection: any NetworkConnection, host: String, port: Int, clock: any ServiceClock,
        frequency: UInt32 = 25_000_000, connectTimeoutMilliseconds: Int = 5000,
        timeoutMilliseconds: Int = NetworkCableLink.defaultTimeoutMilliseconds
    ) throws(TapWalkerError) {
        self.clock = clock
        link = NetworkCableLink(connection, server: "the XVC server at \(host):\(port)", timeoutMilliseconds: timeoutMilliseconds)
        try link.connect(host: host, port: port, timeoutMilliseconds: connectTimeoutMilliseconds)
        try link.send(Array("getinfo:".utf8))
        var line: [UInt8] = []
        while true {
            guard let b = try link.byte() else {
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
        try link.send(command)
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
            tdoTarget = tdo
            defer { tdoTarget = nil }
            // Pending bits go first, in the same shift when everything fits. Every shift of the
            // call is sent before the first reply is awaited, so the server always has the next one.
            var i = 0
            while i < bits {
                if pendingBits == maximumBits { try sendPending(wanted: nil) }
                let first = pendingBits
                let n = min(bits - i, maximumBits - pendingBits)
                append(tmsIn, tdiIn, from: i, count: n)
                try sendPending(wanted: (from: first, to: i))
                i += n
            }
            try receiveAll()
        } else {
            var i = 0
            while i < bits {
                if pendingBits == maximumBits { try sendPending(wanted: nil) }
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
        if pendingBits > 0 { try sendPending(wanted: nil) }
        try receiveAll()
    }

    /// Says goodbye: sends what is pending and closes the connection.
    public func close() {
        try? flush()
        link.close()
    }

    // MARK: - Batching

    private func append(_ m: UnsafeRawBufferPointer, _ d: UnsafeRawBufferPointer, from: Int, count: Int) {
        // Time the client spends here is time the board waits for it: copy a byte at a time.
        let at = pendingBits
        tms.withUnsafeMutableBytes { BitOrder.copyBits(m, from: from, to: $0, at: at, count: count) }
        tdi.withUnsafeMutableBytes { BitOrder.copyBits(d, from: from, to: $0, at: at, count: count) }
        pendingBits += count
    }

    /// A shift sent whose reply has not been read. `wanted`: copy its bits from `from` on into the
    /// current call's TDO buffer at bit `to`; nil: the reply is read and dropped.
    private struct InFlight {
        let bits: Int
        let wanted: (from: Int, to: Int)?
    }
    private var inFlight: [InFlight] = []
    private var inFlightBytes = 0
    private var tdoTarget: UnsafeMutableRawBufferPointer?
    private var reply = [UInt8](repeating: 0, count: 4096)

    /// Sends the pending bits as one `shift:` without waiting for its reply; first makes room by
    /// reading the oldest replies when more than `maximumOutstanding` bytes would be in flight.
    private func sendPending(wanted: (from: Int, to: Int)?) throws(TapWalkerError) {
        let bits = pendingBits
        let bytes = (bits + 7) / 8
        var command = Array("shift:".utf8)
        command.reserveCapacity(10 + 2 * bytes)
        for i in 0..<4 { command.append(UInt8(UInt32(bits) >> UInt32(8 * i) & 0xFF)) }
        command.append(contentsOf: tms[0..<bytes])
        command.append(contentsOf: tdi[0..<bytes])
        while !inFlight.isEmpty && inFlightBytes + bytes > XVCCable.maximumOutstanding { try receiveOldest() }
        try link.send(command)
        pendingBits = 0
        inFlight.append(InFlight(bits: bits, wanted: wanted))
        inFlightBytes += bytes
    }

    private func receiveAll() throws(TapWalkerError) {
        while !inFlight.isEmpty { try receiveOldest() }
    }

    /// Reads the reply of the oldest shift in flight (replies come in order).
    private func receiveOldest() throws(TapWalkerError) {
        let shift = inFlight.removeFirst()
        let bytes = (shift.bits + 7) / 8
        inFlightBytes -= bytes
        try receiveExactly(&reply, bytes)
        guard let (from, to) = shift.wanted, let tdo = tdoTarget else { return }
        reply.withUnsafeBytes { BitOrder.copyBits($0, from: from, to: tdo, at: to, count: shift.bits - from) }
    }

    private func receiveExactly(_ buffer: inout [UInt8], _ count: Int) throws(TapWalkerError) {
        try link.read(count, into: &buffer, awaiting: "a shift")
    }
}
