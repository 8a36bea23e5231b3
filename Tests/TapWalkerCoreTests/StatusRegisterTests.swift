import Testing
@testable import TapWalkerCore

@Test func statusFieldsDecode() {
    let s = StatusRegister(raw: 0x0000_0300 | (3 << 23))
    #expect(s.done && s.has(.iscEnable))
    #expect(s.bse == .crc)
    #expect(s.hasError)
    #expect(s.summary == "DONE, ISC enable, BSE=CRC")
    #expect(!StatusRegister(raw: 0x100).hasError)
    #expect(StatusRegister(raw: 1 << 27).hasError)
    #expect(StatusRegister(raw: 0x2).configTarget == 1)
}

@Test func everyBSECodeHasANameMeaningAndAdvice() {
    #expect(BSECode.allCases.map(\.name) == ["none", "ID", "CMD", "CRC", "PRMB", "ABRT", "OVFL", "SDM"])
    for c in BSECode.allCases where c != .none {
        #expect(!c.meaning.isEmpty && !c.advice().isEmpty)
    }
    #expect(BSECode.id.advice().contains("another part"))
    #expect(BSECode.preamble.advice(afterRefresh: true).contains("flash is blank"))
}

@Test func settingTheBSEFieldLeavesOtherBits() {
    var s = StatusRegister(raw: 0xFFFF_FFFF)
    s.bse = .none
    #expect(s.raw == 0xFC7F_FFFF)
    s.bse = .sdm
    #expect(s.raw == 0xFFFF_FFFF)
}

@Test func integersParse() {
    #expect(ASCII.parseInteger("0x200000") == 0x200000)
    #expect(ASCII.parseInteger("25000000") == 25_000_000)
    #expect(ASCII.parseInteger("4K") == 4096)
    #expect(ASCII.parseInteger("1M") == 1 << 20)
    #expect(ASCII.parseInteger("-8192") == -8192)
    #expect(ASCII.parseInteger("0x") == nil)
    #expect(ASCII.parseInteger("12a") == nil)
    #expect(ASCII.parseInteger("99999999999999999999") == nil)
    #expect(ASCII.hex(UInt32(0x41113043)) == "0x41113043")
    #expect(ASCII.hex(UInt32(5)) == "0x00000005")
}

@Test func configuredIsDoneWithoutAnError() {
    #expect(StatusRegister(raw: 0x0000_0100).configured)                    // DONE
    #expect(!StatusRegister(raw: 0x0000_0000).configured)                   // not DONE
    #expect(!StatusRegister(raw: 0x0000_0100 | (3 << 23)).configured)       // DONE with BSE = CRC error
    #expect(!StatusRegister(raw: 0x0000_0100 | 0x0400_0000).configured)     // DONE with an error flag
}
