import Foundation
import Testing
@testable import TapWalkerCore
@testable import TapWalkerSim



private func board(_ part: String, tck: UInt32 = 25_000_000) -> (SimCable, ECP5Port) {
    var o = SimOptions()
    o.part = Part.named(part)!
    o.tck = tck
    let cable = SimCable(options: o)
    return (cable, ECP5Port(walker: TapWalker(cable: cable)))
}

private func program(_ port: ECP5Port, _ data: [UInt8], _ options: SRAMProgrammer.Options = .init()) -> SRAMProgrammer.Report {
    SRAMProgrammer(port: port).program(MemorySource(data, name: "test.bit"), options: options)
}

// MARK: - TAP

@Test func instructionRegisterCapturesFive() throws {
    let (_, port) = board("85f")
    try port.reset()
    #expect(try port.walker.shiftIR(0xFF, length: 8) == 0x05)
}

@Test func idcodeIsSelectedAfterReset() throws {
    for part in Part.all {
        let (_, port) = board(part.name)
        try port.reset()
        #expect(try port.walker.scanDR(0, length: 32) == UInt64(part.idcode), "\(part.name)")
        #expect(try port.readIDCODE() == part.idcode)
    }
}

@Test func unknownInstructionsSelectAOneBitBypass() throws {
    let (_, port) = board("45f")
    try port.reset()
    try port.walker.shiftIR(0xA5, length: 8)
    // One register bit: what goes in comes out one clock later, after a captured 0.
    #expect(try port.walker.scanDR(0b1011_0110, length: 8) == 0b0110_1100)
}

@Test func commandInstructionsTakeAnyDRLength() throws {
    for length in [0, 1, 8, 13, 64] {
        let (_, port) = board("25f")
        try port.reset()
        try port.walker.shiftIR(UInt32(ECP5Instruction.iscEnable.rawValue), length: 8)
        if length > 0 { try port.walker.scanDR(0, length: length) }
        try port.walker.idle(clocks: 2)
        try port.waitUntilReady(after: "ISC_ENABLE")
        #expect(try port.readStatus().has(.iscEnable), "DR length \(length)")
    }
}

@Test func iscInstructionsRunOnlyInRunTestIdle() throws {
    let (_, port) = board("25f")
    try port.reset()
    // Update-IR straight to Select-DR and on to the next instruction: ISC_ENABLE never runs.
    try port.walker.shiftIR(UInt32(ECP5Instruction.iscEnable.rawValue), length: 8, end: .updateIR)
    #expect(try !port.readStatus().has(.iscEnable))
    try port.command(.iscEnable, operand: 0)
    try port.waitUntilReady(after: "ISC_ENABLE")
    #expect(try port.readStatus().has(.iscEnable))
}

@Test func instructionsSentWhileBusyAreIgnored() throws {
    let (cable, port) = board("25f")
    #expect(program(port, Examples.bytes("blink-25f.bit")).done)
    // ISC_ENABLE at 1 MHz: the next instruction arrives a few µs later, after BUSY has gone.
    _ = try cable.setFrequency(1_000_000)
    try port.command(.iscEnable, operand: 0)
    try port.command(.iscErase, operand: 1)
    #expect(!cable.board.configurationValid, "erase after enable works without a wait")
    // Wake-up (ISC_DISABLE) keeps the chip BUSY for a while: an instruction sent at once is lost.
    _ = try cable.setFrequency(25_000_000)
    #expect(program(port, Examples.bytes("blink-25f.bit")).done)
    try port.command(.iscEnable, operand: 0)
    try port.waitUntilReady(after: "ISC_ENABLE")
    try port.command(.iscDisable)
    #expect(try port.readStatus().busy, "wake-up takes time")
    try port.command(.iscEnable, operand: 0)  // sent while BUSY: ignored
    try port.waitUntilReady(after: "ISC_DISABLE")
    #expect(try !port.readStatus().has(.iscEnable))
    try port.command(.iscEnable, operand: 0)
    try port.waitUntilReady(after: "ISC_ENABLE")
    #expect(try port.readStatus().has(.iscEnable))
}

