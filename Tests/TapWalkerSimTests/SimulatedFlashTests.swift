import Foundation
import Testing
@testable import TapWalkerCore
@testable import TapWalkerSim

// The simulated SPI flash behind the ECP5's LSC_PROG_SPI bridge, driven with raw JTAG exactly as a
// programmer would: SRAM cleared, IR 0x3A + key, then one Shift-DR period per SPI transaction with
// each byte bit-reversed.



/// A simulated board with the bridge at hand.
private final class Bench {
    let cable: SimCable
    let port: ECP5Port
    var walker: TapWalker { port.walker }
    var board: SimulatedECP5 { cable.board }
    var flash: SimulatedFlash { cable.board.flash! }
    var chip: FlashChip { flash.chip }

    init(flash: String = "w25q128jv", part: String = "85f", open: Bool = true) throws {
        var o = SimOptions()
        o.part = Part.named(part)!
        o.flash = FlashChip.named(flash)!
        cable = SimCable(options: o)
        port = ECP5Port(walker: TapWalker(cable: cable))
        try port.reset()
        if open {
            try clearSRAM()
            try openBridge()
        }
    }

    func clearSRAM() throws { try port.clearSRAM() }

    func openBridge(key: UInt64 = 0x68FE, length: Int = 16) throws {
        try walker.shiftIR(UInt32(ECP5Instruction.progSPI.rawValue), length: 8)
        try walker.scanDR(key, length: length)
        try walker.idle(clocks: 32)
    }

    /// One SPI transaction: `command` out, then `read` bytes clocked with MOSI low; returns those.
    @discardableResult
    func spi(_ command: [UInt8], read: Int = 0) throws -> [UInt8] {
        let all = try raw(command + [UInt8](repeating: 0, count: read), bits: (command.count + read) * 8)
        return Array(all[command.count...])
    }

    /// A transaction of `bits` bits (CS# may rise off a byte boundary); returns every byte of MISO.
    func raw(_ out: [UInt8], bits: Int) throws -> [UInt8] {
        let n = (bits + 7) / 8
        var tdi = [UInt8](repeating: 0, count: n)
        for i in 0..<min(n, out.count) { tdi[i] = BitOrder.reversed(out[i]) }
        var tdo = [UInt8](repeating: 0, count: n)
        try tdi.withUnsafeBytes { t in
            try tdo.withUnsafeMutableBytes { o in
                try walker.shiftDR(bits: bits, tdi: t, tdo: o)
            }
        }
        return tdo.map { BitOrder.reversed($0) }
    }

    func powerCycle() throws {
        board.powerCycle()
        try port.reset()
        try cable.wait(microseconds: 300_000)  // the boot from flash looks for a preamble
        try clearSRAM()
        try openBridge()
    }

    func rdsr() throws -> UInt8 { try spi([0x05], read: 1)[0] }
    func wren() throws { try spi([0x06]) }
    func jedec() throws -> [UInt8] { try spi([0x9F], read: 3) }

    func read(_ address: Int, _ count: Int) throws -> [UInt8] {
        try spi([0x03] + addr(address), read: count)
    }

    func program(_ address: Int, _ data: [UInt8]) throws {
        try wren()
        try spi([0x02] + addr(address) + data)
        try settle()
    }

    func erase(_ opcode: UInt8, _ address: Int) throws {
        try wren()
        try spi([opcode] + addr(address))
        try settle()
    }

    /// Polls RDSR until WIP clears (simulated time passes in steps from 100 µs up to 100 ms).
    func settle() throws {
        var step: UInt32 = 100
        for _ in 0..<10_000 {
            if try rdsr() & 1 == 0 { return }
            try cable.wait(microseconds: step)
            step = min(step * 2, 100_000)
        }
        Issue.record("flash stayed busy")
    }

    func addr(_ a: Int) -> [UInt8] { [UInt8(a >> 16 & 0xFF), UInt8(a >> 8 & 0xFF), UInt8(a & 0xFF)] }

