import Testing
@testable import TapWalkerCore

private let w25q128 = FlashChip.named("w25q128jv")!

private func chip(_ erases: [FlashChip.EraseKind]) -> FlashChip {
    FlashChip(id: "test", name: "Test", jedecID: 0x123456, otherJEDECIDs: [], size: 1 << 20, pageSize: 256,
              erases: erases, chipErase: .init(typical: 1000, maximum: 2000),
              pageProgram: w25q128.pageProgram, writeStatus: .init(typical: 1000, maximum: 2000), protection: .unknown)
}

/// "4K@0x001000 32K@0x008000": the plan in a form that reads in a failure message.
private func plan(_ needs: [ErasePlan.Need], at address: Int, erasable: Range<Int>? = nil, on c: FlashChip = w25q128) -> String {
    let all = erasable ?? address..<(address + needs.count * FlashChip.sectorSize)
    var out: [String] = []
    for e in ErasePlan(chip: c).erases(for: needs, at: address, erasable: all) {
        out.append("\(e.kind.size / 1024)K@\(ASCII.hex(UInt32(e.address), digits: 6))")
    }
    return out.joined(separator: " ")
}

private func needs(_ text: String) -> [ErasePlan.Need] {
    text.map { $0 == "e" ? .erase : $0 == "w" ? .program : .none }
}

@Test func sixteenErasedSectorsOfAnAlignedBlockTakeOne64KErase() {
    #expect(plan(needs(String(repeating: "e", count: 16)), at: 0x20000) == "64K@0x020000")
}

@Test func anErasedHalfBlockTakesOne32KErase() {
    #expect(plan(needs(String(repeating: ".", count: 8) + String(repeating: "e", count: 8)), at: 0x20000) == "32K@0x028000")
}

@Test func oneChangedSectorTakesOne4KErase() {
    #expect(plan(needs("....e..........."), at: 0) == "4K@0x004000")
    #expect(plan(needs("w.w."), at: 0) == "", "programming needs no erase")
}

@Test func blockErasesOnlyStartOnTheirAlignment() {
    // Sectors 0x1000–0x10fff: 0x8000 starts a 32 KB block, no 64 KB block fits.
    let expected = "4K@0x001000 4K@0x002000 4K@0x003000 4K@0x004000 4K@0x005000 4K@0x006000 4K@0x007000 32K@0x008000 4K@0x010000"
    #expect(plan(needs(String(repeating: "e", count: 16)), at: 0x1000) == expected)
}

@Test func aBlockEraseStaysInsideTheErasableRange() {
    let all = needs(String(repeating: "e", count: 16))
    // The last sector is partial (its bytes after the image are not held): no 64 KB erase.
    #expect(plan(all, at: 0x30000, erasable: 0x30000..<0x3F000)
        == "32K@0x030000 4K@0x038000 4K@0x039000 4K@0x03a000 4K@0x03b000 4K@0x03c000 4K@0x03d000 4K@0x03e000 4K@0x03f000")
    // A first sector whose bytes before the image are not held: the first half goes sector by sector.
    #expect(plan(all, at: 0x30000, erasable: 0x31000..<0x40000)
        == "4K@0x030000 4K@0x031000 4K@0x032000 4K@0x033000 4K@0x034000 4K@0x035000 4K@0x036000 4K@0x037000 32K@0x038000")
}

@Test func aBlockEraseWinsWithAFewUnchangedSectorsButNotWithMany() {
    // 64 KB erase 150 ms + 2 sectors programmed again (16 pages × 0.7 ms each) < 14 × 45 ms.
    #expect(plan(needs("eeeeeee..eeeeeee"), at: 0) == "64K@0x000000")
    // 4 × 45 ms is less than 150 ms plus 12 sectors programmed again.
    #expect(plan(needs("e..e..e..e......"), at: 0) == "4K@0x000000 4K@0x003000 4K@0x006000 4K@0x009000")
}

@Test func aChipWithout32KEraseUses64KOr4K() {
    let e = w25q128.erases
    let no32 = chip([e[0], e[2]])
    #expect(plan(needs(String(repeating: "e", count: 16)), at: 0, on: no32) == "64K@0x000000")
    // Half a block changed: the 32 KB erase a W25Q128JV would take is missing; the 64 KB erase
    // still beats 8 sector erases (150 ms + 8 sectors programmed again against 360 ms)...
    #expect(plan(needs(String(repeating: "e", count: 8) + String(repeating: ".", count: 8)), at: 0, on: no32) == "64K@0x000000")
    #expect(plan(needs(String(repeating: "e", count: 8) + String(repeating: ".", count: 8)), at: 0) == "32K@0x000000")
    // ...but not 5 (225 ms against 150 ms + 11 sectors programmed again).
    #expect(plan(needs("eeeee..........."), at: 0, on: no32) == "4K@0x000000 4K@0x001000 4K@0x002000 4K@0x003000 4K@0x004000")
}

@Test func aBlockEraseSlowerThanItsSectorsIsNeverUsed() {
    let e = w25q128.erases
    let slow64 = chip([e[0], FlashChip.EraseKind(size: 65536, opcode: 0xD8, timing: .init(typical: 16 * e[0].timing.typical, maximum: 4_000_000))])
    #expect(plan(needs(String(repeating: "e", count: 2)), at: 0, on: slow64) == "4K@0x000000 4K@0x001000")
    #expect(!plan(needs(String(repeating: "e", count: 16)), at: 0, on: slow64).contains("64K"))
}

@Test func aChipWithout4KEraseGetsNoPlan() {
    let e = w25q128.erases
    #expect(ErasePlan(chip: chip([e[2]])).erases(for: needs("e"), at: 0, erasable: 0..<0x1000).isEmpty)
}