@Test func powerUpWithABlankFlashShowsAPreambleError() throws {
    let (_, port) = board("85f")
    try port.reset()
    let s = try port.readStatus()
    #expect(s.bse == .preamble && !s.done)
}

@Test func refreshBootsFromTheBlankFlashAndLosesTheDesign() throws {
    let (cable, port) = board("25f")
    #expect(program(port, Examples.bytes("blink-25f.bit")).done)
    try port.command(.refresh)
    try port.waitUntilReady(after: "LSC_REFRESH")
    let s = try port.readStatus()
    #expect(!s.done && s.bse == .preamble && !cable.board.configurationValid)
}

// MARK: - Programming

@Test func everyCommittedBitstreamProgramsToDoneOnItsOwnPart() throws {
    let manifest = try String(contentsOf: Examples.url("manifest.tsv"), encoding: .utf8)
    var digests: [String: UInt64] = [:]
    for line in manifest.split(separator: "\n").dropFirst() {
        let f = line.split(separator: "\t").map(String.init)
        let (cable, port) = board(f[2])
        let report = program(port, Examples.bytes(f[0]))
        #expect(report.ok && report.done, "\(f[0]): \(report.failure?.message ?? "")")
        #expect(report.usercode.map { ASCII.hex($0) } == f[5].lowercased())
        #expect(try port.readUserCode() == UInt32(f[5].dropFirst(2), radix: 16))
        #expect(cable.board.configurationValid)
        // A compressed bitstream configures exactly the same frames as its uncompressed twin.
        let key = f[0].replacingOccurrences(of: "-compressed", with: "")
        if let d = digests[key] { #expect(d == cable.board.configurationDigest, "\(f[0])") }
        digests[key] = cable.board.configurationDigest
    }
    #expect(digests.count == 8)
}

@Test func burstSplitOverManyShiftDRPeriodsStillConfigures() {
    let data = Examples.bytes("ram-45f.bit")
    let (reference, refPort) = board("45f")
    #expect(program(refPort, data).done)
    for split in [SRAMProgrammer.Options.Split.pauseDR, .updateDR] {
        let (cable, port) = board("45f")
        let report = program(port, data, .init(split: split, chunkBytes: 1000))
        #expect(report.done, "\(split): \(report.failure?.message ?? "")")
        #expect(cable.board.configurationDigest == reference.board.configurationDigest)
    }
}

@Test func aStrippedHeaderConfiguresTheSameDesign() {
    let data = Examples.bytes("blink-12f.bit")
    var at = 0
    for i in 3..<data.count where data[i - 3] == 0xFF && data[i - 2] == 0xFF && data[i - 1] == 0xBD && data[i] == 0xB3 { at = i - 3; break }
    let (a, pa) = board("12f"), (b, pb) = board("12f")
    #expect(program(pa, data).done)
    #expect(program(pb, Array(data[at...])).done)
    #expect(a.board.configurationDigest == b.board.configurationDigest)
}

/// A cable without the bulk path: every burst bit goes through clock() one at a time.
private final class BitByBitCable: Cable {
    let inner: SimCable
    init(_ inner: SimCable) { self.inner = inner }
    func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) {
        try inner.clock(bits: bits, tms: tms, tdi: tdi, tdo: tdo)
    }
    func wait(microseconds: UInt32) throws(TapWalkerError) { try inner.wait(microseconds: microseconds) }
    var frequency: UInt32 { inner.frequency }
    func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 { try inner.setFrequency(hertz) }
    var statistics: CableStatistics { inner.statistics }
}

@Test func theBitSerialPathConfiguresLikeTheBulkPath() {
    let data = Examples.bytes("ram-25f-compressed.bit")
    let (bulk, bulkPort) = board("25f")
    #expect(program(bulkPort, data).done)
    let (inner, _) = board("25f")
    let serialPort = ECP5Port(walker: TapWalker(cable: BitByBitCable(inner)))
    #expect(program(serialPort, data).done)
    #expect(inner.board.configurationDigest == bulk.board.configurationDigest)
    #expect(inner.board.cycles == bulk.board.cycles, "both paths clock the same number of bits")
}

