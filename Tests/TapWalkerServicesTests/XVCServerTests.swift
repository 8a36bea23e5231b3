import Testing
import TapWalkerCore
import TapWalkerSim
@testable import TapWalkerServices

private func sim(_ part: String = "85f") -> SimCable {
    var o = SimOptions()
    o.part = Part.named(part)!
    return SimCable(options: o)
}

private func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> UInt32(8 * $0) & 0xFF) } }

/// `shift:` that goes Test-Logic-Reset → Shift-DR (IDCODE is selected after reset) and reads 32
/// bits: TMS 1,1,1,1,1, 0,1,0,0, then 32 shift bits with TMS high on the last.
private func idcodeShift() -> [UInt8] {
    var tms: [Bool] = [true, true, true, true, true, false, true, false, false]
    tms += [Bool](repeating: false, count: 31) + [true]
    var m = [UInt8](repeating: 0, count: (tms.count + 7) / 8)
    for (i, t) in tms.enumerated() where t { m[i / 8] |= 1 << UInt8(i % 8) }
    let d = [UInt8](repeating: 0, count: m.count)
    return Array("shift:".utf8) + u32(UInt32(tms.count)) + m + d
}

/// The IDCODE bits out of the TDO of `idcodeShift`: bits 9..40.
private func idcode(from tdo: [UInt8]) -> UInt32 {
    var v: UInt32 = 0
    for k in 0..<32 where tdo[(9 + k) / 8] >> UInt8((9 + k) % 8) & 1 == 1 { v |= 1 << UInt32(k) }
    return v
}

@Test func xvcGetinfoSettckAndShiftReadTheIDCODE() {
    let cable = sim()
    // settck: 100 ns → 10 MHz; the reply is the period now in force.
    let input = Array("getinfo:".utf8) + Array("settck:".utf8) + u32(100) + idcodeShift()
    // Delivered in awkward pieces: the parser must not care where reads split.
    let pieces = stride(from: 0, to: input.count, by: 5).map { Array(input[$0..<min($0 + 5, input.count)]) }
    let connection = ScriptedConnection(pieces)
    let summary = XVCServer(cable: cable, clock: ManualClock()).serve(connection)
    #expect(summary.closedBecause == nil)
    let info = Array("xvcServer_v1.0:\(XVCServer.advertisedVectorBytes)\n".utf8)
    #expect(Array(connection.sent.prefix(info.count)) == info)
    #expect(Array(connection.sent[info.count..<(info.count + 4)]) == u32(100))
    #expect(cable.frequency == 10_000_000)
    let tdo = Array(connection.sent[(info.count + 4)...])
    #expect(tdo.count == 6)
    #expect(idcode(from: tdo) == 0x4111_3043)
    #expect(summary.shifts == 1 && summary.bitsClocked == 41)
    #expect(connection.closed)
}

@Test func xvcClosesOnAnUnknownCommandAndOnAnOverlongShift() {
    let bogus = ScriptedConnection(Array("getinfo:hello:".utf8))
    let s1 = XVCServer(cable: sim(), clock: ManualClock()).serve(bogus)
    #expect(s1.closedBecause?.contains("unknown XVC command 'hello:'") == true)
    #expect(bogus.closed)

    let max = XVCServer.advertisedVectorBytes * 8
    let long = ScriptedConnection(Array("shift:".utf8) + u32(UInt32(max + 1)))
    let s2 = XVCServer(cable: sim(), clock: ManualClock()).serve(long)
    #expect(s2.closedBecause == "shift of \(max + 1) bits; this server takes 1 to \(max)")
    #expect(long.sent.isEmpty)

    // A name that never ends in a colon is cut off rather than buffered for ever.
    let endless = ScriptedConnection([UInt8](repeating: UInt8(ascii: "a"), count: 100))
    #expect(XVCServer(cable: sim(), clock: ManualClock()).serve(endless).closedBecause?.hasPrefix("not an XVC command") == true)

    // Half a shift, then the client went away.
    let cut = ScriptedConnection(Array(idcodeShift().prefix(12)))
    #expect(XVCServer(cable: sim(), clock: ManualClock()).serve(cut).closedBecause == "connection ended inside shift")
}

