import Glibc
import TapWalkerCore

/// An FTDI FT2232H, FT4232H or FT232H in MPSSE mode (`--cable ft2232`, `ft4232`, `ft232h`).
///
/// Commands are collected and sent in large bulk transfers, several in flight; a call that reads
/// TDO ends its commands with "send immediate" (0x87) and reads every reply at once.
public final class FTDIMPSSECable: Cable {
    let device: USBDeviceHandle
    public let pipe: USBBulkPipe
    let interface: Int
    private var encoder = MPSSEEncoder()
    private var reply: [UInt8] = []
    private var cycles: UInt64 = 0
    /// Answers that arrived ahead of being asked for.
    private var surplus: [UInt8] = []
    public private(set) var frequency: UInt32
    /// Commands waiting beyond this many bytes go out without waiting for more.
    static let batch = 30 * 1024

    public init(device: USBDeviceHandle, interface: Int, tck: UInt32) throws(TapWalkerError) {
        self.device = device
        self.interface = interface
        try device.claim(Int32(interface))
        guard let ep = device.bulkEndpoints(Int32(interface)) else {
            throw TapWalkerError(.cable, "\(device.info.summary) has no bulk endpoints on interface \(interface); it is not an FTDI MPSSE chip")
        }
        pipe = USBBulkPipe(device: device, input: ep.input, output: ep.output, packetSize: ep.packetSize, transferSize: 32 * 1024)
        try FTDIChip.start(device, interface: interface, mode: FTDIChip.modeMPSSE, outputs: MPSSEEncoder.pinDirections)
        let divisor = FTDIClockDivisor.divisor(for: tck)
        frequency = FTDIClockDivisor.frequency(divisor: divisor)
        try pipe.send(MPSSEEncoder.setup(divisor: divisor))
    }

    public var statistics: CableStatistics { CableStatistics(tckCycles: cycles) }

    public func clock(
        bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError) {
        cycles += UInt64(bits)
        encoder.clock(bits: bits, tms: tms, tdi: tdi, read: tdo != nil)
        guard let tdo else {
            if encoder.bytes.count >= Self.batch { try sendEncoded() }
            return
        }
        encoder.sendImmediate()
        let count = encoder.replyBytes
        let captures = encoder.captures
        try sendEncoded()
        reply.removeAll(keepingCapacity: true)
        try FTDIChip.read(pipe, count: count, into: &reply, surplus: &surplus)
        try reply.withBytes { (r) throws(TapWalkerError) in
            for c in captures { c.scatter(r, into: tdo) }
        }
    }

    public func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        guard !encoder.tmsHigh else { return try shiftReversed(bytes) }
        cycles += UInt64(bytes.count) * 8
        encoder.shiftMSBFirst(bytes)
        if encoder.bytes.count >= Self.batch { try sendEncoded() }
    }

    /// The slow path for a shift that does not start with TMS low (never the case after TapWalker
    /// entered Shift-DR): each byte reversed and clocked LSB first.
    private func shiftReversed(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        let tms = [UInt8](repeating: 0, count: bytes.count)
        let tdi = bytes.map(reversedBits)
        try tdi.withBytes { (t) throws(TapWalkerError) in
            try tms.withBytes { (m) throws(TapWalkerError) in try clock(bits: bytes.count * 8, tms: m, tdi: t, tdo: nil) }
        }
    }

    private func sendEncoded() throws(TapWalkerError) {
        guard !encoder.bytes.isEmpty else { return }
        try pipe.send(encoder.bytes)
        encoder.reset()
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        try flush()
        usleep(microseconds)
    }

    public func flush() throws(TapWalkerError) {
        try sendEncoded()
        try pipe.drainOut()
    }

    public func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 {
        let divisor = FTDIClockDivisor.divisor(for: hertz)
        try sendEncoded()
        try pipe.send([MPSSEEncoder.Opcode.setClockDivisor, UInt8(divisor & 0xFF), UInt8(divisor >> 8)])
        frequency = FTDIClockDivisor.frequency(divisor: divisor)
        return frequency
    }

    public func close() {
        try? flush()
        FTDIChip.stop(device, interface: interface)
        pipe.abandon()
        device.close()
    }
}