    /// Protection registers read through the bridge, by the chip's own commands.
    func protectionRegisters() throws -> ProtectionRegisters {
        let sr = try rdsr()
        switch chip.protection {
        case .winbond: return ProtectionRegisters(status: sr, status2: try spi([0x35], read: 1)[0])
        case .issi: return ProtectionRegisters(status: sr, extra: try spi([0x48], read: 1)[0])
        case .macronix: return ProtectionRegisters(status: sr, extra: try spi([0x15], read: 1)[0])
        case .unknown: return ProtectionRegisters(status: sr)
        }
    }

    /// Makes the chip count protection from address 0 (one-time bits on ISSI and Macronix).
    func setBottomOTP() throws {
        switch chip.protection {
        case .winbond, .unknown: return
        case .issi:
            try wren()
            try spi([0x42, 0x02])
        case .macronix:
            try wren()
            try spi([0x01, try rdsr(), 0x08])
        }
        try settle()
    }

    func writeProtection(_ r: ProtectionRegisters) throws {
        try wren()
        switch chip.protection {
        case .winbond: try spi([0x01, r.status, r.status2])
        case .issi, .unknown: try spi([0x01, r.status])
        case .macronix: try spi([0x01, r.status, r.extra])
        }
        try settle()
    }
}

/// Every byte of `bytes` is `value` (compared as Data: fast even in a debug build).
private func all<C: Collection<UInt8>>(_ bytes: C, _ value: UInt8) -> Bool {
    Data(bytes) == Data(repeating: value, count: bytes.count)
}

private func pattern(_ n: Int, seed: Int = 0) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed) } }

// MARK: - Identification

@Test func everyChipAnswersItsJEDECAndDeviceIDs() throws {
    for chip in FlashChip.all {
        let b = try Bench(flash: chip.id)
        let id = chip.jedecID
        let expected = [UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)]
        #expect(try b.jedec() == expected, "\(chip.name)")
        // 90h: manufacturer, device; address bit 0 = 1 swaps them. ABh + 3 dummy: the device ID.
        let device = expected[2] - 1
        #expect(try b.spi([0x90, 0, 0, 0], read: 4) == [expected[0], device, expected[0], device])
        #expect(try b.spi([0x90, 0, 0, 1], read: 2) == [device, expected[0]])
        #expect(try b.spi([0xAB, 0, 0, 0], read: 2) == [device, device])
        // 4Bh: 4 dummy bytes, then 8 bytes fixed per chip.
        let uid = try b.spi([0x4B, 0, 0, 0, 0], read: 8)
        #expect(uid == (try b.spi([0x4B, 0, 0, 0, 0], read: 8)))
        #expect(uid != [UInt8](repeating: 0xFF, count: 8))
    }
}

@Test func sfdpDescribesSizeAndEraseOpcodes() throws {
    for chip in FlashChip.all {
        let b = try Bench(flash: chip.id)
        let header = try b.spi([0x5A, 0, 0, 0, 0], read: 16)
        #expect(Array(header[0..<4]) == Array("SFDP".utf8), "\(chip.name)")
        #expect(header[5] == 1 && header[11] >= 9, "version 1, basic table of at least 9 DWORDs")
        let pointer = Int(header[12]) | Int(header[13]) << 8 | Int(header[14]) << 16
        let table = try b.spi([0x5A] + b.addr(pointer) + [0], read: 36)
        func dword(_ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(table[4 * i + $1]) << UInt32(8 * $1) } }
        #expect(dword(0) & 0x3 == 0x1 && (dword(0) >> 8) & 0xFF == 0x20, "4 KB erase with 20h")
        #expect(Int(dword(1)) + 1 == chip.size * 8, "density in bits")
        var types: [Int: UInt8] = [:]
        for k in 0..<4 {
            let w = dword(7 + k / 2) >> UInt32(16 * (k % 2))
            if w & 0xFF != 0 { types[1 << Int(w & 0xFF)] = UInt8(w >> 8 & 0xFF) }
        }
        #expect(types == [4096: 0x20, 32768: 0x52, 65536: 0xD8])
    }
}

// MARK: - Status, WEL, program, read, erase

