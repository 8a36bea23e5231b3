import Foundation
import Testing
@testable import TapWalkerCore
@testable import TapWalkerSim



/// A simulated 25F board with the given flash chip; `contents` preloads the flash.
private func board(_ chip: String = "w25q128jv", contents: [UInt8]? = nil) -> SimCable {
    var o = SimOptions()
    o.part = Part.named("25f")!
    o.flash = FlashChip.named(chip)!
    let cable = SimCable(options: o)
    if let contents { cable.board.flash!.load(contents) }
    return cable
}

private func session(_ cable: SimCable, _ options: FlashSession.Options = .init()) throws(TapWalkerError) -> FlashSession {
    try FlashSession(port: ECP5Port(walker: TapWalker(cable: cable)), options: options)
}

private func pattern(_ count: Int, seed: UInt64) -> [UInt8] {
    var s = seed
    return (0..<count).map { _ in
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: s >> 33)
    }
}

@Test func aBitstreamWrittenToFlashBootsTheFPGA() throws {
    let image = Examples.bytes("blink-25f.bit")
    let cable = board()
    let s = try session(cable)
    let report = try FlashWriter(flash: s.flash).write(image, at: 0)
    #expect(report.verified && report.sectorsErased == 0, "a blank flash needs no erase")
    #expect(try s.flash.read(address: 0, count: image.count) == image)
    let reload = try s.close()
    #expect(reload?.done == true)

    // The same design loaded over JTAG configures the same frames.
    var o = SimOptions(); o.part = Part.named("25f")!
    let jtag = SimCable(options: o)
    #expect(SRAMProgrammer(port: ECP5Port(walker: TapWalker(cable: jtag))).program(MemorySource(image)).done)
    #expect(cable.board.configurationDigest == jtag.board.configurationDigest)
}

@Test func rewritingTheSameImageErasesAndProgramsNothing() throws {
    let image = pattern(300_000, seed: 1)
    let cable = board()
    let first = try FlashWriter(flash: try session(cable).flash).write(image, at: 0x200000)
    #expect(first.pagesProgrammed > 0)
    let flash = cable.board.flash!
    let (pp, e4) = (flash.pagePrograms, flash.erase4K)
    let again = try FlashWriter(flash: try session(cable).flash).write(image, at: 0x200000)
    #expect(again.sectorsUnchanged == again.sectorsTotal)
    #expect(again.pagesProgrammed == 0 && again.erase4K + again.erase32K + again.erase64K == 0)
    #expect(flash.pagePrograms == pp && flash.erase4K == e4, "the chip saw no program or erase")
    #expect(String(decoding: again.map, as: UTF8.self).allSatisfy { $0 == "." })
}

@Test func changingOneSectorErasesExactlyThatSector() throws {
    var image = pattern(200_000, seed: 2)
    let cable = board()
    _ = try FlashWriter(flash: try session(cable).flash).write(image, at: 0)
    for i in 0x5000..<0x5010 { image[i] = ~image[i] }  // some bits must go 0 → 1
    let flash = cable.board.flash!
    let erasesBefore = flash.erase4K + flash.erase32K + flash.erase64K
    let r = try FlashWriter(flash: try session(cable).flash).write(image, at: 0)
    #expect(r.sectorsErased == 1 && r.erase4K == 1 && r.sectorsProgrammed == 0)
    #expect(r.sectorsUnchanged == r.sectorsTotal - 1)
    #expect(flash.erase4K + flash.erase32K + flash.erase64K == erasesBefore + 1)
    #expect(Array(flash.memory[0..<image.count]) == image)
}

@Test func aChangeThatOnlyClearsBitsProgramsWithoutErasing() throws {
    var image = pattern(100_000, seed: 3)
    let cable = board()
    _ = try FlashWriter(flash: try session(cable).flash).write(image, at: 0x10000)
    for i in 0x2000..<0x2100 { image[i] &= 0x0F }
    let r = try FlashWriter(flash: try session(cable).flash).write(image, at: 0x10000)
    #expect(r.sectorsProgrammed == 1 && r.sectorsErased == 0)
    #expect(r.erase4K + r.erase32K + r.erase64K == 0)
    #expect(r.pagesProgrammed == 1, "only the page that differs")
    #expect(Array(cable.board.flash!.memory[0x10000..<(0x10000 + image.count)]) == image)
}

