/// JEDEC JESD216 Serial Flash Discoverable Parameters: what a chip TapWalker has no table row for
/// says about itself. Only what writing needs is read (size, erase types); SFDP 1.0 carries no
/// timings, so the ones used are generous (polling ends an operation as soon as the chip is done).
public enum SFDP {
    static let readOpcode = SPIOpcode.sfdp

    /// A chip description from the SFDP basic flash parameter table, or nil when the chip has no
    /// valid table or no 4 KB erase (the compare-first writer works in 4 KB sectors).
    public static func chip(jedecID: UInt32, bus: any SPIBus) throws(TapWalkerError) -> FlashChip? {
        func read(_ address: Int, _ count: Int) throws(TapWalkerError) -> [UInt8] {
            try bus.transfer([readOpcode, UInt8(address >> 16 & 0xFF), UInt8(address >> 8 & 0xFF), UInt8(address & 0xFF), 0],
                             readCount: count)
        }
        let header = try read(0, 16)
        // "SFDP", then the first parameter header: ID 0x00 (JEDEC basic), minor, major, DWORDs, pointer.
        guard header[0] == 0x53, header[1] == 0x46, header[2] == 0x44, header[3] == 0x50,
              header[8] == 0x00, header[11] >= 9
        else { return nil }
        let pointer = Int(header[12]) | Int(header[13]) << 8 | Int(header[14]) << 16
        let table = try read(pointer, 36)
        func dword(_ i: Int) -> UInt32 {
            UInt32(table[4 * i]) | UInt32(table[4 * i + 1]) << 8 | UInt32(table[4 * i + 2]) << 16 | UInt32(table[4 * i + 3]) << 24
        }
        let density = dword(1)
        let bits = density & 0x8000_0000 == 0 ? UInt64(density) + 1 : UInt64(1) << UInt64(density & 0x7FFF_FFFF)
        guard bits >= 8 * 65536, bits <= 8 * (16 << 20) else { return nil }  // 3-byte addressing only
        var erases: [FlashChip.EraseKind] = []
        let generous: [Int: FlashChip.Timing] = [
            4096: FlashChip.Timing(typical: 50_000, maximum: 1_000_000),
            32768: FlashChip.Timing(typical: 150_000, maximum: 2_000_000),
            65536: FlashChip.Timing(typical: 250_000, maximum: 3_000_000),
        ]
        for type in 0..<4 {
            let word = dword(7 + type / 2) >> UInt32(16 * (type % 2))
            let exponent = Int(word & 0xFF)
            let opcode = UInt8(truncatingIfNeeded: word >> 8)
            guard exponent > 0, let timing = generous[1 << exponent] else { continue }
            erases.append(FlashChip.EraseKind(size: 1 << exponent, opcode: opcode, timing: timing))
        }
        guard erases.contains(where: { $0.size == 4096 }) else { return nil }
        return FlashChip(
            id: "sfdp", name: "SFDP flash \(ASCII.hex(jedecID, digits: 6))", jedecID: jedecID, otherJEDECIDs: [],
            size: Int(bits / 8), pageSize: 256, erases: erases,
            chipErase: FlashChip.Timing(typical: 60_000_000, maximum: 400_000_000),
            pageProgram: FlashChip.Timing(typical: 1_000, maximum: 5_000),
            writeStatus: FlashChip.Timing(typical: 15_000, maximum: 100_000), protection: .unknown)
    }
}