@Test func statusRegisterShowsWELAndRepeats() throws {
    let b = try Bench()
    #expect(try b.rdsr() == 0x00)
    try b.wren()
    #expect(try b.spi([0x05], read: 4) == [0x02, 0x02, 0x02, 0x02], "RDSR repeats while CS# stays low")
    try b.spi([0x04])
    #expect(try b.rdsr() == 0x00)
}

@Test func pageProgramOnlyClearsBitsAndWrapsInsideThePage() throws {
    let b = try Bench()
    var image = [UInt8](repeating: 0xFF, count: 0x3000)
    for i in 0x1000..<0x1100 { image[i] = 0xF0 }
    b.flash.load(image)
    // Four bytes from 0x10FE: the last two wrap to the start of the same page.
    try b.program(0x10FE, [0x0F, 0x3C, 0xAA, 0x55])
    #expect(try b.read(0x10FE, 2) == [0x00, 0x30])
    #expect(try b.read(0x1000, 3) == [0xA0, 0x50, 0xF0])
    #expect(try b.read(0x1100, 1) == [0xFF], "the next page is untouched")
    #expect(b.flash.pagePrograms == 1)
    #expect(try b.rdsr() == 0, "WEL clears when the program completes")
    // 258 bytes into one page: the last two overwrite the first two in the latch.
    var data = pattern(258)
    try b.program(0x2000, data)
    data[0] = data[256]
    data[1] = data[257]
    #expect(try b.read(0x2000, 256) == Array(data[0..<256]))
    // Programming cannot set bits again.
    try b.program(0x2000, [UInt8](repeating: 0xFF, count: 4))
    #expect(try b.read(0x2000, 4) == Array(data[0..<4]))
}

@Test func readsAutoIncrementAndWrapAtTheEnd() throws {
    let b = try Bench(flash: "is25lp032")
    let size = b.chip.size
    var image = [UInt8](repeating: 0x5A, count: size)
    image.replaceSubrange(0..<0x400, with: pattern(0x400, seed: 3))
    image[size - 2] = 0x1E
    image[size - 1] = 0xE1
    b.flash.load(image)
    #expect(try b.read(0x123, 300) == Array(image[0x123..<0x24F]))
    #expect(try b.read(size - 2, 4) == [image[size - 2], image[size - 1], image[0], image[1]])
    // FAST READ: one dummy byte after the address.
    #expect(try b.spi([0x0B] + b.addr(size - 1) + [0], read: 3) == [image[size - 1], image[0], image[1]])
    #expect(b.flash.bytesRead == 300 + 4 + 3)
}

@Test func sectorBlockAndChipEraseSetFF() throws {
    let b = try Bench()
    let image = [UInt8](repeating: 0x00, count: 0x40000)
    b.flash.load(image)
    try b.erase(0x20, 0x1234)  // 4 KB: 0x1000..<0x2000
    #expect(try b.read(0x0FFF, 2) == [0x00, 0xFF])
    #expect(try b.read(0x1FFF, 2) == [0xFF, 0x00])
    try b.erase(0x52, 0x8000 + 5)  // 32 KB: 0x8000..<0x10000
    #expect(try b.read(0x7FFF, 2) == [0x00, 0xFF])
    #expect(try b.read(0xFFFF, 2) == [0xFF, 0x00])
    try b.erase(0xD8, 0x20000 + 0x777)  // 64 KB: 0x20000..<0x30000
    #expect(try b.read(0x1FFFF, 2) == [0x00, 0xFF])
    #expect(try b.read(0x2FFFF, 2) == [0xFF, 0x00])
    #expect(all(b.flash.memory[0x10000..<0x20000], 0))
    #expect((b.flash.erase4K, b.flash.erase32K, b.flash.erase64K) == (1, 1, 1))
    try b.wren()
    try b.spi([0xC7])
    try b.settle()
    #expect(b.flash.chipErases == 1)
    #expect(all(b.flash.memory, 0xFF))
}

