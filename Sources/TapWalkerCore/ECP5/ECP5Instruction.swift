/// ECP5 JTAG instructions (8-bit IR), as Lattice Diamond's SVF files and the open ECP5 tools
/// (openFPGALoader, ecpprog) send them.
public enum ECP5Instruction: UInt8, CaseIterable, Sendable {
    case readID = 0xE0
    case userCode = 0xC0
    case preload = 0x1C
    case iscEnable = 0xC6
    case iscErase = 0x0E
    case initAddress = 0x46
    case bitstreamBurst = 0x7A
    case iscDisable = 0x26
    case readStatus = 0x3C
    case checkBusy = 0xF0
    case refresh = 0x79
    case iscEnableX = 0x74
    case progSPI = 0x3A
    case programUserCode = 0xC2
    case resetCRC = 0x3B
    case verifyID = 0xE2
    case user1 = 0x32
    case user2 = 0x38
    case bypass = 0xFF

    /// IR length of the ECP5.
    public static let length = 8
    /// What Capture-IR loads: 0x05 (bit 0 = 1 and bit 1 = 0, as IEEE 1149.1 requires).
    public static let captureValue: UInt32 = 0x05
    /// The 16-bit key that opens the SPI bridge, shifted LSB first (Diamond: SDR 16 TDI(68FE)).
    public static let spiKey: UInt16 = 0x68FE
}
