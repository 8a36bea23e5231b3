import TapWalkerCore

/// A cable reached over OpenOCD's remote_bitbang protocol (`--cable rbb://host:port`).
///
/// Each TCK cycle is two bytes, TCK low then TCK high with the cycle's TMS and TDI (`'0'+2·TMS+TDI`,
/// then `'4'+2·TMS+TDI`), with an `R` between them when TDO is wanted, sampled before the rising
/// edge as on the wire. Everything is pipelined: commands collect in a buffer and go out in one
/// send, and the answers to all `R`s of a call are read back together, so a call costs one round
/// trip however many bits it reads. The protocol cannot set TCK; the server's rate applies.
/// An `R` with no edge after it reads TDO as the pin shows it, so the cable samples TDO without
/// clocking (`TDOSampling`), which a remote_bitbang server in front of it needs.
public final class RemoteBitbangCable: TDOSampling {
    /// Every send and read with a deadline; a lost server is a `.cable` error.
    private let link: NetworkCableLink
    let clock: any ServiceClock
    private var out: [UInt8] = []
    static let flushBytes = 16 * 1024
    private var cycles: UInt64 = 0
    /// Answers read at a time: as many `R`s are sent ahead of reading. 64 K answers (192 KB of
    /// commands) keep a server busy for a long stretch while staying within what the host's socket
    /// buffers hold, so neither side can block the other. A device passes fewer (its heap).
    private var replies: [UInt8]
    public static let defaultAnswersInFlight = 64 * 1024
    public private(set) var frequency: UInt32

    public init(
        connection: any NetworkConnection, host: String, port: Int, clock: any ServiceClock,
        frequency: UInt32 = 25_000_000, connectTimeoutMilliseconds: Int = 5000,
        timeoutMilliseconds: Int = NetworkCableLink.defaultTimeoutMilliseconds,
        answersInFlight: Int = RemoteBitbangCable.defaultAnswersInFlight
    ) throws(TapWalkerError) {
        replies = [UInt8](repeating: 0, count: max(1, answersInFlight))
        self.clock = clock
        self.frequency = frequency
        link = NetworkCableLink(connection, server: "the remote_bitbang server at \(host):\(port)", timeoutMilliseconds: timeoutMilliseconds)
        try link.connect(host: host, port: port, timeoutMilliseconds: connectTimeoutMilliseconds)
        out.reserveCapacity(RemoteBitbangCable.flushBytes + 64)
        // TCK low to start from a known level.
        out.append(UInt8(ascii: "0"))
    }

    /// The protocol has no way to set TCK; the value is only remembered for reports.
    public func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 {
        frequency = hertz
        return hertz
    }

    public var statistics: CableStatistics { CableStatistics(tckCycles: cycles) }

    public func clock(
        bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError) {
        cycles += UInt64(bits)
        if let tdo { for i in 0..<((bits + 7) / 8) { tdo[i] = 0 } }
        var i = 0
        var start = 0  // first bit whose answer is not read yet
        while i < bits {
            let v = (tms[i >> 3] >> UInt8(i & 7) & 1) << 1 | (tdi[i >> 3] >> UInt8(i & 7) & 1)
            out.append(UInt8(ascii: "0") + v)
            if tdo != nil { out.append(UInt8(ascii: "R")) }
            out.append(UInt8(ascii: "4") + v)
            i += 1
            // Bound both the send buffer and the answers in flight.
            if let tdo, i - start == replies.count {
                try read(into: tdo, bits: start..<i)
                start = i
            } else if tdo == nil, out.count >= RemoteBitbangCable.flushBytes {
                try send()
            }
        }
        if let tdo, start < bits { try read(into: tdo, bits: start..<bits) }
    }

    /// `R` alone: TDO as the next rising edge would sample it.
    public func sampleTDO() throws(TapWalkerError) -> Bool {
        out.append(UInt8(ascii: "R"))
        var bit: UInt8 = 0
        try withUnsafeMutableBytes(of: &bit) { (p) throws(TapWalkerError) in try read(into: p, bits: 0..<1) }
        return bit & 1 == 1
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        try flush()
        clock.sleep(microseconds: microseconds)
    }

    public func flush() throws(TapWalkerError) {
        try send()
    }

    /// Sends `Q` (the server closes its side) and closes the connection.
    public func close() {
        out.append(UInt8(ascii: "Q"))
        try? send()
        link.close()
    }

    private func send() throws(TapWalkerError) {
        guard !out.isEmpty else { return }
        try link.send(out)
        out.removeAll(keepingCapacity: true)
    }

    private func read(into tdo: UnsafeMutableRawBufferPointer, bits: Range<Int>) throws(TapWalkerError) {
        try send()
        let count = bits.count
        try link.read(count, into: &replies, awaiting: "a TDO read")
        for k in 0..<count {
            let bit = bits.lowerBound + k
            switch replies[k] {
            case UInt8(ascii: "1"): tdo[bit >> 3] |= UInt8(1 << (bit & 7))
            case UInt8(ascii: "0"): break
            default:
                throw TapWalkerError(.cable, "the remote_bitbang server answered a TDO read with byte \(replies[k]) instead of '0' or '1'")
            }
        }
    }
}
