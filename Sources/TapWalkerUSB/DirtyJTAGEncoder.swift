/// Builds DirtyJTAG 2 command packets (docs/usb-cable-driver.md). A packet is at most 64 bytes of
/// commands ended by CMD_STOP unless full. TMS-low runs go out as CMD_XFER (up to 496 bits, TDI MSB
/// first in each byte, TMS held low), TMS-high bits as CMD_CLK. A transfer ends its packet (the
/// firmware stops reading a packet's commands there; a reading one is answered by a reply packet of
/// its own); so does CMD_GETSIG, which reads the one TDO bit of a TMS-high cycle (after TCK rose, as TDO only changes
/// on the falling edge).
public struct DirtyJTAGEncoder {
    public enum Command {
        public static let stop: UInt8 = 0x00
        public static let info: UInt8 = 0x01
        public static let frequency: UInt8 = 0x02
        public static let transfer: UInt8 = 0x03
        public static let setSignals: UInt8 = 0x04
        public static let getSignals: UInt8 = 0x05
        public static let clock: UInt8 = 0x06
        /// CMD_XFER modifiers (DirtyJTAG 2): 256 added to the length byte; no TDO reply.
        public static let extendLength: UInt8 = 0x40
        public static let noRead: UInt8 = 0x80
    }
    public enum Signal {
        public static let tck: UInt8 = 0x02
        public static let tdi: UInt8 = 0x04
        public static let tdo: UInt8 = 0x08
        public static let tms: UInt8 = 0x10
    }
    public static let packetSize = 64
    public static let maximumTransferBits = 496

    public private(set) var packets: [USBPacket] = []
    private var current = USBPacket()

    public init() {}

    /// CMD_FREQ in kHz (at most 65,535).
    public static func frequency(_ hertz: UInt32) -> [UInt8] {
        let khz = UInt16(min(65535, max(1, hertz / 1000)))
        return [Command.frequency, UInt8(khz >> 8), UInt8(khz & 0xFF), Command.stop]
    }

    public mutating func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, read: Bool, destination: Int = 0) {
        var i = 0
        while i < bits {
            if !bitAt(tms, i) {
                var n = lowRun(tms, from: i, limit: min(bits, i + Self.maximumTransferBits))
                n = transfer(count: n, read: read, destination: destination + i) { k in byteAt(tdi, i + k) }
                i += n
            } else if read {
                readingHighCycle(tdi: bitAt(tdi, i), destination: destination + i)
                i += 1
            } else {
                let level = bitAt(tdi, i)
                var n = 1
                while n < 255, i + n < bits, bitAt(tms, i + n), bitAt(tdi, i + n) == level { n += 1 }
                append([Command.clock, Signal.tms | (level ? Signal.tdi : 0), UInt8(n)])
                i += n
            }
        }
    }

    /// Shift-DR bytes MSB first with TMS low, TDO ignored: CMD_XFER carries TDI MSB first already.
    public mutating func shiftMSBFirst(_ data: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < data.count {
            let n = min(Self.maximumTransferBits, (data.count - offset) * 8)
            let sent = transfer(count: n, read: false, destination: 0) { k in reversedBits(data[offset + k / 8]) }
            offset += sent / 8
        }
    }

    /// One CMD_XFER of up to `count` bits (fewer if the packet is nearly full, in whole bytes);
    /// `lsbByte(k)` gives bits k..k+7 LSB first. Returns the bits sent.
    private mutating func transfer(count: Int, read: Bool, destination: Int, _ lsbByte: (Int) -> UInt8) -> Int {
        if Self.packetSize - current.bytes.count < 3 { close() }
        let roomBits = (Self.packetSize - current.bytes.count - 2) * 8
        let n = count <= roomBits ? count : roomBits
        var op = Command.transfer | (read ? 0 : Command.noRead)
        if n > 255 { op |= Command.extendLength }
        current.bytes += [op, UInt8(n > 255 ? n - 256 : n)]
        for k in stride(from: 0, to: n, by: 8) {
            var b = reversedBits(lsbByte(k))
            if n - k < 8 { b &= UInt8(0xFF) << UInt8(8 - (n - k)) }
            current.bytes.append(b)
        }
        if read {
            current.captures.append(TDOCapture(replyBit: 0, bits: n, destinationBit: destination, msbFirst: true))
            current.replyLength = (n + 7) / 8
        }
        // The firmware ends a packet's command list at a transfer, reading or not.
        close()
        return n
    }

    /// A TMS-high cycle whose TDO is wanted: TCK low with TMS and TDI set, TCK high, read the pins;
    /// TCK goes low again at the start of the next packet.
    private mutating func readingHighCycle(tdi: Bool, destination: Int) {
        let mask = Signal.tck | Signal.tms | Signal.tdi
        let level = Signal.tms | (tdi ? Signal.tdi : 0)
        append([Command.setSignals, mask, level, Command.setSignals, mask, level | Signal.tck, Command.getSignals])
        current.captures.append(TDOCapture(replyBit: 3, bits: 1, destinationBit: destination))
        current.replyLength = 1
        close()
        append([Command.setSignals, Signal.tck, 0])
    }

    private mutating func append(_ command: [UInt8]) {
        if current.bytes.count + command.count > Self.packetSize - 1 { close() }
        current.bytes += command
    }

    /// Ends the packet being filled (CMD_STOP when there is room).
    public mutating func close() {
        guard !current.bytes.isEmpty else { return }
        if current.bytes.count < Self.packetSize { current.bytes.append(Command.stop) }
        packets.append(current)
        current = USBPacket()
    }

    public mutating func takePackets() -> [USBPacket] {
        close()
        defer { packets.removeAll(keepingCapacity: true) }
        return packets
    }
}