@Test func issiAlsoErasesASectorWithD7() throws {
    let b = try Bench(flash: "is25lp128")
    b.flash.load([UInt8](repeating: 0, count: 0x3000))
    try b.erase(0xD7, 0x2000)
    #expect(try b.read(0x1FFF, 2) == [0x00, 0xFF])
    #expect(b.flash.erase4K == 1)
    // D7h is no erase on a Winbond part.
    let w = try Bench()
    w.flash.load([UInt8](repeating: 0, count: 0x3000))
    try w.erase(0xD7, 0x2000)
    #expect(try w.read(0x2000, 1) == [0x00])
}

@Test func programAndEraseAreIgnoredWithoutWEL() throws {
    let b = try Bench()
    b.flash.load([UInt8](repeating: 0x00, count: 0x2000))
    try b.spi([0x20] + b.addr(0x1000))
    try b.spi([0x02] + b.addr(0x0000) + [0x00])
    try b.spi([0xC7])
    #expect(try b.rdsr() == 0, "nothing started")
    #expect(try b.read(0x1000, 1) == [0x00])
    #expect(b.flash.erase4K == 0 && b.flash.pagePrograms == 0 && b.flash.chipErases == 0)
    // WRDI after WREN also prevents it.
    try b.wren()
    try b.spi([0x04])
    try b.spi([0x20] + b.addr(0x1000))
    #expect(try b.read(0x1000, 1) == [0x00])
}

@Test func onlyRDSRWorksWhileWIP() throws {
    let b = try Bench()
    b.flash.load(pattern(0x10000))
    try b.wren()
    try b.spi([0xD8] + b.addr(0))  // 64 KB erase: 150 ms typical
    #expect(try b.rdsr() == 0x03, "WIP and WEL")
    #expect(try b.jedec() == [0xFF, 0xFF, 0xFF])
    #expect(try b.read(0x20000, 2) == [0xFF, 0xFF])
    #expect(try b.spi([0x35], read: 1) == [0x00], "Winbond answers SR2 while busy")
    // A program sent now is ignored, even after the erase ends.
    try b.spi([0x02] + b.addr(0x100) + [0x00])
    try b.spi([0x04])  // WRDI ignored: WEL stays until completion
    #expect(try b.rdsr() == 0x03)
    try b.settle()
    #expect(try b.rdsr() == 0x00)
    #expect(try b.read(0x100, 1) == [0xFF])
    #expect(try b.jedec() == [0xEF, 0x40, 0x18])
}

@Test func wipLastsTheTypicalTimeInSimulatedTime() throws {
    for (id, opcode) in [("w25q128jv", UInt8(0x20)), ("is25lp128", 0x52), ("s25fl164k", 0xD8)] {
        let b = try Bench(flash: id)
        let kind = b.chip.erases.first { $0.opcode == opcode }!
        try b.wren()
        try b.spi([opcode] + b.addr(0))
        try b.cable.wait(microseconds: kind.timing.typical - 10)
        #expect(try b.rdsr() & 1 == 1, "\(id): still erasing just before the typical time")
        try b.cable.wait(microseconds: 20)
        #expect(try b.rdsr() == 0, "\(id): done at the typical time, WEL cleared")
    }
    let b = try Bench(flash: "is25lp128")
    try b.wren()
    try b.spi([0x02] + b.addr(0) + [0x00])
    try b.cable.wait(microseconds: b.chip.pageProgram.typical - 10)
    #expect(try b.rdsr() & 1 == 1)
    try b.cable.wait(microseconds: 20)
    #expect(try b.rdsr() & 1 == 0)
    // Write status takes its own time.
    try b.wren()
    try b.spi([0x01, 0x00])
    try b.cable.wait(microseconds: b.chip.writeStatus.typical - 10)
    #expect(try b.rdsr() & 1 == 1)
    try b.cable.wait(microseconds: 20)
    #expect(try b.rdsr() & 1 == 0)
}

