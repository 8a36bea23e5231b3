/// Builds CMSIS-DAP v2 command packets for JTAG (docs/usb-cable-driver.md; Arm's CMSIS-DAP
/// command reference). Bits go out as DAP_JTAG_Sequence commands, each packet filled to the probe's
/// packet size with sequences of up to 64 TCK cycles at one TMS level.
public struct CMSISDAPEncoder {
    public enum Command {
        public static let info: UInt8 = 0x00
        public static let connect: UInt8 = 0x02
        public static let disconnect: UInt8 = 0x03
        public static let swjClock: UInt8 = 0x11
        public static let jtagSequence: UInt8 = 0x14
    }
    /// DAP_Info IDs.
    public static let infoPacketCount: UInt8 = 0xFE
    public static let infoPacketSize: UInt8 = 0xFF
    /// DAP_Connect port 2 is JTAG.
    public static let portJTAG: UInt8 = 2

    public let packetSize: Int
    public private(set) var packets: [USBPacket] = []
    private var current = USBPacket()
    private var sequenceCount = 0

    public init(packetSize: Int) { self.packetSize = max(packetSize, 12) }

    public static func infoRequest(_ id: UInt8) -> [UInt8] { [Command.info, id] }
    public static func connectJTAG() -> [UInt8] { [Command.connect, portJTAG] }
    public static func swjClock(_ hertz: UInt32) -> [UInt8] {
        [Command.swjClock, UInt8(hertz & 0xFF), UInt8(hertz >> 8 & 0xFF), UInt8(hertz >> 16 & 0xFF), UInt8(hertz >> 24)]
    }

    /// Encodes `bits` TCK cycles; with `read`, TDO goes to bit `destination + i` of the call's vector.
    public mutating func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, read: Bool, destination: Int = 0) {
        var i = 0
        while i < bits {
            let high = bitAt(tms, i)
            var n = 1
            while n < 64, i + n < bits, bitAt(tms, i + n) == high { n += 1 }
            n = fit(n)
            var info = UInt8(n & 63) | (high ? 0x40 : 0)
            if read { info |= 0x80 }
            current.bytes.append(info)
            appendBits(tdi, from: i, count: n)
            capture(read, bits: n, destination: destination + i)
            i += n
        }
    }

    /// Shift-DR bytes MSB first with TMS low, TDO ignored: 64-bit sequences of reversed bytes.
    public mutating func shiftMSBFirst(_ data: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < data.count {
            let n = fit(min(64, (data.count - offset) * 8)) / 8 * 8
            current.bytes.append(UInt8(n & 63))
            for k in 0..<(n / 8) { current.bytes.append(reversedBits(data[offset + k])) }
            sequenceCount += 1
            offset += n / 8
        }
    }

    /// Closes the packet being filled; `packets` then holds everything encoded so far.
    public mutating func finish() {
        guard sequenceCount > 0 else { return }
        current.bytes[1] = UInt8(sequenceCount)
        current.replyLength += 2
        packets.append(current)
        current = USBPacket()
        sequenceCount = 0
    }

    public mutating func takePackets() -> [USBPacket] {
        finish()
        defer { packets.removeAll(keepingCapacity: true) }
        return packets
    }

    /// Opens a packet when needed and returns how many of `n` bits the next sequence can carry
    /// (at least 8 when `n` is, so that byte-wise callers always advance).
    private mutating func fit(_ n: Int) -> Int {
        if sequenceCount == 255 || packetSize - current.bytes.count < 2 + min(n, 8) / 8 { finish() }
        if sequenceCount == 0 && current.bytes.isEmpty { current.bytes = [Command.jtagSequence, 0] }
        let room = (packetSize - current.bytes.count - 1) * 8
        return min(n, room)
    }

    private mutating func appendBits(_ v: UnsafeRawBufferPointer, from: Int, count: Int) {
        for k in stride(from: 0, to: count, by: 8) {
            var b = byteAt(v, from + k)
            if count - k < 8 { b &= UInt8((1 << (count - k)) - 1) }
            current.bytes.append(b)
        }
        sequenceCount += 1
    }

    private mutating func capture(_ read: Bool, bits: Int, destination: Int) {
        guard read else { return }
        // Reply: 0x14, status, then each capturing sequence's TDO bytes, LSB first.
        current.captures.append(TDOCapture(replyBit: (2 + current.replyLength) * 8, bits: bits, destinationBit: destination))
        current.replyLength += (bits + 7) / 8
    }
}

@inline(__always)
func reversedBits(_ b: UInt8) -> UInt8 {
    var x = b
    x = (x & 0xF0) >> 4 | (x & 0x0F) << 4
    x = (x & 0xCC) >> 2 | (x & 0x33) << 2
    x = (x & 0xAA) >> 1 | (x & 0x55) << 1
    return x
}
