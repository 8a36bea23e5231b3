/// SPI NOR flash chips found behind ECP5 boards: the table both the flash driver and the simulated
/// flash read. Sources: the makers' data sheets (Winbond W25Q128JV, ISSI IS25LP128F, Macronix
/// MX25L12833F, ISSI IS25LP032D, Cypress S25FL164K) and Winbond's W25Q32JV Verilog model. Values the
/// data sheets do not give are marked (?)
/// and chosen on the slow side: a longer typical time makes the simulator stricter, a longer
/// maximum makes the programmer's timeouts safer.
public struct FlashChip: Sendable {
    /// Lower-case identifier used by `sim:flash=NAME`.
    public let id: String
    public let name: String
    /// Manufacturer, memory type, capacity: the three bytes of RDID (0x9F).
    public let jedecID: UInt32
    /// Alternative JEDEC IDs of the same chip (e.g. Winbond's -IM/DTR parts).
    public let otherJEDECIDs: [UInt32]
    public let size: Int
    public let pageSize: Int
    public let erases: [EraseKind]
    public let chipErase: Timing
    public let pageProgram: Timing
    public let writeStatus: Timing
    public let protection: ProtectionScheme

    /// Typical and maximum duration of an operation, in microseconds.
    public struct Timing: Sendable {
        public let typical: UInt32
        public let maximum: UInt32
    }

    /// One erase granule: its size, opcode and time.
    public struct EraseKind: Sendable {
        public let size: Int
        public let opcode: UInt8
        public let timing: Timing
    }

    public static let sectorSize = 4096

    public func erase(size: Int) -> EraseKind? {
        for e in erases where e.size == size { return e }
        return nil
    }

    public static func with(jedecID: UInt32) -> FlashChip? {
        for c in all where c.jedecID == jedecID || c.otherJEDECIDs.contains(jedecID) { return c }
        return nil
    }

    public static func named(_ text: String) -> FlashChip? {
        let key = ASCII.lowercased(text)
        for c in all where ASCII.lowercased(c.id) == key { return c }
        return nil
    }

    private static func t(_ typical: UInt32, _ maximum: UInt32) -> Timing { Timing(typical: typical, maximum: maximum) }

    private static func erases(_ e4: Timing, _ e32: Timing, _ e64: Timing, sector: UInt8 = 0x20) -> [EraseKind] {
        [EraseKind(size: 4096, opcode: sector, timing: e4),
         EraseKind(size: 32768, opcode: 0x52, timing: e32),
         EraseKind(size: 65536, opcode: 0xD8, timing: e64)]
    }

    public static let all: [FlashChip] = [
        // W25Q128JV: the data sheet's typical/maximum figures.
        FlashChip(id: "w25q128jv", name: "Winbond W25Q128JV", jedecID: 0xEF4018, otherJEDECIDs: [0xEF7018],
                  size: 16 << 20, pageSize: 256,
                  erases: erases(t(45_000, 400_000), t(120_000, 1_600_000), t(150_000, 2_000_000)),
                  chipErase: t(40_000_000, 200_000_000), pageProgram: t(700, 3_000), writeStatus: t(10_000, 15_000),
                  protection: .winbond),
        // IS25LP128F: PP ≤ 0.8 ms and the erases from the data sheet; (?) PP typical, chip erase, WRSR.
        FlashChip(id: "is25lp128", name: "ISSI IS25LP128", jedecID: 0x9D6018, otherJEDECIDs: [],
                  size: 16 << 20, pageSize: 256,
                  erases: erases(t(70_000, 300_000), t(100_000, 500_000), t(150_000, 1_000_000)),
                  chipErase: t(45_000_000, 180_000_000), pageProgram: t(800, 3_000), writeStatus: t(10_000, 15_000),
                  protection: .issi),
        // (?) Timings: W25Q128JV figures, the slowest of the table, until checked against the data sheet.
        FlashChip(id: "mx25l12833f", name: "Macronix MX25L12833F", jedecID: 0xC22018, otherJEDECIDs: [],
                  size: 16 << 20, pageSize: 256,
                  erases: erases(t(45_000, 400_000), t(120_000, 1_600_000), t(150_000, 2_000_000)),
                  chipErase: t(40_000_000, 200_000_000), pageProgram: t(700, 3_000), writeStatus: t(10_000, 15_000),
                  protection: .macronix),
        // (?) Timings as IS25LP128.
        FlashChip(id: "is25lp032", name: "ISSI IS25LP032D", jedecID: 0x9D6016, otherJEDECIDs: [],
                  size: 4 << 20, pageSize: 256,
                  erases: erases(t(70_000, 300_000), t(100_000, 500_000), t(150_000, 1_000_000)),
                  chipErase: t(12_000_000, 45_000_000), pageProgram: t(800, 3_000), writeStatus: t(10_000, 15_000),
                  protection: .issi),
        // (?) Timings as W25Q128JV; status registers laid out as Winbond's.
        FlashChip(id: "s25fl164k", name: "Cypress S25FL164K", jedecID: 0x014017, otherJEDECIDs: [],
                  size: 8 << 20, pageSize: 256,
                  erases: erases(t(45_000, 400_000), t(120_000, 1_600_000), t(150_000, 2_000_000)),
                  chipErase: t(20_000_000, 100_000_000), pageProgram: t(700, 3_000), writeStatus: t(10_000, 15_000),
                  protection: .winbond),
    ]
}