@Test func aCommandEndingOffAByteBoundaryIsIgnored() throws {
    let b = try Bench()
    _ = try b.raw([0x06], bits: 7)
    #expect(try b.rdsr() == 0)
    _ = try b.raw([0x06, 0x00], bits: 9)
    #expect(try b.rdsr() == 0)
    try b.wren()
    b.flash.load([UInt8](repeating: 0, count: 0x2000))
    _ = try b.raw([0x20] + b.addr(0x1000), bits: 33)
    #expect(try b.rdsr() == 0x02, "the erase never started; WEL stays")
    // Erase must end right after its address.
    try b.spi([0x20] + b.addr(0x1000) + [0x00])
    #expect(try b.rdsr() == 0x02)
    #expect(b.flash.memory[0x1000] == 0)
    // Cut through Pause-DR: the transaction ends there too.
    try b.walker.move(to: .shiftDR)
    var op = BitOrder.reversed(0x20)
    try withUnsafeBytes(of: &op) { try b.walker.shiftDR(bits: 8, tdi: $0, end: .pauseDR) }
    let rest = b.addr(0x1000).map { BitOrder.reversed($0) }
    try rest.withUnsafeBytes { try b.walker.shiftDR(bits: 24, tdi: $0) }
    #expect(b.flash.memory[0x1000] == 0, "two transactions of 8 and 24 bits: no erase")
}

// MARK: - Protection

@Test func protectionRefusesInsideTheRangeAndAllowsOutsidePerScheme() throws {
    let bootloader = 0..<0x20_0000
    for chip in FlashChip.all {
        let b = try Bench(flash: chip.id)
        b.flash.load([UInt8](repeating: 0x00, count: 0x21_0000))
        try b.setBottomOTP()
        let current = try b.protectionRegisters()
        guard let r = chip.protection.registers(protecting: bootloader, size: chip.size, from: current) else {
            Issue.record("\(chip.name) cannot protect the first 2 MB")
            continue
        }
        try b.writeProtection(r)
        let read = try b.protectionRegisters()
        #expect(chip.protection.protectedRange(read, size: chip.size) == bootloader, "\(chip.name)")
        #expect(b.flash.protectedRange == bootloader)

        try b.erase(0x20, 0x1F_F000)
        try b.erase(0xD8, 0x00_0000)
        try b.program(0x10_0000, [0x55])
        try b.wren()
        try b.spi([0xC7])
        #expect(try b.rdsr() & 0x03 == 0x02, "\(chip.name): chip erase refused at once, WEL stays")
        try b.spi([0x04])
        #expect(all(b.flash.memory[0..<0x20_0000], 0), "\(chip.name): nothing inside changed")
        #expect(b.flash.erase4K == 0 && b.flash.erase64K == 0 && b.flash.pagePrograms == 0 && b.flash.chipErases == 0)

        try b.erase(0x20, 0x20_0000)
        try b.program(0x20_0100, [0x55])
        #expect(try b.read(0x1F_FFFF, 2) == [0x00, 0xFF], "\(chip.name): outside is erased")
        #expect(try b.read(0x20_0100, 1) == [0x55])

        // Unprotect: the same erase now works.
        try b.writeProtection(chip.protection.registers(protecting: 0..<0, size: chip.size, from: read)!)
        #expect(b.flash.protectedRange.isEmpty)
        try b.erase(0x20, 0x1F_F000)
        #expect(try b.read(0x1F_F000, 1) == [0xFF])
    }
}

@Test func theDocumentedRegisterValuesProtectTheBootloader() throws {
    let w = try Bench(flash: "w25q128jv")
    try w.writeProtection(ProtectionRegisters(status: 0x30))
    #expect(try w.rdsr() == 0x30)
    #expect(w.flash.protectedRange == 0..<0x20_0000)

    let i = try Bench(flash: "is25lp128")
    try i.setBottomOTP()
    try i.writeProtection(ProtectionRegisters(status: 0x18))
    #expect(try i.protectionRegisters() == ProtectionRegisters(status: 0x18, extra: 0x02))
    #expect(i.flash.protectedRange == 0..<0x20_0000)
    // TBS is one-time: writing 0 leaves it set.
    try i.wren()
    try i.spi([0x42, 0x00])
    try i.settle()
    #expect(try i.spi([0x48], read: 1) == [0x02])
    // WRSR with a Winbond-style second byte is not an ISSI command: ignored.
    try i.wren()
    try i.spi([0x01, 0x00, 0x00])
    #expect(try i.rdsr() == 0x1A, "not started; WEL stays")
}