@Test func aFullyRewrittenBlockUsesOne64KErase() throws {
    let cable = board(contents: pattern(0x40000, seed: 4))
    let image = pattern(0x10000, seed: 5)  // every sector of the block at 0x20000 needs an erase
    let r = try FlashWriter(flash: try session(cable).flash).write(image, at: 0x20000)
    #expect(r.erase64K == 1 && r.erase32K == 0 && r.erase4K == 0)
    #expect(r.sectorsErased == 16)
    #expect(Array(cable.board.flash!.memory[0x20000..<0x30000]) == image)
}

@Test func halfABlockUsesOne32KErase() throws {
    let cable = board(contents: pattern(0x40000, seed: 6))
    let image = pattern(0x8000, seed: 7)
    let r = try FlashWriter(flash: try session(cable).flash).write(image, at: 0x28000)
    #expect(r.erase32K == 1 && r.erase64K == 0 && r.erase4K == 0)
}

@Test func anUnalignedImageKeepsItsNeighbours() throws {
    let old = pattern(0x20000, seed: 8)
    let cable = board(contents: old)
    let image = pattern(5000, seed: 9)
    let at = 0x3123
    _ = try FlashWriter(flash: try session(cable).flash).write(image, at: at)
    let m = cable.board.flash!.memory
    #expect(Array(m[at..<(at + image.count)]) == image)
    #expect(Array(m[0..<at]) == Array(old[0..<at]))
    #expect(Array(m[(at + image.count)..<0x20000]) == Array(old[(at + image.count)..<0x20000]))
}

@Test func anImagePastTheEndIsRefusedAndNothingChanges() throws {
    let cable = board("is25lp032")
    let before = cable.board.flash!.memory
    #expect(throws: TapWalkerError.self) {
        try FlashWriter(flash: try session(cable).flash).write(pattern(0x2000, seed: 10), at: (4 << 20) - 0x1000)
    }
    #expect(cable.board.flash!.memory == before)
}

@Test func anImageOverAProtectedRangeIsRefusedNamingTheRange() throws {
    let cable = board()
    let s = try session(cable)
    try s.flash.writeProtection(ProtectionRegisters(status: 0x30))  // bottom 2 MB
    let before = cable.board.flash!.memory
    do {
        _ = try FlashWriter(flash: s.flash).write(pattern(0x1000, seed: 11), at: 0x1FF000)
        Issue.record("not refused")
    } catch {
        #expect(error.message.contains("0x000000–0x1fffff"))
        #expect(error.remedy == .unprotect && !error.message.contains("tapwalker"), "the front end words the remedy: \(error.message)")
        #expect(error.message.contains("nothing was written"))
    }
    #expect(cable.board.flash!.memory == before)
    // Outside the protected range it works.
    #expect(try FlashWriter(flash: s.flash).write(pattern(0x1000, seed: 12), at: 0x200000).verified)
}

@Test func noFlashOrAnUnknownChipIsRefusedByName() throws {
    let cable = board()
    cable.board.flash = nil
    do { _ = try session(cable); Issue.record("no flash accepted") } catch {
        #expect(error.message.contains("0xffffff") && error.message.contains("no SPI flash"))
    }
    // A chip with neither a table row nor SFDP: refused by its ID.
    let odd = oddChip(erases: [FlashChip.EraseKind(size: 65536, opcode: 0xD8, timing: .init(typical: 150_000, maximum: 2_000_000))])
    let other = board()
    other.board.flash = SimulatedFlash(chip: odd)
    do { _ = try session(other); Issue.record("unknown chip accepted") } catch {
        #expect(error.message.contains("0x123456") && error.message.contains("unknown SPI flash"))
    }
}

