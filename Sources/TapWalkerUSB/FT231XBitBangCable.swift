import Glibc
import TapWalkerCore

/// The ULX3S's FTDI FT231X in synchronous bit-bang (`--cable ft231x`, `--board ulx3s`).
///
/// Two bytes per TCK cycle, sent in large bulk transfers; the chip answers every byte, so the
/// answers are read while the next transfer is already queued, and a call that wants TDO picks it
/// from the answers to its own bytes.
public final class FT231XBitBangCable: Cable {
    let device: USBDeviceHandle
    public let pipe: USBBulkPipe
    private var encoder = BitBangEncoder()
    private var answer: [UInt8] = []
    /// Answer bytes owed for bytes already sent and not read yet.
    private var owed = 0
    private var cycles: UInt64 = 0
    /// Answers that arrived ahead of being asked for.
    private var surplus: [UInt8] = []
    public private(set) var frequency: UInt32 = 0
    static let batch = 32 * 1024

    public init(device: USBDeviceHandle, tck: UInt32) throws(TapWalkerError) {
        self.device = device
        try device.claim(0)
        guard let ep = device.bulkEndpoints(0) else {
            throw TapWalkerError(.cable, "\(device.info.summary) has no bulk endpoints; it is not an FT231X")
        }
        pipe = USBBulkPipe(device: device, input: ep.input, output: ep.output, packetSize: ep.packetSize, transferSize: Self.batch)
        try FTDIChip.start(device, interface: 0, mode: FTDIChip.modeSyncBitBang, outputs: BitBangEncoder.outputs)
        _ = try setFrequency(tck)
    }

    public var statistics: CableStatistics { CableStatistics(tckCycles: cycles) }

    public func clock(
        bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError) {
        cycles += UInt64(bits)
        guard let tdo else {
            encoder.clock(bits: bits, tms: tms, tdi: tdi, read: false)
            if encoder.bytes.count >= Self.batch { try transmit(keep: false) }
            return
        }
        try transmit(keep: false)
        encoder.clock(bits: bits, tms: tms, tdi: tdi, read: true)
        try transmit(keep: true)
        try answer.withBytes { (a) throws(TapWalkerError) in encoder.scatter(a, into: tdo) }
        encoder.reset()
    }

    public func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        var offset = 0
        while offset < bytes.count {
            let n = min(bytes.count - offset, Self.batch / 16)
            encoder.shiftMSBFirst(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            cycles += UInt64(n) * 8
            if encoder.bytes.count >= Self.batch { try transmit(keep: false) }
            offset += n
        }
    }

    /// Sends the encoded bytes; with `keep`, reads every answer and keeps those of these bytes in
    /// `answer`, else reads answers only as far as needed to keep one transfer's worth in flight.
    private func transmit(keep: Bool) throws(TapWalkerError) {
        let sent = encoder.bytes.count
        if sent > 0 {
            try pipe.send(encoder.bytes)
            owed += sent
        }
        if keep {
            let older = owed - sent
            answer.removeAll(keepingCapacity: true)
            try FTDIChip.read(pipe, count: owed, into: &answer, surplus: &surplus)
            answer.removeFirst(older)
            owed = 0
        } else {
            encoder.reset()
            if owed > Self.batch {
                var discard: [UInt8] = []
                try FTDIChip.read(pipe, count: owed - Self.batch, into: &discard, surplus: &surplus)
                owed = Self.batch
            }
        }
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        try flush()
        usleep(microseconds)
    }

    public func flush() throws(TapWalkerError) {
        try transmit(keep: false)
        var discard: [UInt8] = []
        try FTDIChip.read(pipe, count: owed, into: &discard, surplus: &surplus)
        owed = 0
        try pipe.drainOut()
    }

    /// The bit-bang byte rate follows the baud-rate divisor: in bit-bang mode the chip clocks bytes
    /// at four times the baud rate from a 3 MHz base (as libftdi computes it), two bytes per TCK.
    public func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 {
        try flush()
        let tck = min(max(hertz, 1000), 1_500_000)
        // Divisor in eighths of the 3 MHz base for a baud rate of tck / 2 (byte rate 2 × tck = 4 × baud).
        let eighths = max(8, min(UInt32(0x3FFF) * 8, 24_000_000 / (tck / 2)))
        let fraction: [UInt16] = [0, 3, 2, 4, 1, 5, 6, 7]
        let code = fraction[Int(eighths & 7)]
        let value = UInt16(eighths >> 3) | (code & 3) << 14
        try device.vendorOut(FTDIChip.setBaudRate, value: value, index: code >> 2)
        frequency = UInt32(UInt64(24_000_000) * 2 / UInt64(eighths))
        return frequency
    }

    public func close() {
        try? flush()
        FTDIChip.stop(device, interface: 0)
        pipe.abandon()
        device.close()
    }
}