@Test func winbondVolatileStatusWriteNeedsNoWELAndResetRestoresIt() throws {
    let b = try Bench()
    try b.spi([0x50])
    try b.spi([0x01, 0x1C])
    #expect(try b.rdsr() == 0x1C, "at once, no WIP, no WEL")
    #expect(!b.flash.protectedRange.isEmpty)
    try b.spi([0x66])
    try b.spi([0x99])
    #expect(try b.rdsr() == 0x00, "reset reloads the non-volatile value")
    // Without 50h and without WEL, WRSR does nothing.
    try b.spi([0x01, 0x1C])
    #expect(try b.rdsr() == 0x00)
}

// MARK: - Power-down, reset, QPI

@Test func powerDownAnswersOnlyReleaseFromPowerDown() throws {
    let b = try Bench()
    try b.spi([0xB9])
    #expect(try b.jedec() == [0xFF, 0xFF, 0xFF])
    #expect(try b.rdsr() == 0xFF)
    try b.spi([0x66])
    try b.spi([0x99])
    #expect(try b.jedec() == [0xFF, 0xFF, 0xFF], "reset does not wake it")
    #expect(try b.spi([0xAB, 0, 0, 0], read: 1) == [0x17], "the ID comes back even in power-down")
    #expect(try b.jedec() == [0xEF, 0x40, 0x18])
    try b.spi([0xB9])
    try b.spi([0xAB])
    #expect(try b.jedec() == [0xEF, 0x40, 0x18])
}

@Test func resetEnableThenResetClearsVolatileState() throws {
    let b = try Bench()
    try b.wren()
    try b.spi([0x66])
    try b.spi([0x99])
    #expect(try b.rdsr() == 0x00)
    // Anything between 66h and 99h cancels the reset.
    try b.wren()
    try b.spi([0x66])
    _ = try b.jedec()
    try b.spi([0x99])
    #expect(try b.rdsr() == 0x02)
    try b.spi([0x99])
    #expect(try b.rdsr() == 0x02)
}

@Test func issiThirtyFiveHEntersQPIUntilF5hOrReset() throws {
    let b = try Bench(flash: "is25lp128")
    #expect(try b.spi([0x35], read: 1) == [0xFF], "not a status read on ISSI")
    #expect(try b.jedec() == [0xFF, 0xFF, 0xFF], "QPI: single-SPI commands go unanswered")
    try b.wren()
    #expect(try b.rdsr() == 0xFF)
    try b.spi([0xF5])
    #expect(try b.jedec() == [0x9D, 0x60, 0x18])
    #expect(try b.rdsr() == 0x00, "WREN in QPI did nothing")
    try b.spi([0x35])
    try b.spi([0x66])
    try b.spi([0x99])
    #expect(try b.jedec() == [0x9D, 0x60, 0x18], "reset leaves QPI")
    // On Winbond, 35h is RDSR2.
    let w = try Bench()
    #expect(try w.spi([0x35], read: 1) == [0x00])
    #expect(try w.jedec() == [0xEF, 0x40, 0x18])
}

// MARK: - The bridge

@Test func aWrongKeyKeepsTheBridgeClosed() throws {
    for (key, length) in [(UInt64(0x68FF), 16), (0xFE68, 16), (0x68FE, 17), (0x68FE, 8)] {
        let b = try Bench(open: false)
        try b.clearSRAM()
        try b.openBridge(key: key, length: length)
        #expect(!b.board.spiBridgeOpen, "key \(key) / \(length) bits")
        try b.wren()
        #expect(!b.flash.writeEnabled)
        #expect(try b.jedec() != [0xEF, 0x40, 0x18])
        try b.openBridge()
        #expect(try b.jedec() == [0xEF, 0x40, 0x18])
    }
}

@Test func anotherInstructionClosesTheBridge() throws {
    let b = try Bench()
    #expect(try b.jedec() == [0xEF, 0x40, 0x18])
    _ = try b.port.readStatus()
    #expect(!b.board.spiBridgeOpen)
    try b.walker.shiftIR(UInt32(ECP5Instruction.progSPI.rawValue), length: 8)
    // No key this time: the first DR scan is taken as the key (and is wrong).
    #expect(try b.jedec() != [0xEF, 0x40, 0x18])
    try b.openBridge()
    try b.port.reset()
    #expect(!b.board.spiBridgeOpen, "Test-Logic-Reset closes it")
}

