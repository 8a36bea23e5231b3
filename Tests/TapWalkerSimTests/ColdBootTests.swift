import Foundation
import Testing
@testable import TapWalkerCore
@testable import TapWalkerSim

// The simulated ECP5 booting from its SPI flash as the chip does (docs/ecp5.md §6), through
// LSC_REFRESH, with every outcome: blank, a good image, a damaged primary with its golden image,
// a bitstream for another part, a JUMP into empty flash, and how many images it tries.



private let flashSize = 4 << 20  // IS25LP032D
private let goldenAt = 0x100000

/// A flash image of the 4 MB chip with `pieces` placed at their addresses.
private func image(_ pieces: [(Int, [UInt8])]) -> [UInt8] {
    var out = [UInt8](repeating: 0xFF, count: flashSize)
    for (at, b) in pieces { out.replaceSubrange(at..<at + b.count, with: b) }
    return out
}

/// The dual-boot layout: `primary` at 0, `golden` at 1 MB, the jump table at the top.
private func dualBoot(primary: [UInt8], golden: [UInt8], goldenAddress: Int = goldenAt) -> [UInt8] {
    image([(0, primary), (goldenAddress, golden), (flashSize - 256, MultibootLayout.jumpStream(to: goldenAddress))])
}

/// A damaged copy: one bit flipped in the middle of the frames.
private func damaged(_ b: [UInt8]) -> [UInt8] {
    var c = b
    c[c.count / 2] ^= 0x10
    return c
}

/// Boots a 25F from `contents` with LSC_REFRESH and waits for it; returns the board and its status.
private func refresh(_ contents: [UInt8], part: String = "25f") throws -> (SimulatedECP5, StatusRegister) {
    var o = SimOptions()
    o.part = Part.named(part)!
    o.flash = FlashChip.named("is25lp032")!
    let cable = SimCable(options: o)
    cable.board.flash!.load(contents)
    let port = ECP5Port(walker: TapWalker(cable: cable))
    try port.reset()
    try port.command(.refresh)
    for _ in 0..<1000 where try port.readStatus().busy { try cable.wait(microseconds: 50_000) }
    return (cable.board, try port.readStatus())
}

/// The configuration a JTAG load of `file` leaves in a 25F's SRAM.
private func jtagDigest(_ file: String) throws -> UInt64 {
    var o = SimOptions()
    o.part = Part.named("25f")!
    let cable = SimCable(options: o)
    let port = ECP5Port(walker: TapWalker(cable: cable))
    try port.reset()
    #expect(SRAMProgrammer(port: port).program(MemorySource(Examples.bytes(file), name: file)).done)
    return cable.board.configurationDigest
}

@Test func aBlankFlashBootsNothingAndSaysPreamble() throws {
    let (board, s) = try refresh([])
    #expect(!s.done && s.bse == .preamble)
    #expect(s.has(.spiMasterFail) && s.has(.executionError), "the primary failed and the top of the flash held no jump table: \(s.summary)")
    let boot = try #require(board.lastBoot)
    #expect(boot.primary.reason == "blank (all 0xFF) at 0x000000")
    #expect(boot.fallback == nil && boot.tries == 1 && boot.loaded == nil)
    #expect(board.bootBytesRead == ColdBoot.preambleSearchBytes + ColdBoot.jumpTableBytes)
}

@Test func aValidImageAtZeroBootsWithoutTouchingTheFallBack() throws {
    let data = Examples.bytes("blink-25f.bit")
    let (board, s) = try refresh(dualBoot(primary: data, golden: Examples.bytes("ram-25f.bit")))
    #expect(s.done && s.bse == .none && !s.has(.spiMasterFail), "\(s.summary)")
    let boot = try #require(board.lastBoot)
    #expect(boot.tries == 1 && !boot.fallbackTried)
    let loaded = try #require(boot.loaded)
    #expect(loaded.imageAddress == 0 && loaded.start == 0)
    #expect(loaded.size! <= data.count && loaded.size! >= data.count - 64)
    #expect(board.configurationDigest == (try jtagDigest("blink-25f.bit")))
    #expect(board.bootBytesRead == loaded.size, "the FPGA stops reading at the end of the image")
}