@Test func xvcTheClientsSilenceIsTimeOnTheSimulatedBoard() {
    // A clock that advances 2.5 ms at each reading: a wait for the client spans 2.5 ms.
    final class SlowClient: ServiceClock {
        var now: UInt64 = 0
        func microseconds() -> UInt64 { now += 2_500; return now }
        func sleep(microseconds: UInt32) {}
    }
    let cable = sim()
    var options = JTAGServerOptions()
    options.idleTimeReachesCable = true
    _ = XVCServer(cable: cable, clock: SlowClient(), options: options).serve(ScriptedConnection(Array("getinfo:".utf8)))
    #expect(cable.statistics.simulatedMicroseconds! >= 2_500)

    let real = sim()
    _ = XVCServer(cable: real, clock: SlowClient()).serve(ScriptedConnection(Array("getinfo:".utf8)))
    #expect(real.statistics.simulatedMicroseconds == 0, "off for a real cable: its time passes by itself")
}

// MARK: - remote_bitbang

/// OpenOCD's pattern for one bit: TCK low with TMS/TDI, then R when TDO is wanted, then TCK high.
private func rbb(_ bits: [(tms: Bool, tdi: Bool, read: Bool)]) -> [UInt8] {
    var out: [UInt8] = []
    for b in bits {
        let v = UInt8(b.tms ? 2 : 0) | UInt8(b.tdi ? 1 : 0)
        out.append(UInt8(ascii: "0") + v)
        if b.read { out.append(UInt8(ascii: "R")) }
        out.append(UInt8(ascii: "4") + v)
    }
    return out
}

private func idcodeBits() -> [(tms: Bool, tdi: Bool, read: Bool)] {
    var bits: [(tms: Bool, tdi: Bool, read: Bool)] = []
    for t in [true, true, true, true, true, false, true, false, false] { bits.append((t, false, false)) }
    for k in 0..<32 { bits.append((k == 31, false, true)) }
    return bits
}

private func value(_ replies: [UInt8]) -> UInt32 {
    var v: UInt32 = 0
    for (k, r) in replies.enumerated() where r == UInt8(ascii: "1") { v |= 1 << UInt32(k) }
    return v
}

@Test func remoteBitbangReadsTheIDCODEInOneBatchAndBitByBit() {
    // Pipelined: everything at once, answers in one send.
    let all = ScriptedConnection(rbb(idcodeBits()) + Array("Q".utf8))
    let s = RemoteBitbangServer(cable: sim(), clock: ManualClock()).serve(all)
    #expect(s.closedBecause == nil)
    #expect(all.sent.count == 32)
    #expect(value(all.sent) == 0x4111_3043)

    // A client that waits for each answer before the rising edge: R ends every piece, so the
    // answer must come from the pin itself.
    var pieces: [[UInt8]] = []
    var piece: [UInt8] = []
    for b in rbb(idcodeBits()) {
        piece.append(b)
        if b == UInt8(ascii: "R") { pieces.append(piece); piece = [] }
    }
    pieces.append(piece)
    let stepwise = ScriptedConnection(pieces)
    _ = RemoteBitbangServer(cable: sim(), clock: ManualClock()).serve(stepwise)
    #expect(value(stepwise.sent) == 0x4111_3043)
}

@Test func remoteBitbangOnlyRisingEdgesClockAndUnknownBytesClose() {
    let cable = sim()
    // Two bytes with TCK high in a row are one edge; LED, resets, CR/LF change nothing.
    let input = Array("0404B44b\r\nrstu".utf8)
    let c = ScriptedConnection(input)
    let s = RemoteBitbangServer(cable: cable, clock: ManualClock()).serve(c)
    #expect(s.bitsClocked == 2 && cable.statistics.tckCycles == 2)
    #expect(s.closedBecause == nil)

    let bad = ScriptedConnection(Array("04X".utf8))
    let s2 = RemoteBitbangServer(cable: sim(), clock: ManualClock()).serve(bad)
    #expect(s2.closedBecause?.contains("unknown remote_bitbang command 'X'") == true)
}

@Test func remoteBitbangSleepsPassOnTheBoard() {
    let cable = sim()
    _ = RemoteBitbangServer(cable: cable, clock: ManualClock()).serve(ScriptedConnection(Array("ZZz".utf8)))
    #expect(cable.statistics.simulatedMicroseconds == 2_001)
}