@Test func aRunningDesignHidesTheFlash() throws {
    let b = try Bench(open: false)
    let report = SRAMProgrammer(port: b.port).program(MemorySource(Examples.bytes("blink-85f.bit"), name: "blink-85f.bit"))
    #expect(report.done)
    try b.openBridge()
    #expect(b.board.spiBridgeOpen)
    #expect(try b.jedec() == [0xFF, 0xFF, 0xFF], "the design owns the pins: MISO reads 1s")
    try b.wren()
    #expect(!b.flash.writeEnabled)
    try b.clearSRAM()
    try b.openBridge()
    #expect(try b.jedec() == [0xEF, 0x40, 0x18])
}

@Test func noFlashReadsOnes() throws {
    let b = try Bench(open: false)
    b.board.flash = nil
    try b.clearSRAM()
    try b.openBridge()
    #expect(try b.jedec() == [0xFF, 0xFF, 0xFF])
}

// MARK: - Boot from flash

private func waitForBoot(_ b: Bench) throws -> StatusRegister {
    for _ in 0..<1000 {
        let s = try b.port.readStatus()
        if !s.busy { return s }
        try b.cable.wait(microseconds: 50_000)
    }
    Issue.record("still busy after 50 s")
    return try b.port.readStatus()
}

@Test func refreshBootsFromFlashToTheSameDesignAsAJTAGLoad() throws {
    let data = Examples.bytes("blink-85f.bit")
    let jtag = try Bench(open: false)
    #expect(SRAMProgrammer(port: jtag.port).program(MemorySource(data, name: "blink-85f.bit")).done)

    let b = try Bench(open: false)
    b.flash.load(data)
    let before = b.board.timeNanoseconds
    try b.port.command(.refresh)
    let during = try b.port.readStatus()
    #expect(during.busy && !during.done, "DONE shows only when the boot has finished")
    let s = try waitForBoot(b)
    #expect(s.done && s.bse == .none && !s.fail, "\(s.summary)")
    #expect(b.board.configurationValid)
    #expect(b.board.configurationDigest == jtag.board.configurationDigest)
    #expect(try b.port.readUserCode() == jtag.board.userCode)
    // Boot time: the bytes read at 2.4 MHz on one line.
    let bootSeconds = Double(b.board.bootBytesRead * 8) / 2_400_000
    let elapsed = Double(b.board.timeNanoseconds - before) / 1e9
    #expect(b.board.bootBytesRead >= data.count - 64 && b.board.bootBytesRead <= data.count)
    #expect(elapsed >= bootSeconds && elapsed < bootSeconds + 0.1)
    // With the design running, the bridge shows nothing until the SRAM is cleared.
    try b.openBridge()
    #expect(try b.jedec() == [0xFF, 0xFF, 0xFF])
}

@Test func refreshFromABlankFlashGivesAPreambleError() throws {
    let b = try Bench(open: false)
    try b.port.command(.refresh)
    let s = try waitForBoot(b)
    #expect(!s.done && s.bse == .preamble)
    // The primary path's search, then the jump table at the top of the flash (docs/ecp5.md §6).
    #expect(b.board.bootBytesRead == b.board.bootPreambleSearchBytes + ColdBoot.jumpTableBytes)
    // A bitstream for another part: the boot stops with an ID error.
    let c = try Bench(part: "45f", open: false)
    c.flash.load(Examples.bytes("blink-85f.bit"))
    try c.port.command(.refresh)
    let t = try waitForBoot(c)
    #expect(!t.done && t.bse == .id)
}

// MARK: - Faults