@Test func aCRCErrorInThePrimaryFallsBackToTheGoldenImage() throws {
    let (board, s) = try refresh(dualBoot(primary: damaged(Examples.bytes("blink-25f.bit")), golden: Examples.bytes("ram-25f.bit")))
    #expect(s.done && s.bse == .none && s.has(.spiMasterFail), "DONE from the golden image, SPIm fail 1 for the primary: \(s.summary)")
    let boot = try #require(board.lastBoot)
    #expect(boot.tries == 2)
    #expect(boot.primary.code == .crc)
    #expect(boot.primary.reason!.hasPrefix("CRC error at byte "), "\(boot.primary.reason!)")
    let golden = try #require(boot.fallback)
    #expect(golden.loads && golden.imageAddress == goldenAt && golden.jumps == [goldenAt])
    #expect(board.configurationDigest == (try jtagDigest("ram-25f.bit")), "the SRAM holds the golden design, nothing of the primary")
}

@Test func aBitstreamForAnotherPartIsAnIDErrorAndTheGoldenOneStillBoots() throws {
    let (_, alone) = try refresh(Examples.bytes("blink-85f.bit"))
    #expect(!alone.done && alone.bse == .id && alone.has(.idError) && alone.fail, "\(alone.summary)")
    let (board, s) = try refresh(dualBoot(primary: Examples.bytes("blink-85f.bit"), golden: Examples.bytes("blink-25f.bit")))
    #expect(s.done && s.has(.spiMasterFail))
    #expect(board.lastBoot!.primary.code == .id && board.lastBoot!.primary.reason!.contains("VERIFY_ID"))
}

@Test func aJumpToAnEmptyAddressFindsNothing() throws {
    // The jump table points at 1 MB, where nothing was written; the primary is blank too.
    let (board, s) = try refresh(image([(flashSize - 256, MultibootLayout.jumpStream(to: goldenAt))]))
    #expect(!s.done && s.bse == .preamble && s.has(.executionError))
    let boot = try #require(board.lastBoot)
    #expect(boot.tries == 2)
    #expect(boot.fallback?.reason == "JUMP to 0x100000 finds nothing there: blank (all 0xFF)")
    // A JUMP at 0 to an image elsewhere is followed, once.
    let moved = image([(0, MultibootLayout.jumpStream(to: 0x200000)), (0x200000, Examples.bytes("blink-25f.bit"))])
    let (b2, s2) = try refresh(moved)
    #expect(s2.done && b2.lastBoot!.loaded!.imageAddress == 0x200000)
    // A second JUMP on the same path is not followed (strict).
    let twice = image([(0, MultibootLayout.jumpStream(to: 0x200000)), (0x200000, MultibootLayout.jumpStream(to: 0x300000)),
                       (0x300000, Examples.bytes("blink-25f.bit"))])
    let (b3, s3) = try refresh(twice)
    #expect(!s3.done && b3.lastBoot!.primary.reason!.contains("jumps again"))
}

@Test func theFPGATriesThePrimaryAndTheGoldenImageOnceEach() throws {
    // Both damaged: two tries, then the golden image's CRC error in the status register.
    let (board, s) = try refresh(dualBoot(primary: damaged(Examples.bytes("blink-25f.bit")), golden: damaged(Examples.bytes("ram-25f.bit"))))
    #expect(!s.done && s.bse == .crc && s.fail && s.has(.spiMasterFail) && s.has(.executionError), "\(s.summary)")
    #expect(board.lastBoot!.tries == 2 && board.lastBoot!.loaded == nil && !board.configurationValid)
    // The check reads both paths whatever the primary does; the chip stops after the first that loads.
    let flash = SimulatedFlash(chip: FlashChip.named("is25lp032")!)
    flash.load(dualBoot(primary: Examples.bytes("blink-25f.bit"), golden: damaged(Examples.bytes("ram-25f.bit"))))
    let check = try ColdBoot(flash: flash, part: Part.named("25f")!).check()
    #expect(check.loaded?.imageAddress == 0 && check.tries == 1)
    #expect(check.fallback?.code == .crc, "the check still reports that the golden image would not load")
}
