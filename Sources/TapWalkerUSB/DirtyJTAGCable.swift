import Glibc
import TapWalkerCore

/// A DirtyJTAG 2 probe (`--cable dirtyjtag`, 1209:C0CA).
///
/// Each packet is one bulk transfer (the firmware takes a transfer as one command packet), four in
/// flight; the reply of a packet that reads TDO is read before the call returns.
public final class DirtyJTAGCable: Cable {
    let device: USBDeviceHandle
    let probe: PacketProbe
    private var stream: PacketStream<DirtyJTAGEncoder>
    public private(set) var frequency: UInt32 = 0
    public let version: String
    public var pipe: USBBulkPipe { probe.pipe }

    public init(device: USBDeviceHandle, tck: UInt32) throws(TapWalkerError) {
        self.device = device
        try device.claim(0)
        guard let ep = device.bulkEndpoints(0) else {
            throw TapWalkerError(.cable, "\(device.info.summary) has no bulk endpoints on interface 0; it is not a DirtyJTAG probe")
        }
        let pipe = USBBulkPipe(device: device, input: ep.input, output: ep.output, packetSize: DirtyJTAGEncoder.packetSize,
                               transferSize: 4096, maximumInFlight: 4)
        probe = PacketProbe(pipe: pipe, window: 1) { _ in nil }
        stream = PacketStream(probe: probe, encoder: DirtyJTAGEncoder())
        let info = try probe.request([DirtyJTAGEncoder.Command.info, DirtyJTAGEncoder.Command.stop])
        version = String(decoding: info.prefix(6), as: UTF8.self)
        // CMD_XFER's NO_READ and EXTEND_LENGTH modifiers, which this driver relies on, came with version 2.
        guard version == "DJTAG2" || version == "DJTAG3" else {
            throw TapWalkerError(.cable, "\(device.info.summary) answered CMD_INFO with '\(version)'; TapWalker needs DirtyJTAG 2 or newer firmware (DJTAG2); update the probe")
        }
        _ = try setFrequency(tck)
    }

    public var statistics: CableStatistics { CableStatistics(tckCycles: stream.cycles) }

    public func clock(
        bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError) {
        try stream.clock(bits: bits, tms: tms, tdi: tdi, tdo: tdo)
    }

    public func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try stream.shiftBytesMSBFirst(bytes)
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) { try stream.wait(microseconds: microseconds) }

    public func flush() throws(TapWalkerError) { try stream.flush() }

    /// CMD_FREQ takes kHz; the probe clocks as close to it as it can.
    public func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 {
        try flush()
        try probe.pipe.send(DirtyJTAGEncoder.frequency(hertz))
        try probe.drain()
        frequency = max(1000, hertz / 1000 * 1000)
        return frequency
    }

    public func close() {
        try? flush()
        pipe.abandon()
        device.close()
    }
}
