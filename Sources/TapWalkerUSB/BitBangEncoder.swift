/// Builds FT231X synchronous bit-bang bytes for JTAG on the ULX3S's pin map (docs/usb-cable-driver.md):
/// TMS on DCD, TCK on DSR, TDI on RI (outputs), TDO on CTS (input).
///
/// Each TCK cycle is two bytes, TCK low with TMS and TDI set, then TCK high. In synchronous
/// bit-bang the chip answers every byte with the pins as they were just before it applied that byte,
/// so the answer to the TCK-high byte holds TDO as the rising edge samples it.
public struct BitBangEncoder {
    public static let tms: UInt8 = 0x40
    public static let tck: UInt8 = 0x20
    public static let tdi: UInt8 = 0x80
    public static let tdo: UInt8 = 0x08
    public static let outputs: UInt8 = tms | tck | tdi

    public private(set) var bytes: [UInt8] = []
    /// Runs of TDO bits to pick from the answer: the index of the first cycle's TCK-high byte, the
    /// bits, and where they go in the call's TDO vector.
    public private(set) var reads: [(byte: Int, bits: Int, destination: Int)] = []

    public init() {}

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        reads.removeAll(keepingCapacity: true)
    }

    public mutating func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, read: Bool, destination: Int = 0) {
        if read { reads.append((bytes.count + 1, bits, destination)) }
        bytes.reserveCapacity(bytes.count + 2 * bits)
        for i in 0..<bits {
            let level = (bitAt(tms, i) ? Self.tms : 0) | (bitAt(tdi, i) ? Self.tdi : 0)
            bytes.append(level)
            bytes.append(level | Self.tck)
        }
    }

    /// Shift-DR bytes MSB first with TMS low.
    public mutating func shiftMSBFirst(_ data: UnsafeRawBufferPointer) {
        bytes.reserveCapacity(bytes.count + 16 * data.count)
        for b in data {
            var m: UInt8 = 0x80
            while m != 0 {
                let level = b & m != 0 ? Self.tdi : 0
                bytes.append(level)
                bytes.append(level | Self.tck)
                m >>= 1
            }
        }
    }

    /// Copies the TDO bits of `reads` out of `answer` (one byte per byte written) into `tdo`.
    public func scatter(_ answer: UnsafeRawBufferPointer, into tdo: UnsafeMutableRawBufferPointer) {
        for r in reads {
            for k in 0..<r.bits {
                let d = r.destination + k
                if answer[r.byte + 2 * k] & Self.tdo != 0 { tdo[d >> 3] |= UInt8(1) << UInt8(d & 7) } else { tdo[d >> 3] &= ~(UInt8(1) << UInt8(d & 7)) }
            }
        }
    }
}