private func oddChip(erases: [FlashChip.EraseKind]) -> FlashChip {
    FlashChip(id: "odd", name: "Odd", jedecID: 0x123456, otherJEDECIDs: [], size: 2 << 20, pageSize: 256,
              erases: erases, chipErase: .init(typical: 1000, maximum: 2000),
              pageProgram: .init(typical: 500, maximum: 2000), writeStatus: .init(typical: 1000, maximum: 2000), protection: .unknown)
}

@Test func anUnknownChipWithSFDPIsLearnedAndWritten() throws {
    let cable = board()
    cable.board.flash = SimulatedFlash(chip: oddChip(erases: FlashChip.named("w25q128jv")!.erases))
    let s = try session(cable)
    #expect(s.flash.chip.size == 2 << 20, "density from SFDP")
    #expect(s.flash.chip.erases.map(\.size) == [4096, 32768, 65536])
    let image = pattern(70_000, seed: 15)
    let r = try FlashWriter(flash: s.flash).write(image, at: 0x100000)
    #expect(r.verified)
    #expect(Array(cable.board.flash!.memory[0x100000..<(0x100000 + image.count)]) == image)
    #expect(throws: TapWalkerError.self) { try s.flash.writeProtection(ProtectionRegisters(status: 0x1C)) }
}

@Test func protectionRoundTripsOnEveryChip() throws {
    for chip in FlashChip.all {
        let cable = board(chip.id)
        let s = try session(cable)
        let size = chip.size
        // A top range every scheme can express without one-time bits: the top 256 KB... or its
        // closest table entry; take what the table says for BP=3 (status 0x0C) and write it back.
        let current = try s.flash.readProtectionRegisters()
        let range = chip.protection.protectedRange(ProtectionRegisters(status: 0x0C, status2: current.status2, extra: current.extra), size: size)
        let regs = chip.protection.registers(protecting: range, size: size, from: current)!
        try s.flash.writeProtection(regs)
        #expect(try s.flash.protectedRange() == range, "\(chip.id)")
        #expect(cable.board.flash!.protectedRange == range, "the chip itself agrees")
        try s.flash.writeProtection(chip.protection.registers(protecting: 0..<0, size: size, from: try s.flash.readProtectionRegisters())!)
        #expect(try s.flash.protectedRange().isEmpty)
    }
}

@Test func aStuckBitIsCaughtByVerifyNamingTheSector() throws {
    let cable = board()
    cable.board.flash!.stuckBits = [SimulatedFlash.StuckBits(address: 0x3456, mask: 0x01, value: 1)]
    var image = [UInt8](repeating: 0x00, count: 0x8000)
    image[0] = 1
    do {
        _ = try FlashWriter(flash: try session(cable).flash).write(image, at: 0)
        Issue.record("verify passed")
    } catch {
        #expect(error.message.contains("verify failed in sector 0x003000"))
        #expect(error.message.contains("0x003456"))
    }
}

@Test func aPowerCutMidWriteIsRepairedByRunningTheSameWriteAgain() throws {
    let image = pattern(0x30000, seed: 13)
    let old = pattern(0x40000, seed: 14)
    let cable = board(contents: old)
    cable.board.flash!.powerCutDuringOperation = 40
    do {
        _ = try FlashWriter(flash: try session(cable).flash).write(image, at: 0)
        Issue.record("the power cut went unnoticed")
    } catch {
        #expect(error.kind == .cable)
        #expect(error.message.contains("running the same write again finishes it"))
    }
    let afterCut = cable.board.flash!.memory.bytes

    // Power comes back: a new board with the same flash content, the same command again.
    let again = board(contents: afterCut)
    let r = try FlashWriter(flash: try session(again).flash).write(image, at: 0)
    #expect(Array(again.board.flash!.memory[0..<image.count]) == image)
    // Only sectors the cut left wrong were touched.
    var wrong = 0
    for s in stride(from: 0, to: image.count, by: 4096) where Array(afterCut[s..<(s + 4096)]) != Array(image[s..<(s + 4096)]) {
        wrong += 1
    }
    #expect(r.sectorsErased + r.sectorsProgrammed == wrong)
    #expect(r.sectorsUnchanged == r.sectorsTotal - wrong && r.sectorsUnchanged > 0)
}