@Test func remoteBitbangAnswersMoreReadsThanOneReplyBufferInOrder() {
    // 40 IDCODE reads of 32 `R` each: more than `replyBytes` answers in one batch.
    var input: [UInt8] = []
    for _ in 0..<40 { input += rbb(idcodeBits()) }
    let c = ScriptedConnection(input + Array("Q".utf8))
    let s = RemoteBitbangServer(cable: sim(), clock: ManualClock()).serve(c)
    #expect(s.closedBecause == nil)
    #expect(c.sent.count == 40 * 32)
    for k in 0..<40 { #expect(value(Array(c.sent[(32 * k)..<(32 * k + 32)])) == 0x4111_3043) }
}

@Test func xvcALongestVectorInAnyPiecesGivesTheTDOOfTheCableItself() {
    // Test-Logic-Reset → Shift-DR (IDCODE), then TDI through the register for the rest.
    let bytes = XVCServer.advertisedVectorBytes
    var tms = [UInt8](repeating: 0, count: bytes)
    tms[0] = 0x5F
    var tdi = [UInt8](repeating: 0, count: bytes)
    var seed: UInt32 = 7
    for i in 1..<bytes { seed = seed &* 1_103_515_245 &+ 12345; tdi[i] = UInt8(truncatingIfNeeded: seed >> 16) }
    let direct = sim()
    var expected = [UInt8](repeating: 0, count: bytes)
    tms.withUnsafeBytes { m in
        tdi.withUnsafeBytes { d in
            expected.withUnsafeMutableBytes { o in try! direct.clock(bits: bytes * 8, tms: m, tdi: d, tdo: o) }
        }
    }
    let request = Array("shift:".utf8) + u32(UInt32(bytes * 8)) + tms + tdi
    for size in [request.count, 1000, 7] {
        let pieces = stride(from: 0, to: request.count, by: size).map { Array(request[$0..<min($0 + size, request.count)]) }
        let c = ScriptedConnection(pieces)
        let s = XVCServer(cable: sim(), clock: ManualClock()).serve(c)
        #expect(s.closedBecause == nil && s.bitsClocked == bytes * 8, "pieces of \(size)")
        #expect(c.sent == expected, "pieces of \(size)")
    }
}

@Test func remoteBitbangWithoutASamplerAnswersAReadWithTheNextEdge() {
    // A cable that cannot sample TDO (an XVC cable): a read at the end of a piece is answered with
    // the TDO of the rising edge in the next piece, in order, as OpenOCD's stream has it.
    var pieces: [[UInt8]] = []
    var piece: [UInt8] = []
    for b in rbb(idcodeBits()) {
        piece.append(b)
        if b == UInt8(ascii: "R") { pieces.append(piece); piece = [] }
    }
    pieces.append(piece + Array("Q".utf8))
    let stepwise = ScriptedConnection(pieces)
    let cable = sim()
    let s = RemoteBitbangServer(cable: cable, sampler: nil, clock: ManualClock()).serve(stepwise)
    #expect(s.closedBecause == nil)
    #expect(stepwise.sent.count == 32)
    #expect(value(stepwise.sent) == 0x4111_3043)

    // Reads that no edge ever follows cannot be answered: past a batch of them the client is closed.
    let flood = ScriptedConnection([[UInt8]](repeating: [UInt8](repeating: UInt8(ascii: "R"), count: 4096), count: 3))
    let s2 = RemoteBitbangServer(cable: sim(), sampler: nil, clock: ManualClock()).serve(flood)
    #expect(s2.closedBecause?.contains("TDO reads without a TCK edge") == true)
    #expect(flood.sent.isEmpty)
}

@Test func networkCableAddresses() throws {
    func parse(_ text: String) throws(TapWalkerError) -> NetworkCableAddress { try NetworkCableAddress.parse(Array(text.utf8)) }
    #expect(try parse("xvc://10.0.2.2:2542") == NetworkCableAddress(kind: .xvc, host: "10.0.2.2", port: 2542))
    #expect(try parse("xvc://board?tck=1000000") == NetworkCableAddress(kind: .xvc, host: "board", port: 2542, tckHz: 1_000_000))
    #expect(try parse("rbb://[::1]:4000/") == NetworkCableAddress(kind: .remoteBitbang, host: "::1", port: 4000))
    #expect(try parse("rbb://h").port == 3335)
    #expect(try parse("rbb://[::1]:4000").text == "rbb://[::1]:4000")
    for bad in ["xvc://", "xvc://h:0", "xvc://h:65536", "xvc://h:x", "rbb://h?tck=5", "xvc://h?speed=1", "usb://h", "xvc://a b:1"] {
        #expect(throws: TapWalkerError.self, "\(bad)") { try parse(bad) }
    }
}
