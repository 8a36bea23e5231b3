import TapWalkerCore

/// The packet traffic of CMSIS-DAP and DirtyJTAG probes: command packets go out without waiting,
/// replies are read in order, and a reply's TDO bits land in the TDO vector of the call in progress.
final class PacketProbe {
    let pipe: USBBulkPipe
    /// Packets sent whose replies are still to be read, oldest first.
    private var awaiting: [USBPacket] = []
    /// How many replies may be outstanding before one must be read (the probe's buffers).
    let window: Int
    /// Checks a reply; returns an error message for a reply that reports a failure.
    let check: (UnsafeRawBufferPointer) -> String?
    init(pipe: USBBulkPipe, window: Int, check: @escaping (UnsafeRawBufferPointer) -> String?) {
        self.pipe = pipe
        self.window = max(1, window)
        self.check = check
    }

    /// Sends `packets`, each as one bulk transfer (both probes take a transfer as one command
    /// packet); with `tdo`, reads every reply before returning.
    func send(_ packets: [USBPacket], tdo: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) {
        for p in packets {
            if awaiting.count >= window { try readReply(tdo) }
            try pipe.send(p.bytes)
            if p.replyLength > 0 { awaiting.append(p) }
        }
        if tdo != nil { try drain(tdo) }
    }

    /// Reads every outstanding reply and waits for the packets sent to be taken.
    func drain(_ tdo: UnsafeMutableRawBufferPointer? = nil) throws(TapWalkerError) {
        while !awaiting.isEmpty { try readReply(tdo) }
        try pipe.drainOut()
    }

    private func readReply(_ tdo: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) {
        let p = awaiting.removeFirst()
        var failure: String?
        var short = false
        try pipe.receive(capacity: max(p.replyLength, pipe.packetSize)) { reply in
            guard reply.count >= p.replyLength else { short = true; return }
            failure = check(reply)
            if failure == nil, let tdo { for c in p.captures { c.scatter(reply, into: tdo) } }
        }
        if short {
            throw TapWalkerError(.cable, "the USB cable \(pipe.device.info.summary) answered with a short reply (fewer than \(p.replyLength) bytes)")
        }
        if let failure { throw TapWalkerError(.cable, "the USB cable \(pipe.device.info.summary) \(failure)") }
    }

    /// One command with its reply, outside the JTAG traffic (setup).
    func request(_ bytes: [UInt8]) throws(TapWalkerError) -> [UInt8] {
        try drain()
        try pipe.send(bytes)
        var reply: [UInt8] = []
        try pipe.receive(capacity: pipe.packetSize) { reply = Array($0) }
        return reply
    }
}