/// An input that delivers `bytes` in reads of at most 1000 bytes, then fails with `failure` (or
/// ends); `total` is what it claims as its length.
private final class TestSource: ByteSource {
    let bytes: [UInt8]
    let failure: TapWalkerError?
    let totalBytes: Int?
    var position = 0
    let name = "test input"
    init(_ bytes: [UInt8], total: Int?, failure: TapWalkerError? = nil) {
        self.bytes = bytes
        self.totalBytes = total
        self.failure = failure
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        let n = min(buffer.count, bytes.count - position, 1000)
        if n == 0, let failure { throw failure }
        for i in 0..<n { buffer[i] = bytes[position + i] }
        position += n
        return n
    }
}

/// The bus under the flash, recording the longest transaction.
private final class RecordingBus: SPIBus {
    let inner: any SPIBus
    var longest = 0
    init(_ inner: any SPIBus) { self.inner = inner }
    func transfer(_ command: [UInt8], readCount: Int) throws(TapWalkerError) -> [UInt8] {
        longest = max(longest, command.count + readCount)
        return try inner.transfer(command, readCount: readCount)
    }
    func transfer(_ command: [UInt8], into: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        longest = max(longest, command.count + into.count)
        try inner.transfer(command, into: into)
    }
    func wait(microseconds: UInt32) throws(TapWalkerError) { try inner.wait(microseconds: microseconds) }
}

@Test func noSPITransactionOfAWriteIsLongerThanASector() throws {
    let cable = board(contents: pattern(0x80000, seed: 20))
    let s = try session(cable)
    let bus = RecordingBus(s.bridge)
    let image = pattern(0x48000, seed: 21)
    let r = try FlashWriter(flash: try SPIFlash(bus: bus)).write(image, at: 0x10000)
    #expect(r.erase64K == 4 && r.erase32K == 1 && r.verified)
    #expect(bus.longest <= FlashChip.sectorSize + 5, "a FAST READ command and one sector at most")
    #expect(Array(cable.board.flash!.memory[0x10000..<0x58000]) == image)
}

@Test func anInputThatFailsLeavesTheSectorsBeforeItWrittenAndSaysWhich() throws {
    let old = pattern(0x40000, seed: 22)
    let cable = board(contents: old)
    let image = pattern(0x5800, seed: 23)
    var report = FlashWriter.Report()
    do {
        try FlashWriter(flash: try session(cable).flash).write(
            from: TestSource(image, total: nil, failure: TapWalkerError(.input, "the upload broke off")), at: 0x10000, report: &report)
        Issue.record("the failure went unnoticed")
    } catch {
        #expect(error.message == "the upload broke off; bytes 0x010000–0x014fff are written and verified, the rest of the flash is untouched; running the same write again finishes it and changes only what is still wrong")
        #expect(!error.message.contains("nothing was written"))
    }
    #expect(report.firstByteDone == 0x10000 && report.lastByteDone == 0x14FFF && !report.cutAtEndOfFlash)
    let m = cable.board.flash!.memory
    #expect(Array(m[0x10000..<0x15000]) == Array(image[0..<0x5000]))
    #expect(Array(m[0x15000..<0x40000]) == Array(old[0x15000..<0x40000]), "untouched after it")
    #expect(Array(m[0..<0x10000]) == Array(old[0..<0x10000]))
}

@Test func anInputThatFailsInsideABlockEraseNamesTheErasedRest() throws {
    let cable = board(contents: pattern(0x40000, seed: 24))
    let image = pattern(0x3000, seed: 25)
    var report = FlashWriter.Report()
    do {
        // It claims a whole 64 KB block, so the block is erased at its first sector.
        try FlashWriter(flash: try session(cable).flash).write(
            from: TestSource(image, total: 0x10000, failure: TapWalkerError(.input, "cut")), at: 0x20000, report: &report)
        Issue.record("the failure went unnoticed")
    } catch {
        #expect(error.message.hasPrefix("cut; bytes 0x020000–0x022fff are written and verified, 0x023000–0x02ffff are erased, the rest of the flash is untouched;"))
    }
    #expect(report.erase64K == 1 && report.erasedNotWritten == 0x23000..<0x30000 && report.bytesDone == 0x3000)
    let m = cable.board.flash!.memory
    #expect(Array(m[0x20000..<0x23000]) == image)
    #expect(m[0x23000..<0x30000].allSatisfy { $0 == 0xFF })
}

