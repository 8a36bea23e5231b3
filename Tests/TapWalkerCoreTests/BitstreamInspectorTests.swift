import Testing
@testable import TapWalkerCore

private func inspect(_ bytes: [UInt8]) -> BitstreamInfo {
    try! BitstreamInspector.inspect(MemorySource(bytes, name: "test.bit"))
}

@Test func everyCommittedBitstreamIsValidAndMatchesItsManifest() {
    #expect(Fixtures.manifest.count == 16)
    for entry in Fixtures.manifest {
        let info = inspect(Examples.bytes(entry.file))
        #expect(info.isValid, "\(entry.file): \(info.problem?.message ?? "")")
        #expect(info.part?.name == entry.part, "\(entry.file)")
        #expect(info.idcode == entry.idcode)
        #expect(info.compressed == entry.compressed)
        #expect(info.usercode == entry.usercode)
        #expect(info.ebrWrites == entry.ebrWrites)
        #expect(info.frames == info.part?.frames)
        #expect(info.bytes == entry.bytes)
        #expect(info.header("Part")?.hasPrefix(entry.part + "-") == true, "ecppack's Part: header names the part")
    }
}

@Test func compressedAndUncompressedBitstreamsCarryTheSameFrames() {
    for design in ["blink", "ram"] {
        for part in ["12f", "45f"] {
            var plain: [Int: [UInt8]] = [:], packed: [Int: [UInt8]] = [:]
            for (file, sink) in [("\(design)-\(part).bit", 0), ("\(design)-\(part)-compressed.bit", 1)] {
                let engine = ConfigurationEngine(part: nil)
                engine.frameSink = { n, b in if sink == 0 { plain[n] = Array(b) } else { packed[n] = Array(b) } }
                Examples.bytes(file).withUnsafeBytes { engine.consume($0) }
                #expect(engine.isComplete, "\(file)")
            }
            #expect(plain.count == Part.named(part)!.frames)
            #expect(plain == packed, "\(design)-\(part)")
        }
    }
}

@Test func aFlippedBitInFrameDataNamesTheFailingFrame() {
    var bytes = Examples.bytes("blink-85f.bit")
    let start = Fixtures.frameDataStart85F(bytes)
    let k = 4000  // the 4001st frame sent: frame number 13293 - 4000
    bytes[start + k * 145 + 70] ^= 0x10
    let info = inspect(bytes)
    #expect(info.problem?.code == .crc)
    #expect(info.problem?.frame == 13293 - k)
    #expect(info.problem?.offset == start + k * 145 + 142, "found at the frame's CRC")
}

@Test func aStrippedHeaderIsStillAValidBitstream() {
    let bytes = Examples.bytes("blink-25f.bit")
    let stripped = Array(bytes[(Fixtures.preambleEnd(bytes) - 4)...])
    let info = inspect(stripped)
    #expect(info.isValid)
    #expect(info.headerStrings.isEmpty)
    #expect(info.preambleOffset == 0)
}

@Test func truncatedRandomAndEmptyInputsAreReported() {
    let bytes = Examples.bytes("blink-25f.bit")
    let truncated = inspect(Array(bytes[0..<(bytes.count / 2)]))
    #expect(truncated.problem?.message.contains("truncated") == true)
    #expect(truncated.notABitstream == nil)

    var seed: UInt64 = 42
    let random: [UInt8] = (0..<65536).map { _ in
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: seed >> 33)
    }
    #expect(inspect(random).notABitstream?.kind == .input)
    #expect(inspect([]).notABitstream?.message.contains("empty") == true)
}
