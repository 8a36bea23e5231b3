import Foundation
import Testing
@testable import TapWalkerCore
@testable import TapWalkerSim

/// SRAM loads stop at the first problem in the input instead of streaming the rest into a failed
/// FPGA, never read past the part's largest bitstream, and can check a whole input before erasing.



private func board(_ part: String) -> (SimCable, ECP5Port) {
    var o = SimOptions()
    o.part = Part.named(part)!
    let cable = SimCable(options: o)
    return (cable, ECP5Port(walker: TapWalker(cable: cable)))
}

@Test func aDamagedFrameEndsTheBurstThere() throws {
    var data = Examples.bytes("blink-25f-compressed.bit")
    let at = data.count / 3
    data[at] ^= 0x20
    let (cable, port) = board("25f")
    let source = EndlessSource(data, then: 0xFF)
    let report = SRAMProgrammer(port: port).program(source)
    let problem = try #require(report.bitstream?.problem)
    #expect(report.stoppedEarly && report.sramTouched)
    #expect(report.bytesSent >= problem.offset + 1 && report.bytesSent <= problem.offset + 2, "sent \(report.bytesSent), problem at \(problem.offset)")
    #expect(source.served < at + 3 * 4096, "read \(source.served) of a stream damaged at \(at)")
    #expect(!report.done && report.status?.bse == problem.code, "the device found the same problem")
    #expect(report.failure?.message.contains("stopped") == true, "\(report.failure?.message ?? "")")
    #expect(!cable.board.configurationValid)
}

@Test func endlessPaddingAfterAValidBitstreamStopsAtThePartsLargestSize() throws {
    let part = try #require(Part.named("25f"))
    let (cable, port) = board("25f")
    let source = EndlessSource(Examples.bytes("blink-25f.bit"), then: 0xFF)
    let report = SRAMProgrammer(port: port).program(source)
    #expect(report.stoppedEarly)
    #expect(report.bytesSent <= part.maximumBitstreamBytes + 2)
    #expect(source.served <= part.maximumBitstreamBytes + 2 * 4096)
    #expect(report.bitstream?.problem?.code == BSECode.none)
    #expect(report.failure?.kind == .data, "a clear error, though the FPGA is configured")
    #expect(report.done && cable.board.configurationValid)
}

@Test func aForcedBitstreamForAnotherPartStopsAfterVerifyID() throws {
    let data = Examples.bytes("blink-85f.bit")
    let (_, port) = board("45f")
    var options = SRAMProgrammer.Options()
    options.force = true
    let report = SRAMProgrammer(port: port).program(MemorySource(data), options: options)
    #expect(report.sramTouched && !report.done && report.status?.bse == .id)
    #expect(report.stoppedEarly && report.bytesSent < 1024, "sent \(report.bytesSent)")
}

@Test func checkingFirstRefusesADamagedInputBeforeErasing() throws {
    let good = Examples.bytes("blink-25f.bit")
    var bad = good
    bad[bad.count - 1000] ^= 0x01  // late in the file: only a whole pass finds it
    let (cable, port) = board("25f")
    let programmer = SRAMProgrammer(port: port)
    #expect(programmer.program(MemorySource(good)).done)
    let digest = cable.board.configurationDigest

    let refused = programmer.program(MemorySource(bad, name: "bad.bit"), checkingFirst: MemorySource(bad, name: "bad.bit"))
    #expect(!refused.ok && !refused.sramTouched && refused.bytesSent == 0)
    #expect(refused.failure?.kind == .data)
    #expect(refused.failure?.message.contains("frame") == true, "\(refused.failure?.message ?? "")")
    #expect(refused.failure?.message.contains("nothing was written") == true)
    #expect(cable.board.configurationValid && cable.board.configurationDigest == digest, "the running design is untouched")

    let notABitstream = programmer.program(MemorySource([1, 2, 3]), checkingFirst: MemorySource([1, 2, 3]))
    #expect(notABitstream.failure?.kind == .input && !notABitstream.sramTouched)

    let accepted = programmer.program(MemorySource(good), checkingFirst: MemorySource(good))
    #expect(accepted.ok && accepted.done && accepted.bytesSent == good.count)
}
