/// The optional comment header in front of a bitstream: `FF 00`, NUL-terminated ASCII strings
/// ("Part: LFE5U-85F-6CABGA381", "Bits: …", …), then `FF`. Tools may strip it; the device ignores it.
struct BitstreamHeaderReader {
    private(set) var strings: [String] = []
    private(set) var finished = false
    private var position = 0
    private var current: [UInt8] = []
    /// Strings longer than this are cut: the header is a comment, not a place to keep data.
    private let maxLength = 256

    mutating func consume(_ byte: UInt8) {
        guard !finished else { return }
        defer { position += 1 }
        switch position {
        case 0: if byte != 0xFF { finished = true }
        case 1: if byte != 0x00 { finished = true }
        default:
            if current.isEmpty && byte == 0xFF { finished = true; return }
            if byte == 0 {
                strings.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
                if strings.count >= 64 { finished = true }
            } else if current.count < maxLength {
                current.append(byte)
            }
        }
    }
}
