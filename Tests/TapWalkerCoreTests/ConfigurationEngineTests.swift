import Testing
@testable import TapWalkerCore

private let p25 = Part.named("25f")!

private func run(_ bytes: [UInt8], part: Part? = nil, source: ConfigurationEngine.Source = .jtag)
    -> (ConfigurationEngine, [(Int, [UInt8])])
{
    let engine = ConfigurationEngine(part: part, source: source)
    var frames: [(Int, [UInt8])] = []
    engine.frameSink = { n, b in frames.append((n, Array(b))) }
    bytes.withUnsafeBytes { engine.consume($0) }
    return (engine, frames)
}

@Test func compressedFrameCodesDecodeToTheOriginalBytes() {
    let dictionary: [UInt8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x99]
    // Every code: zero bytes, single set bits, every dictionary entry, literals.
    var payload: [UInt8] = [0, 0, 0x01, 0x80, 0x08, 0x11, 0x99, 0x55, 0xA5, 0xFF, 0x3C]
    payload += (0..<(74 - payload.count)).map { UInt8(truncatingIfNeeded: $0 &* 29) }
    var compressor = FrameCompressor(dictionary: dictionary)
    let packed = compressor.compress([UInt8](repeating: 0, count: 6) + payload)  // 74 → 80 bytes, left padded

    var b = BitstreamBuilder()
    b.resetCRC()
    b.command(BitstreamCommand.verifyID, BitstreamBuilder.be32(p25.idcode))
    // Dictionary operand: pattern 7 first … pattern 0 last.
    b.command(BitstreamCommand.writeCompressionDictionary, Array(dictionary.reversed()))
    b.command(BitstreamCommand.programIncrementCompressed, info: [0x91, 0x00, 0x01])
    b.raw(packed)
    b.appendCRC()
    b.raw([0xFF])  // dummy byte after the frame, part of the next CRC
    b.command(BitstreamCommand.programDone)

    let (engine, frames) = run(b.bytes)
    #expect(engine.problem == nil)
    #expect(engine.compressed)
    #expect(frames.count == 1)
    #expect(frames.first?.0 == p25.frames - 1, "the first frame sent is the highest-numbered")
    #expect(frames.first?.1 == payload)
    #expect(engine.programDone && !engine.isComplete, "one frame of 7562 is not a configuration")
}

@Test func aWrongCRCIsACRCErrorAtItsOffset() {
    var b = BitstreamBuilder()
    b.resetCRC()
    b.command(BitstreamCommand.verifyID, BitstreamBuilder.be32(p25.idcode))
    b.command(BitstreamCommand.programUserCode, BitstreamBuilder.be32(0x1234_5678), checked: true)
    let good = run(b.bytes).0
    #expect(good.problem == nil && good.userCode == 0x1234_5678 && good.crcChecks == 1)
    var bad = b.bytes
    bad[bad.count - 1] ^= 0x01
    let engine = run(bad).0
    #expect(engine.problem?.code == .crc)
    #expect(engine.problem?.offset == bad.count - 2, "reported at the stored CRC16")
}

@Test func dummyBytesAtCommandPositionAreNotInTheCRC() {
    var b = BitstreamBuilder()
    b.resetCRC()
    b.dummy(7)
    b.command(BitstreamCommand.verifyID, BitstreamBuilder.be32(p25.idcode), checked: true)
    #expect(run(b.bytes).0.problem == nil)
}

@Test func theDeviceChecksVERIFYIDAgainstItsOwnIDCODE() {
    var b = BitstreamBuilder()
    b.resetCRC()
    b.command(BitstreamCommand.verifyID, BitstreamBuilder.be32(0x4111_3043))
    #expect(run(b.bytes, part: p25).0.problem?.code == .id)
    #expect(run(b.bytes, part: Part.named("85f")).0.problem == nil)
    #expect(run(b.bytes).0.part?.name == "LFE5U-85F", "with no device the part comes from VERIFY_ID")
}

@Test func unknownOpcodesAreIllegalCommands() {
    var b = BitstreamBuilder()
    b.raw([0x5A, 0, 0, 0])
    #expect(run(b.bytes).0.problem?.code == .illegalCommand)
}

@Test func spiModeAbortsAJTAGLoadButNotAFlashBoot() {
    var b = BitstreamBuilder()
    b.resetCRC()
    b.command(BitstreamCommand.spiMode, info: [0x03, 0, 0])
    #expect(run(b.bytes, part: p25, source: .jtag).0.problem?.code == .aborted)
    #expect(run(b.bytes, part: p25, source: .flash).0.problem == nil)
}

@Test func framesBeyondThePartAreAnSDMError() {
    var b = BitstreamBuilder()
    b.resetCRC()
    b.command(BitstreamCommand.verifyID, BitstreamBuilder.be32(p25.idcode))
    b.command(BitstreamCommand.programIncrementRTI, info: [0x91, 0x33, 0xEE])  // 13294 frames into a 25F
    #expect(run(b.bytes).0.problem?.code == .sdm)
}

@Test func junkBeforeThePreambleIsIgnored() {
    var b = BitstreamBuilder()
    b.resetCRC()
    b.command(BitstreamCommand.verifyID, BitstreamBuilder.be32(p25.idcode), checked: true)
    let junk: [UInt8] = (0..<500).map { UInt8(truncatingIfNeeded: $0 * 7) }
    let (engine, _) = run(junk + b.bytes)
    #expect(engine.problem == nil && engine.verifiedID == p25.idcode)
}

@Test func bitSerialAndByteFeedingAgree() {
    let bytes = Examples.bytes("ram-25f-compressed.bit")
    let e1 = ConfigurationEngine(part: nil)
    bytes.withUnsafeBytes { e1.consume($0) }
    let e2 = ConfigurationEngine(part: nil)
    for b in bytes { for k in 0..<8 { e2.consume(bit: b >> UInt8(7 - k) & 1 == 1) } }
    #expect(e1.isComplete && e2.isComplete)
    #expect(e1.crcChecks == e2.crcChecks && e1.ebrFramesWritten == e2.ebrFramesWritten)
}
