/// The SPI NOR commands TapWalker sends and the simulated flash answers: one table for both, so the
/// driver and the model cannot disagree on a byte. Erase opcodes per block size are in the chip
/// table (`FlashChip.EraseKind`), because they differ between makers. Values from the chips' data
/// sheets (Winbond W25Q128JV, ISSI IS25LP128F, Macronix MX25L12833F).
public enum SPIOpcode {
    public static let writeEnable: UInt8 = 0x06
    public static let writeDisable: UInt8 = 0x04
    /// Winbond: makes the next status write volatile.
    public static let volatileWriteEnable: UInt8 = 0x50
    public static let readStatus: UInt8 = 0x05
    /// Winbond status register 2; on ISSI and Macronix the same byte enters QPI mode.
    public static let readStatus2: UInt8 = 0x35
    /// Winbond status register 3; Macronix configuration register.
    public static let readStatus3: UInt8 = 0x15
    public static let readConfig: UInt8 = 0x15
    public static let writeStatus: UInt8 = 0x01
    public static let writeStatus2: UInt8 = 0x31
    public static let writeStatus3: UInt8 = 0x11
    /// ISSI function register (holds the one-time TBS bit).
    public static let readFunction: UInt8 = 0x48
    public static let writeFunction: UInt8 = 0x42
    public static let jedecID: UInt8 = 0x9F
    public static let manufacturerDevice: UInt8 = 0x90
    public static let releasePowerDown: UInt8 = 0xAB
    public static let powerDown: UInt8 = 0xB9
    public static let uniqueID: UInt8 = 0x4B
    public static let resetEnable: UInt8 = 0x66
    public static let reset: UInt8 = 0x99
    /// Leaves QPI mode (ISSI, Macronix).
    public static let exitQPI: UInt8 = 0xF5
    /// Leaves continuous-read mode (all ones while CS is low).
    public static let continuousReadReset: UInt8 = 0xFF
    public static let read: UInt8 = 0x03
    public static let fastRead: UInt8 = 0x0B
    public static let pageProgram: UInt8 = 0x02
    public static let chipErase: UInt8 = 0xC7
    public static let chipEraseAlternative: UInt8 = 0x60
    /// ISSI's second 4 KB sector erase.
    public static let sectorEraseISSI: UInt8 = 0xD7
    public static let sfdp: UInt8 = 0x5A
}
