import TapWalkerCore

/// The names STOR treats as targets rather than files (any case, with or without a leading "/"):
/// `fpga` programs the SRAM, `flash@ADDR` writes the configuration flash, `sd@ADDR` writes a raw
/// image to the SD card (ADDR a multiple of 512; negative counts from the end of the card).
/// ADDR is decimal or 0x-hex. They are not files: RETR, SIZE and the like refuse them.
public enum FTPDestination {
    case fpga
    case flash(address: Int)
    case sd(offset: Int)

    public static let sdBlock = SDCardWriter.blockSize

    /// The destination `argument` names, nil for an ordinary file; throws (501) when it names one
    /// with an address that cannot work.
    public static func parse(_ argument: [UInt8]) throws(TapWalkerError) -> FTPDestination? {
        var name = argument
        if name.first == UInt8(ascii: "/") { name.removeFirst() }
        if ASCII.equalFold(name, "fpga") { return .fpga }
        let lower = name.map(ASCII.fold)
        for (prefix, isFlash) in [("flash@", true), ("sd@", false)] where lower.starts(with: prefix.utf8) {
            let text = String(decoding: name.dropFirst(prefix.utf8.count), as: UTF8.self)
            guard let value = ASCII.parseInteger(text) else {
                throw TapWalkerError(.usage, "\(prefix)\(ASCII.printable(Array(text.utf8))): the address is not a number (decimal or 0x-hex); nothing was written")
            }
            if isFlash {
                guard value >= 0 else { throw TapWalkerError(.usage, "flash@\(value): a flash address cannot be negative; nothing was written") }
                return .flash(address: value)
            }
            guard value % sdBlock == 0 else {
                throw TapWalkerError(.usage, "sd@\(value): SD addresses are multiples of \(sdBlock) bytes; nothing was written")
            }
            return .sd(offset: value)
        }
        return nil
    }

    /// "fpga", "flash@0x200000", "sd@-8192".
    public var name: String {
        switch self {
        case .fpga: return "fpga"
        case .flash(let a): return "flash@" + ASCII.hex(UInt32(truncatingIfNeeded: a), digits: 6)
        case .sd(let o): return "sd@\(o)"
        }
    }
}
