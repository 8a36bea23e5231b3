import Glibc
import TapWalkerCore

/// The ULX3S's FTDI FT231X in synchronous bit-bang (`--cable ft231x`, `--board ulx3s`).
///
/// Two bytes per TCK cycle, sent in large bulk transfers. Traffic whose TDO nobody reads goes out in
/// asynchronous bit-bang (no answers); a call that wants TDO switches to synchronous bit-bang, where
/// the chip answers every byte, and picks TDO from the answers to its own bytes.
public final class FT231XBitBangCable: Cable {
    let device: USBDeviceHandle
    public let pipe: USBBulkPipe
    private var encoder = BitBangEncoder()
    private var answer: [UInt8] = []
    /// Whether the chip is in synchronous bit-bang (it starts so).
    private var synchronous = true
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
            if encoder.bytes.count >= Self.batch { try sendWithoutAnswers() }
            return
        }
        try sendWithoutAnswers()
        try setMode(synchronous: true)
        encoder.clock(bits: bits, tms: tms, tdi: tdi, read: true)
        try pipe.send(encoder.bytes)
        answer.removeAll(keepingCapacity: true)
        try FTDIChip.read(pipe, count: encoder.bytes.count, into: &answer, surplus: &surplus)
        try answer.withBytes { (a) throws(TapWalkerError) in encoder.scatter(a, into: tdo) }
        encoder.reset()
    }

    public func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        var offset = 0
        while offset < bytes.count {
            let n = min(bytes.count - offset, Self.batch / 16)
            encoder.shiftMSBFirst(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            cycles += UInt64(n) * 8
            if encoder.bytes.count >= Self.batch { try sendWithoutAnswers() }
            offset += n
        }
    }

    /// Sends the bytes whose answers nobody wants in asynchronous bit-bang, where the chip sends no
    /// answers at all (as openFPGALoader does for the ULX3S): no IN traffic for a bitstream.
    private func sendWithoutAnswers() throws(TapWalkerError) {
        guard !encoder.bytes.isEmpty else { return }
        try setMode(synchronous: false)
        try pipe.send(encoder.bytes)
        encoder.reset()
    }

    /// Switches between synchronous bit-bang (answers, for TDO) and asynchronous (none). Bytes
    /// already queued go out first: a mode change empties the chip's buffers.
    private func setMode(synchronous wanted: Bool) throws(TapWalkerError) {
        guard wanted != synchronous else { return }
        try pipe.drainOut()
        let mode = wanted ? FTDIChip.modeSyncBitBang : FTDIChip.modeAsyncBitBang
        try device.vendorOut(FTDIChip.setBitMode, value: mode << 8 | UInt16(BitBangEncoder.outputs), index: 1)
        synchronous = wanted
        surplus.removeAll()
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        try flush()
        usleep(microseconds)
    }

    public func flush() throws(TapWalkerError) {
        try sendWithoutAnswers()
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
