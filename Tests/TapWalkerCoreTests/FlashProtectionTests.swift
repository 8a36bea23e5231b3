import Testing
@testable import TapWalkerCore

private let mb16 = 16 << 20

@Test func winbondSR1x30ProtectsTheBottomTwoMegabytes() {
    // Reference §5: "SR1 = 0x30 (TB=1, BP=100) protects 0x000000–0x1FFFFF".
    #expect(ProtectionScheme.winbond.protectedRange(ProtectionRegisters(status: 0x30), size: mb16) == 0..<0x20_0000)
}

@Test func winbondFractionsSectorsAndComplement() {
    let w = ProtectionScheme.winbond
    // SEC=0: BP 1…6 = 1/64 … 1/2 at the top; 7 = all; 0 = none.
    let fractions = [0: 0, 1: mb16 / 64, 2: mb16 / 32, 3: mb16 / 16, 4: mb16 / 8, 5: mb16 / 4, 6: mb16 / 2, 7: mb16]
    for (bp, length) in fractions {
        let top = w.protectedRange(ProtectionRegisters(status: UInt8(bp << 2)), size: mb16)
        #expect(top.count == length && (length == 0 || top.upperBound == mb16), "BP=\(bp)")
        let bottom = w.protectedRange(ProtectionRegisters(status: UInt8(bp << 2) | 0x20), size: mb16)
        #expect(bottom.count == length && bottom.lowerBound == 0, "BP=\(bp) TB=1")
    }
    // SEC=1: 4/8/16 KB for BP 1–3, 32 KB for 4–6.
    for (bp, length) in [1: 4096, 2: 8192, 3: 16384, 4: 32768, 5: 32768, 6: 32768] {
        #expect(w.protectedRange(ProtectionRegisters(status: 0x40 | UInt8(bp << 2)), size: mb16).count == length)
    }
    // CMP=1 inverts: BP=1 top (256 KB) becomes everything but the top 256 KB.
    #expect(w.protectedRange(ProtectionRegisters(status: 0x04, status2: 0x40), size: mb16) == 0..<(mb16 - mb16 / 64))
}

@Test func issiSR0x18WithTBSProtectsTheBottomTwoMegabytes() {
    // Reference §5: "SR = 0x18 (BP=6) with FR = 0x03 protects 0–0x1FFFFF".
    #expect(ProtectionScheme.issi.protectedRange(ProtectionRegisters(status: 0x18, extra: 0x03), size: mb16) == 0..<0x20_0000)
    #expect(ProtectionScheme.issi.protectedRange(ProtectionRegisters(status: 0x18), size: mb16) == (mb16 - 0x20_0000)..<mb16)
}

@Test func issiBlocksDoubleUpToTheWholeChip() {
    for n in 1...15 {
        let r = ProtectionScheme.issi.protectedRange(ProtectionRegisters(status: UInt8(n << 2)), size: mb16)
        #expect(r.count == min(mb16, 65536 << (n - 1)), "BP=\(n)")
    }
}

@Test func everyRangeInATableIsFoundAgainByItsRegisters() {
    for chip in FlashChip.all {
        let scheme = chip.protection
        for status in 0..<256 {
            for status2: UInt8 in [0, 0x40] {
                for extra: UInt8 in [0, 0x02, 0x08] {
                    let r = ProtectionRegisters(status: UInt8(status), status2: scheme == .winbond ? status2 : 0, extra: extra)
                    let range = scheme.protectedRange(r, size: chip.size)
                    guard let found = scheme.registers(protecting: range, size: chip.size, from: r) else {
                        Issue.record("\(chip.id): no registers for \(range)")
                        continue
                    }
                    #expect(scheme.protectedRange(found, size: chip.size) == range)
                    #expect(found.extra == r.extra, "one-time bits are never changed")
                    #expect(found.status & ~scheme.statusMask == r.status & ~scheme.statusMask, "only protection bits change")
                }
            }
        }
    }
}

@Test func aBottomRangeOnISSINeedsTheOneTimeBit() {
    let r = ProtectionRegisters(status: 0)
    #expect(ProtectionScheme.issi.registers(protecting: 0..<0x20_0000, size: mb16, from: r) == nil)
    #expect(ProtectionScheme.issi.registers(protecting: 0..<0x20_0000, size: mb16, from: ProtectionRegisters(status: 0, extra: 0x02))?.status == 0x18)
    #expect(ProtectionScheme.winbond.registers(protecting: 0..<0x20_0000, size: mb16, from: r)?.status == 0x30)
    #expect(ProtectionScheme.winbond.registers(protecting: 0..<0x12345, size: mb16, from: r) == nil)
}

@Test func theChipTableHasTheReferenceChips() {
    let expected: [(String, UInt32, Int)] = [("w25q128jv", 0xEF4018, 16 << 20), ("is25lp128", 0x9D6018, 16 << 20),
        ("mx25l12833f", 0xC22018, 16 << 20), ("is25lp032", 0x9D6016, 4 << 20), ("s25fl164k", 0x014017, 8 << 20)]
    for (id, jedec, size) in expected {
        let c = FlashChip.named(id)
        #expect(c?.jedecID == jedec && c?.size == size, "\(id)")
        #expect(FlashChip.with(jedecID: jedec)?.id == id)
        #expect(c?.erase(size: 4096) != nil && c?.erase(size: 65536) != nil)
    }
    #expect(FlashChip.with(jedecID: 0xEF7018)?.id == "w25q128jv", "the -IM/DTR variant")
    #expect(FlashChip.named("W25Q128JV") != nil)
}
