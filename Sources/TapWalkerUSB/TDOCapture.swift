/// Where TDO bits a probe returns go in the caller's TDO vector.
///
/// Every USB cable encodes a call to `Cable.clock` into the probe's commands and remembers, for each
/// command that captures TDO, which bits of the probe's reply hold it. Bits are numbered LSB first
/// within each reply byte (bit 0 of byte 0 is 0), or MSB first when `msbFirst` (DirtyJTAG).
public struct TDOCapture: Equatable, Sendable {
    /// The first bit in the reply payload.
    public var replyBit: Int
    public var bits: Int
    /// The first bit in the TDO vector of the call.
    public var destinationBit: Int
    public var msbFirst: Bool

    public init(replyBit: Int, bits: Int, destinationBit: Int, msbFirst: Bool = false) {
        self.replyBit = replyBit
        self.bits = bits
        self.destinationBit = destinationBit
        self.msbFirst = msbFirst
    }

    /// Copies this capture's bits from `reply` into `tdo` (LSB-first vector, as `Cable.clock` packs it).
    public func scatter(_ reply: UnsafeRawBufferPointer, into tdo: UnsafeMutableRawBufferPointer) {
        for i in 0..<bits {
            let r = replyBit + i
            let shift = msbFirst ? 7 - (r & 7) : (r & 7)
            let bit = (reply[r >> 3] >> UInt8(shift)) & 1
            let d = destinationBit + i
            if bit != 0 { tdo[d >> 3] |= UInt8(1) << UInt8(d & 7) } else { tdo[d >> 3] &= ~(UInt8(1) << UInt8(d & 7)) }
        }
    }
}

/// Bit `i` of an LSB-first vector, as `Cable.clock` packs TMS, TDI and TDO.
@inline(__always)
func bitAt(_ v: UnsafeRawBufferPointer, _ i: Int) -> Bool {
    (v[i >> 3] >> UInt8(i & 7)) & 1 != 0
}

/// The length of the run of TMS-low bits starting at `from` (at most `limit` bits).
func lowRun(_ tms: UnsafeRawBufferPointer, from: Int, limit: Int) -> Int {
    var j = from
    while j < limit, !bitAt(tms, j) {
        // Whole zero bytes at once: bulk data shifts are long runs of TMS low.
        if j & 7 == 0, j + 8 <= limit, tms[j >> 3] == 0 { j += 8; continue }
        j += 1
    }
    return j - from
}
