import Glibc
import TapWalkerCore

/// What a command-packet probe's encoder offers: JTAG cycles turned into packets, and the packets
/// taken when they are due. CMSIS-DAP and DirtyJTAG encode differently but stream the same way.
public protocol JTAGPacketEncoder {
    var packets: [USBPacket] { get }
    mutating func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, read: Bool, destination: Int)
    mutating func shiftMSBFirst(_ data: UnsafeRawBufferPointer)
    /// Closes the packet being filled and hands over every packet encoded so far.
    mutating func takePackets() -> [USBPacket]
}

extension CMSISDAPEncoder: JTAGPacketEncoder {}
extension DirtyJTAGEncoder: JTAGPacketEncoder {}

/// The `Cable` traffic of a command-packet probe, written once: cycles collect in packets, which go
/// out when 64 are ready (writes stay in flight up to the probe's window) or when TDO is wanted (the
/// packets before it first, so that the replies read are the ones that carry it).
struct PacketStream<Encoder: JTAGPacketEncoder> {
    let probe: PacketProbe
    var encoder: Encoder
    private(set) var cycles: UInt64 = 0
    /// Packets encoded before they are sent: enough to keep the probe's window full.
    static var batch: Int { 64 }

    init(probe: PacketProbe, encoder: Encoder) {
        self.probe = probe
        self.encoder = encoder
    }

    mutating func clock(
        bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError) {
        cycles += UInt64(bits)
        if tdo != nil { try probe.send(encoder.takePackets(), tdo: nil) }
        encoder.clock(bits: bits, tms: tms, tdi: tdi, read: tdo != nil, destination: 0)
        if tdo != nil || encoder.packets.count >= Self.batch { try probe.send(encoder.takePackets(), tdo: tdo) }
    }

    mutating func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        cycles += UInt64(bytes.count) * 8
        encoder.shiftMSBFirst(bytes)
        if encoder.packets.count >= Self.batch { try probe.send(encoder.takePackets(), tdo: nil) }
    }

    mutating func wait(microseconds: UInt32) throws(TapWalkerError) {
        try flush()
        usleep(microseconds)
    }

    mutating func flush() throws(TapWalkerError) {
        try probe.send(encoder.takePackets(), tdo: nil)
        try probe.drain()
    }
}
