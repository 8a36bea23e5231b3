import Glibc
import TapWalkerCore

/// A CMSIS-DAP v2 probe through its bulk interface (`--cable cmsis-dap`).
///
/// DAP_Info tells the packet size and how many packets the probe buffers; JTAG traffic goes out as
/// DAP_JTAG_Sequence packets filled to that size, with up to that many in flight.
public final class CMSISDAPCable: Cable {
    let device: USBDeviceHandle
    let probe: PacketProbe
    private var stream: PacketStream<CMSISDAPEncoder>
    public private(set) var frequency: UInt32 = 0
    public let packetSize: Int
    public let packetCount: Int
    public var pipe: USBBulkPipe { probe.pipe }

    public init(device: USBDeviceHandle, tck: UInt32) throws(TapWalkerError) {
        self.device = device
        guard let interface = device.findInterface(named: { $0.uppercased().contains("CMSIS-DAP") }),
              let ep = device.bulkEndpoints(interface) else {
            throw TapWalkerError(.cable, "\(device.info.summary) has no CMSIS-DAP v2 bulk interface (a v1 probe speaks HID, which TapWalker does not drive)")
        }
        try device.claim(interface)
        let pipe = USBBulkPipe(device: device, input: ep.input, output: ep.output, packetSize: ep.packetSize, maximumInFlight: 1)
        let setup = PacketProbe(pipe: pipe, window: 1) { _ in nil }
        let size = try Self.info(setup, CMSISDAPEncoder.infoPacketSize, device)
        let count = try Self.info(setup, CMSISDAPEncoder.infoPacketCount, device)
        packetSize = min(max(size, 64), 1024)
        packetCount = max(1, min(count, 16))
        let fullPipe = USBBulkPipe(device: device, input: ep.input, output: ep.output, packetSize: packetSize, maximumInFlight: packetCount)
        probe = PacketProbe(pipe: fullPipe, window: packetCount) { reply in
            reply[0] != CMSISDAPEncoder.Command.jtagSequence || reply[1] != 0
                ? "refused a JTAG sequence (reply \(reply[0]) \(reply[1]))" : nil
        }
        stream = PacketStream(probe: probe, encoder: CMSISDAPEncoder(packetSize: packetSize))
        let connected = try probe.request(CMSISDAPEncoder.connectJTAG())
        guard connected.count >= 2, connected[0] == CMSISDAPEncoder.Command.connect, connected[1] == CMSISDAPEncoder.portJTAG else {
            throw TapWalkerError(.cable, "\(device.info.summary) refused DAP_Connect in JTAG mode; it may support SWD only")
        }
        _ = try setFrequency(tck)
    }

    /// A DAP_Info value of one or two bytes.
    private static func info(_ probe: PacketProbe, _ id: UInt8, _ device: USBDeviceHandle) throws(TapWalkerError) -> Int {
        let r = try probe.request(CMSISDAPEncoder.infoRequest(id))
        guard r.count >= 3, r[0] == CMSISDAPEncoder.Command.info, r[1] >= 1, r.count >= 2 + Int(r[1]) else {
            throw TapWalkerError(.cable, "\(device.info.summary) did not answer DAP_Info; it is not a CMSIS-DAP v2 probe")
        }
        return r[1] == 1 ? Int(r[2]) : Int(r[2]) | Int(r[3]) << 8
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

    public func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 {
        try flush()
        let r = try probe.request(CMSISDAPEncoder.swjClock(hertz))
        guard r.count >= 2, r[0] == CMSISDAPEncoder.Command.swjClock, r[1] == 0 else {
            throw TapWalkerError(.cable, "\(device.info.summary) refused TCK \(hertz) Hz (DAP_SWJ_Clock)")
        }
        frequency = hertz
        return hertz
    }

    public func close() {
        try? flush()
        _ = try? probe.request([CMSISDAPEncoder.Command.disconnect])
        pipe.abandon()
        device.close()
    }
}
