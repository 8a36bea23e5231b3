/// Builds FTDI MPSSE command bytes for JTAG (docs/usb-cable-driver.md; FTDI AN_108).
///
/// TDI changes on the falling edge of TCK and TDO is sampled on the rising edge. Runs of TMS low
/// become byte shifts (up to 65,536 bytes per command) plus one bit shift for the rest; TMS moves
/// become TMS commands of up to 7 bits with TDI held at bit 7. A data shift leaves TMS where the last
/// TMS command put it, so the encoder tracks the TMS pin and lets a TMS command end in the low bit a
/// following run starts with.
public struct MPSSEEncoder {
    public enum Opcode {
        /// Bytes, LSB first, TDI out on the falling edge; `| readTDO` also reads TDO on the rising edge.
        public static let bytesOut: UInt8 = 0x19
        /// Bits, LSB first, TDI out on the falling edge.
        public static let bitsOut: UInt8 = 0x1B
        /// Bytes, MSB first, TDI out on the falling edge (the bulk path: no bit reversal needed).
        public static let bytesOutMSBFirst: UInt8 = 0x11
        /// TMS bits (TDI held at bit 7), TMS out on the falling edge.
        public static let tmsOut: UInt8 = 0x4B
        public static let readTDO: UInt8 = 0x20
        public static let setLowByte: UInt8 = 0x80
        public static let setClockDivisor: UInt8 = 0x86
        public static let sendImmediate: UInt8 = 0x87
        public static let divideBy5Off: UInt8 = 0x8A
        public static let threePhaseOff: UInt8 = 0x8D
        public static let loopbackOff: UInt8 = 0x85
        public static let adaptiveOff: UInt8 = 0x97
    }

    /// JTAG on the low byte: TCK bit 0, TDI bit 1, TDO bit 2 (input), TMS bit 3.
    public static let pinDirections: UInt8 = 0x0B
    static let tmsPin: UInt8 = 0x08

    public private(set) var bytes: [UInt8] = []
    /// Reply bytes the commands so far will produce.
    public private(set) var replyBytes = 0
    public private(set) var captures: [TDOCapture] = []
    /// The level of the TMS pin after the commands so far.
    public private(set) var tmsHigh = true

    public init() {}

    /// Clock divisor, prescaler, three-phase and adaptive clocking off, loopback off, then TCK low
    /// and TMS high (the TAP stays where it is until TMS is clocked).
    public static func setup(divisor: UInt16) -> [UInt8] {
        [Opcode.divideBy5Off, Opcode.adaptiveOff, Opcode.threePhaseOff, Opcode.loopbackOff,
         Opcode.setClockDivisor, UInt8(divisor & 0xFF), UInt8(divisor >> 8),
         Opcode.setLowByte, tmsPin, pinDirections]
    }

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        replyBytes = 0
        captures.removeAll(keepingCapacity: true)
    }

    /// Encodes `bits` TCK cycles; with `read`, TDO goes to bit `destination + i` of the call's vector.
    public mutating func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, read: Bool, destination: Int = 0) {
        var i = 0
        while i < bits {
            let run = bitAt(tms, i) ? 0 : lowRun(tms, from: i, limit: bits)
            if run >= 8 && !tmsHigh {
                shiftData(from: i, count: run, tdi: tdi, read: read, destination: destination)
                i += run
            } else {
                i += tmsCommand(from: i, limit: bits, tms: tms, tdi: tdi, read: read, destination: destination)
            }
        }
    }

    /// One TMS command from bit `from`: up to 7 bits with the same TDI, stopping before a long run of
    /// TMS low (a data shift) but keeping that run's first bit, so that TMS is low when it starts.
    private mutating func tmsCommand(
        from: Int, limit: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, read: Bool, destination: Int
    ) -> Int {
        let tdiLevel = bitAt(tdi, from)
        var value: UInt8 = tdiLevel ? 0x80 : 0
        var n = 0
        while n < 7, from + n < limit, bitAt(tdi, from + n) == tdiLevel {
            let k = from + n
            let high = bitAt(tms, k)
            if high { value |= UInt8(1) << UInt8(n) }
            n += 1
            // The first bit of a long low run ends the command (TMS is then low); a shift takes the rest.
            if !high, lowRun(tms, from: k, limit: min(limit, k + 8)) >= 8 { break }
        }
        bytes += [Opcode.tmsOut | (read ? Opcode.readTDO : 0), UInt8(n - 1), value]
        tmsHigh = bitAt(tms, from + n - 1)
        if read {
            captures.append(TDOCapture(replyBit: replyBytes * 8 + 8 - n, bits: n, destinationBit: destination + from))
            replyBytes += 1
        }
        return n
    }

    /// A run of TMS-low bits as byte shifts and one bit shift.
    private mutating func shiftData(from: Int, count: Int, tdi: UnsafeRawBufferPointer, read: Bool, destination: Int) {
        let op = read ? Opcode.readTDO : 0
        var done = 0
        while count - done >= 8 {
            let n = min((count - done) / 8, 65536)
            bytes += [Opcode.bytesOut | op, UInt8((n - 1) & 0xFF), UInt8((n - 1) >> 8)]
            let start = from + done
            if start & 7 == 0 {
                bytes += UnsafeRawBufferPointer(rebasing: tdi[(start >> 3)..<((start >> 3) + n)])
            } else {
                for k in 0..<n { bytes.append(byteAt(tdi, start + 8 * k)) }
            }
            if read {
                captures.append(TDOCapture(replyBit: replyBytes * 8, bits: 8 * n, destinationBit: destination + start))
                replyBytes += n
            }
            done += 8 * n
        }
        let rest = count - done
        if rest > 0 {
            var value: UInt8 = 0
            for k in 0..<rest where bitAt(tdi, from + done + k) { value |= UInt8(1) << UInt8(k) }
            bytes += [Opcode.bitsOut | op, UInt8(rest - 1), value]
            if read {
                captures.append(TDOCapture(replyBit: replyBytes * 8 + 8 - rest, bits: rest, destinationBit: destination + from + done))
                replyBytes += 1
            }
        }
    }

    /// Shift-DR bytes, MSB first, TDO ignored. The TAP must be in Shift-DR with TMS low.
    public mutating func shiftMSBFirst(_ data: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < data.count {
            let n = min(data.count - offset, 65536)
            bytes += [Opcode.bytesOutMSBFirst, UInt8((n - 1) & 0xFF), UInt8((n - 1) >> 8)]
            bytes += UnsafeRawBufferPointer(rebasing: data[offset..<(offset + n)])
            offset += n
        }
    }

    /// Asks the chip to send its buffered replies now rather than when its latency timer expires.
    public mutating func sendImmediate() { bytes.append(Opcode.sendImmediate) }
}

/// Eight bits of an LSB-first vector starting at any bit.
@inline(__always)
func byteAt(_ v: UnsafeRawBufferPointer, _ bit: Int) -> UInt8 {
    let s = UInt8(bit & 7)
    let lo = v[bit >> 3] >> s
    if s == 0 { return lo }
    let hiIndex = (bit >> 3) + 1
    let hi: UInt8 = hiIndex < v.count ? v[hiIndex] << (8 - s) : 0
    return lo | hi
}