@Test func stuckBitsHoldTheirValue() throws {
    let b = try Bench()
    b.flash.stuckBits = [.init(address: 0x10, mask: 0x01, value: 0x00), .init(address: 0x11, mask: 0x80, value: 0x80)]
    #expect(try b.read(0x10, 2) == [0xFE, 0xFF], "applied at once")
    try b.program(0x10, [0xFF, 0x00])
    #expect(try b.read(0x10, 2) == [0xFE, 0x80])
    try b.erase(0x20, 0)
    #expect(try b.read(0x10, 2) == [0xFE, 0xFF])
    b.flash.load([UInt8](repeating: 0, count: 0x20))
    #expect(try b.read(0x10, 2) == [0x00, 0x80])
}

@Test func aFailingEraseLeavesItsRangeUntouched() throws {
    let b = try Bench()
    b.flash.load([UInt8](repeating: 0x00, count: 0x4000))
    b.flash.failingErase = 0x3100..<0x3200
    try b.erase(0x20, 0x3000)
    #expect(try b.rdsr() == 0, "the erase looked like it worked")
    #expect(try b.read(0x30FF, 2) == [0xFF, 0x00])
    #expect(try b.read(0x31FF, 2) == [0x00, 0xFF])
    #expect(all(b.flash.memory[0x3100..<0x3200], 0))
}

@Test func aPowerCutLeavesTheOperationHalfDoneAndTheBoardOff() throws {
    let b = try Bench()
    b.flash.powerCutDuringOperation = 2
    try b.program(0x000, pattern(256))
    try b.wren()
    #expect(throws: TapWalkerError.self) { try b.spi([0x02] + b.addr(0x100) + pattern(256, seed: 1)) }
    #expect(b.board.poweredOff && b.flash.poweredOff)
    do {
        _ = try b.port.readStatus()
        Issue.record("a powered-off board answered")
    } catch {
        #expect(error.kind == .cable && error.message.contains("lost power"))
    }
    #expect(Array(b.flash.memory[0x000..<0x100]) == pattern(256))
    #expect(Array(b.flash.memory[0x100..<0x180]) == Array(pattern(256, seed: 1)[0..<128]))
    #expect(all(b.flash.memory[0x180..<0x200], 0xFF))
    // Power back: the array keeps what was written; volatile state is gone; the FPGA boots (and
    // finds no bitstream), then the bridge works again.
    try b.powerCycle()
    #expect(try b.rdsr() == 0x00)
    #expect(try b.read(0x17F, 2) == [pattern(256, seed: 1)[127], 0xFF])
    // An erase cut in half.
    b.flash.powerCutDuringOperation = 1
    #expect(throws: TapWalkerError.self) { try b.erase(0xD8, 0) }
    #expect(all(b.flash.memory[0x000..<0x100], 0xFF))
    try b.powerCycle()
    b.flash.load([UInt8](repeating: 0, count: 0x10000))
    b.flash.powerCutDuringOperation = 1
    #expect(throws: TapWalkerError.self) { try b.erase(0x52, 0) }
    #expect(b.flash.memory[0x3FFF] == 0xFF && b.flash.memory[0x4000] == 0x00)
}

@Test func simOptionsChooseTheFlash() throws {
    #expect(try SimOptions.parse("").flash.id == "w25q128jv")
    let o = try SimOptions.parse("flash=IS25LP032,flash-image=/tmp/board.img")
    #expect(o.flash.id == "is25lp032" && o.flashImage == "/tmp/board.img")
    #expect(SimCable(options: o).board.flash?.memory.count == 4 << 20)
    #expect(throws: TapWalkerError.self) { try SimOptions.parse("flash=at25sf081") }
    #expect(throws: TapWalkerError.self) { try SimOptions.parse("flash-image=") }
}

@Test func nonVolatileRegistersSurviveInAnotherChip() throws {
    let b = try Bench(flash: "is25lp128")
    try b.setBottomOTP()
    try b.writeProtection(ProtectionRegisters(status: 0x18))
    let saved = b.flash.nonVolatileRegisters
    #expect(saved == [0x18, 0, 0, 0x02])
    let c = try Bench(flash: "is25lp128")
    c.flash.nonVolatileRegisters = saved
    #expect(c.flash.protectedRange == 0..<0x20_0000)
    #expect(try c.protectionRegisters() == ProtectionRegisters(status: 0x18, extra: 0x02))
}