@Test func anInputPastTheEndOfTheFlashIsWrittenUpToTheEndAndSaysSo() throws {
    let cable = board("is25lp032")
    let image = pattern(0x2800, seed: 26)
    var report = FlashWriter.Report()
    let end = 4 << 20
    do {
        try FlashWriter(flash: try session(cable).flash).write(from: TestSource(image, total: nil), at: end - 0x1000, report: &report)
        Issue.record("not refused")
    } catch {
        #expect(error.kind == .usage)
        #expect(error.message.contains("bytes 0x3ff000–0x3fffff are written and verified"))
        #expect(error.message.contains("the rest of the image was not written"))
    }
    #expect(report.cutAtEndOfFlash && report.firstByteDone == end - 0x1000 && report.lastByteDone == end - 1)
    #expect(Array(cable.board.flash!.memory[(end - 0x1000)...]) == Array(image[0..<0x1000]))
}

@Test func anInputOfUnknownLengthKeepsTheBytesAfterItsEnd() throws {
    // Over old data a block erase could wipe bytes after an end the writer cannot foresee: it
    // erases sector by sector. The same input with a known length takes the 64 KB erase.
    let old = pattern(0x40000, seed: 27)
    let image = pattern(0x10000, seed: 28)
    let unknown = board(contents: old)
    var r = FlashWriter.Report()
    try FlashWriter(flash: try session(unknown).flash).write(from: TestSource(image, total: nil), at: 0x20000, report: &r)
    #expect(r.erase4K == 16 && r.erase64K == 0 && r.verified && r.lastByteDone == 0x2FFFF)
    #expect(Array(unknown.board.flash!.memory[0x20000..<0x30000]) == image)
    #expect(Array(unknown.board.flash!.memory[0x30000..<0x40000]) == Array(old[0x30000..<0x40000]))

    let known = board(contents: old)
    try FlashWriter(flash: try session(known).flash).write(from: TestSource(image, total: image.count), at: 0x20000, report: &r)
    #expect(r.erase64K == 1 && r.erase4K == 0)
    #expect(known.board.flash!.memory == unknown.board.flash!.memory)
}

@Test func aPowerCutReportsTheSectorItWasChanging() throws {
    let cable = board(contents: pattern(0x40000, seed: 29))
    cable.board.flash!.powerCutDuringOperation = 40
    var report = FlashWriter.Report()
    do {
        try FlashWriter(flash: try session(cable).flash).write(from: TestSource(pattern(0x30000, seed: 30), total: nil), at: 0, report: &report)
        Issue.record("the power cut went unnoticed")
    } catch {
        #expect(error.kind == .cable)
        let u = report.unsettled
        #expect(u.count == FlashChip.sectorSize && u.lowerBound == report.bytesDone)
        #expect(error.message.contains("\(ASCII.hex(UInt32(u.lowerBound), digits: 6))–\(ASCII.hex(UInt32(u.upperBound - 1), digits: 6)) may hold old, new or erased data"))
    }
}

@Test func anInputShorterThanItAnnouncedNamesTheBlockItLeftErased() throws {
    let cable = board(contents: pattern(0x40000, seed: 31))
    let image = pattern(0x2800, seed: 32)
    var report = FlashWriter.Report()
    do {
        try FlashWriter(flash: try session(cable).flash).write(from: TestSource(image, total: 0x10000), at: 0x30000, report: &report)
        Issue.record("the short input went unnoticed")
    } catch {
        #expect(error.kind == .input)
        #expect(error.message == "test input ended after 10240 of the 65536 bytes it announced; bytes 0x030000–0x0327ff are written and verified, 0x032800–0x03ffff are erased, the rest of the flash is untouched")
    }
    #expect(Array(cable.board.flash!.memory[0x30000..<0x32800]) == image)
}
