import TapWalkerCore

/// Builds small synthetic bitstreams command by command, with correct CRCs unless told otherwise.
struct BitstreamBuilder {
    private(set) var bytes: [UInt8] = [0xFF, 0x00] + Array("Part: test".utf8) + [0x00, 0xFF, 0xFF, 0xFF, 0xBD, 0xB3]
    private var crc = CRC16()

    mutating func raw(_ b: [UInt8]) {
        bytes += b
        for x in b { crc.update(x) }
    }

    /// Opcode, 3 info bytes and operands; `checked` sets info bit 23 and appends the CRC16.
    mutating func command(_ op: UInt8, info: [UInt8] = [0, 0, 0], _ operands: [UInt8] = [], checked: Bool = false) {
        var i = info
        if checked { i[0] |= 0x80 }
        raw([op] + i + operands)
        if checked { appendCRC() }
    }

    mutating func appendCRC() {
        bytes += [UInt8(crc.value >> 8), UInt8(crc.value & 0xFF)]
        crc.reset()
    }

    mutating func resetCRC() {
        raw([0x3B, 0, 0, 0])
        crc.reset()
    }

    mutating func dummy(_ n: Int) { bytes += [UInt8](repeating: 0xFF, count: n) }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
}

/// The compression codes of docs/ecp5.md §3, written out independently of the engine's decoder.
struct FrameCompressor {
    let dictionary: [UInt8]  // index 0…7
    private var bits: [Bool] = []

    init(dictionary: [UInt8]) { self.dictionary = dictionary }

    mutating func put(_ value: Int, _ n: Int) { for k in stride(from: n - 1, through: 0, by: -1) { bits.append(value >> k & 1 == 1) } }

    mutating func compress(_ frame: [UInt8]) -> [UInt8] {
        bits = []
        for b in frame {
            if b == 0 { put(0, 1) }
            else if b.nonzeroBitCount == 1 { put(0b100, 3); put(b.trailingZeroBitCount, 3) }
            else if let i = dictionary.firstIndex(of: b) { put(0b101, 3); put(i, 3) }
            else { put(0b11, 2); put(Int(b), 8) }
        }
        while bits.count % 8 != 0 { bits.append(false) }
        return stride(from: 0, to: bits.count, by: 8).map { i in
            (0..<8).reduce(UInt8(0)) { $0 << 1 | (bits[i + $1] ? 1 : 0) }
        }
    }
}