@Test func aBitstreamForAnotherPartIsRefusedBeforeAnythingIsErased() throws {
    let (cable, port) = board("45f")
    #expect(program(port, Examples.bytes("blink-45f.bit")).done)
    let before = cable.board.configurationDigest
    let cyclesBefore = cable.board.cycles

    let refused = program(port, Examples.bytes("blink-85f.bit"))
    #expect(!refused.ok && !refused.sramTouched)
    #expect(refused.failure?.message.contains("bitstream is for LFE5U-85F (0x41113043) but the board is LFE5U-45F (0x41112043); nothing was written") == true)
    #expect(cable.board.configurationDigest == before && cable.board.configurationValid)
    #expect(try port.readStatus().done, "the previous design still runs")
    #expect(cable.board.cycles - cyclesBefore < 200, "only IDCODE was read")

    let forced = program(port, Examples.bytes("blink-85f.bit"), .init(force: true))
    #expect(!forced.ok && !forced.done)
    #expect(forced.status?.bse == .id)
    #expect(forced.failure?.kind == .device)
}

@Test func aFlippedBitEndsInACRCErrorNotDone() {
    var data = Examples.bytes("blink-85f.bit")
    data[data.count / 2] ^= 0x04
    let (cable, port) = board("85f")
    let report = program(port, data)
    #expect(!report.done && report.status?.bse == .crc)
    #expect(report.failure?.message.contains("CRC") == true)
    #expect(report.failure?.message.contains("frame") == true, "the input's own check names the frame")
    #expect(!cable.board.configurationValid)
}

@Test func aTruncatedBitstreamDoesNotReachDone() {
    let data = Examples.bytes("blink-25f.bit")
    let (cable, port) = board("25f")
    let report = program(port, Array(data[0..<(data.count * 2 / 3)]))
    #expect(!report.ok && !report.done)
    #expect(report.status?.fail == true)
    #expect(report.failure?.message.contains("truncated") == true)
    #expect(!cable.board.configurationValid)
}

@Test func notABitstreamIsRefusedBeforeTheDeviceIsTouched() {
    let (cable, port) = board("25f")
    let report = program(port, [UInt8](repeating: 0x5A, count: 30000))
    #expect(report.failure?.kind == .input)
    #expect(!report.sramTouched)
    #expect(cable.board.status.bse == .preamble, "power-up state unchanged")
}

// MARK: - Time

@Test func simulatedTimeFollowsTCKAndWaits() throws {
    let (cable, port) = board("25f", tck: 1_000_000)
    try port.reset()
    #expect(cable.statistics.tckCycles == 6)  // 5 to reset, 1 to Run-Test/Idle
    #expect(cable.statistics.simulatedMicroseconds == 6)
    try cable.wait(microseconds: 1000)
    #expect(cable.statistics.simulatedMicroseconds == 1006)
    #expect(cable.statistics.tckCycles == 6)
}

@Test func programmingCostsLittleMoreThanTheBitstreamItself() {
    let data = Examples.bytes("blink-85f.bit")
    let (cable, port) = board("85f")
    #expect(program(port, data).done)
    let bits = Double(data.count * 8)
    #expect(Double(cable.board.cycles) / bits < 1.002)
    #expect(Double(cable.board.timeNanoseconds) / (bits * 40) < 1.01)
}

@Test func simOptionsParse() throws {
    #expect(try SimOptions.parse("").part.name == "LFE5U-85F")
    #expect(try SimOptions.parse("part=UM5G-85F,tck=1000000").part.name == "LFE5UM5G-85F")
    #expect(try SimOptions.parse("tck=1000000").tck == 1_000_000)
    #expect(throws: TapWalkerError.self) { try SimOptions.parse("part=95f") }
    #expect(throws: TapWalkerError.self) { try SimOptions.parse("tck=30000000") }
    #expect(throws: TapWalkerError.self) { try SimOptions.parse("speed=1") }
}
