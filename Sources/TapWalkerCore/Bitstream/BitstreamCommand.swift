/// The ECP5 bitstream commands: 8-bit opcode, 24 info bits, then operands (big-endian).
/// Info bit 23 (the MSB of the first info byte) means "a CRC16 follows".
///
/// Source: docs/ecp5.md §3 (Project Trellis's bitstream description, checked against Diamond and
/// ecppack output). One table for the validator and
/// for the simulated device.
public struct BitstreamCommand: Sendable {
    public enum Layout: Sendable {
        /// `operandBytes` bytes after the 3 info bytes, then a CRC16 if info bit 23 is set.
        case fixed(operandBytes: Int)
        /// Configuration frames (0x82 uncompressed, 0xB8 compressed): info = flags + 16-bit count.
        case frames(compressed: Bool)
        /// EBR initialisation frames of 9 bytes: info = flags + 16-bit count.
        case ebrFrames
    }

    public let opcode: UInt8
    public let name: String
    public let layout: Layout

    public static let resetCRC: UInt8 = 0x3B
    public static let verifyID: UInt8 = 0xE2
    public static let writeCompressionDictionary: UInt8 = 0x02
    public static let programControl0: UInt8 = 0x22
    public static let initAddress: UInt8 = 0x46
    public static let writeAddress: UInt8 = 0xB4
    public static let programIncrementRTI: UInt8 = 0x82
    public static let programIncrementCompressed: UInt8 = 0xB8
    public static let programSEDCRC: UInt8 = 0xA2
    public static let programUserCode: UInt8 = 0xC2
    public static let programSecurity: UInt8 = 0xCE
    public static let ebrAddress: UInt8 = 0xF6
    public static let ebrWrite: UInt8 = 0xB2
    public static let programDone: UInt8 = 0x5E
    public static let spiMode: UInt8 = 0x79
    public static let jump: UInt8 = 0x7E
    /// 0xFF at command position is a dummy byte: ignored and not part of any CRC.
    public static let dummy: UInt8 = 0xFF

    public static let all: [BitstreamCommand] = [
        BitstreamCommand(opcode: resetCRC, name: "LSC_RESET_CRC", layout: .fixed(operandBytes: 0)),
        BitstreamCommand(opcode: verifyID, name: "VERIFY_ID", layout: .fixed(operandBytes: 4)),
        BitstreamCommand(opcode: writeCompressionDictionary, name: "LSC_WRITE_COMP_DIC", layout: .fixed(operandBytes: 8)),
        BitstreamCommand(opcode: programControl0, name: "LSC_PROG_CNTRL0", layout: .fixed(operandBytes: 4)),
        BitstreamCommand(opcode: initAddress, name: "LSC_INIT_ADDRESS", layout: .fixed(operandBytes: 0)),
        BitstreamCommand(opcode: writeAddress, name: "LSC_WRITE_ADDRESS", layout: .fixed(operandBytes: 4)),
        BitstreamCommand(opcode: programIncrementRTI, name: "LSC_PROG_INCR_RTI", layout: .frames(compressed: false)),
        BitstreamCommand(opcode: programIncrementCompressed, name: "LSC_PROG_INCR_CMP", layout: .frames(compressed: true)),
        BitstreamCommand(opcode: programSEDCRC, name: "LSC_PROG_SED_CRC", layout: .fixed(operandBytes: 4)),
        BitstreamCommand(opcode: programUserCode, name: "ISC_PROGRAM_USERCODE", layout: .fixed(operandBytes: 4)),
        BitstreamCommand(opcode: programSecurity, name: "ISC_PROGRAM_SECURITY", layout: .fixed(operandBytes: 0)),
        BitstreamCommand(opcode: ebrAddress, name: "LSC_EBR_ADDRESS", layout: .fixed(operandBytes: 4)),
        BitstreamCommand(opcode: ebrWrite, name: "LSC_EBR_WRITE", layout: .ebrFrames),
        BitstreamCommand(opcode: programDone, name: "ISC_PROGRAM_DONE", layout: .fixed(operandBytes: 0)),
        BitstreamCommand(opcode: spiMode, name: "SPI_MODE", layout: .fixed(operandBytes: 0)),
        BitstreamCommand(opcode: jump, name: "JUMP", layout: .fixed(operandBytes: 4)),
    ]

    private static let byOpcode: [BitstreamCommand?] = {
        var t = [BitstreamCommand?](repeating: nil, count: 256)
        for c in all { t[Int(c.opcode)] = c }
        return t
    }()

    public static func with(opcode: UInt8) -> BitstreamCommand? { byOpcode[Int(opcode)] }

    /// The bitstream preamble (after the optional comment header): FF FF BD B3.
    public static let preamble: UInt32 = 0xFFFF_BDB3

    /// EBR frames are 72 bits: eight 9-bit words.
    public static let ebrFrameBytes = 9
}
