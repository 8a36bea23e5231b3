import Testing
@testable import TapWalkerCore

private func parser(_ text: String, maxBits: Int = 1 << 20) -> SVFParser {
    SVFParser(MemorySource(Array(text.utf8), name: "t.svf"), maxVectorBits: maxBits)
}

private func statements(_ text: String) throws(TapWalkerError) -> [SVFStatement] {
    let p = parser(text)
    var out: [SVFStatement] = []
    while let s = try p.next() { out.append(s) }
    return out
}

private func scan(_ s: SVFStatement?) -> SVFScan? {
    if case .scan(let x) = s { return x }
    return nil
}

private func failure(_ text: String, maxBits: Int = 1 << 20) -> String {
    do { try parser(text, maxBits: maxBits).readToEnd(); return "" } catch { return error.message }
}

/// A cable that loops TDI back to TDO and records every TMS bit.
private final class LoopbackCable: Cable {
    var tms: [Bool] = []
    var waited: UInt64 = 0
    var hz: UInt32 = 1_000_000
    func clock(bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?) throws(TapWalkerError) {
        for i in 0..<bits { self.tms.append(tms[i >> 3] & (1 << (i & 7)) != 0) }
        if let tdo { for i in 0..<((bits + 7) / 8) { tdo[i] = tdi[i] } }
    }
    func wait(microseconds: UInt32) throws(TapWalkerError) { waited += UInt64(microseconds) }
    var frequency: UInt32 { hz }
    func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 { hz = hertz; return hz }
    var statistics: CableStatistics { CableStatistics(tckCycles: UInt64(tms.count)) }
}

@Suite struct SVFParserTests {
    @Test("hex is MSB first: the first bit shifted is the low bit of the last digit; short vectors are zero-padded")
    func bitOrder() throws {
        let s = try statements("SDR 12 TDI (ABC);\nSDR 12 TDI (0C);\nSIR 8 TDI (000000E0);")
        #expect(scan(s[0])?.tdi.bytes == [0xBC, 0x0A])
        #expect(scan(s[1])?.tdi.bytes == [0x0C, 0x00])
        #expect(scan(s[2])?.tdi.bytes == [0xE0] && scan(s[2])?.instruction == true)
        #expect(scan(s[0])?.tdi.hex(from: 0, width: 12) == "ABC")
    }

    @Test("statements span lines, share lines, and carry ! and // comments anywhere between words")
    func layout() throws {
        let p = parser("! header\n// another\nSDR 8 // the length\n  TDI\n (F\n0) ! done\n; SIR 8 TDI (01); sir 8 tdi (02);\n")
        #expect(scan(try p.next())?.tdi.bytes == [0xF0] && p.line == 3)
        #expect(scan(try p.next())?.tdi.bytes == [0x01] && p.line == 7)
        #expect(scan(try p.next())?.tdi.bytes == [0x02] && p.line == 7)
        #expect(try p.next() == nil)
    }

    @Test("TDI and MASK are sticky for the same length; a new length needs TDI and resets MASK; TDO is not sticky")
    func sticky() throws {
        let s = try statements("SDR 8 TDI (5A) TDO (00) MASK (0F);\nSDR 8 TDO (11);\nSDR 8;\nSDR 16 TDI (1234) TDO (0000);")
        #expect(scan(s[1])?.tdi.bytes == [0x5A] && scan(s[1])?.mask.bytes == [0x0F] && scan(s[1])?.tdo?.bytes == [0x11])
        #expect(scan(s[2])?.tdo == nil)
        #expect(scan(s[3])?.mask.bytes == [0xFF, 0xFF])
        #expect(failure("SDR 8 TDI (00);\nSDR 9 TDO (00);").contains("line 2: SDR of 9 bits gives no TDI"))
    }

    @Test("HDR/TDR wrap every SDR, header bits first; their TDO is compared, the rest masked out where not given")
    func headersAndTrailers() throws {
        let s = try statements("HDR 4 TDI (A);\nTDR 4 TDI (5) TDO (5);\nSDR 8 TDI (C3);")
        let x = try #require(scan(s[2]))
        #expect(x.tdi.count == 16 && x.tdi.bytes == [0x3A, 0x5C])
        #expect(x.tdo?.bytes == [0x00, 0x50] && x.mask.bytes == [0x00, 0xF0])
    }

    @Test("RUNTEST: clocks, times rounded up to the microsecond, the run state as default end state, ENDSTATE, MAXIMUM")
    func runTest() throws {
        let s = try statements("""
            RUNTEST IDLE 2 TCK 1.00E-02 SEC;
            RUNTEST DRPAUSE 100 TCK;
            RUNTEST 1.5E-7 SEC MAXIMUM 1 SEC ENDSTATE IDLE;
            RUNTEST 3 SCK;
            """)
        guard case .runTest(let a) = s[0], case .runTest(let b) = s[1], case .runTest(let c) = s[2], case .runTest(let d) = s[3] else {
            Issue.record("not RUNTEST"); return
        }
        #expect(a.clocks == 2 && a.minimumMicroseconds == 10_000 && a.runState == .runTestIdle && a.end == .runTestIdle)
        #expect(b.runState == .pauseDR && b.end == .pauseDR && b.clocks == 100)
        #expect(c.runState == .pauseDR && c.end == .runTestIdle && c.minimumMicroseconds == 1 && c.clocks == 0)
        #expect(d.runState == .pauseDR && d.end == .runTestIdle && d.clocks == 3)
    }

    @Test("malformed SVF is refused with its line and what is wrong")
    func malformed() {
        #expect(failure("SIR 8 TDI (00);\nSDR 8 TDI (00)") .contains("line 2: the file ends inside the SDR statement that starts on line 2"))
        #expect(failure("\n\nSDR 8 TDI (0X);").contains("line 3: 'X' is not a hex digit"))
        #expect(failure("SDR 8 TDI (100);").contains("more bits than the length"))
        #expect(failure("SDR 7 TDI (80);").contains("more bits than the 7"))
        #expect(failure("ENDDR SHIFT;").contains("unknown TAP state 'SHIFT'"))
        #expect(failure("ENDDR DRSHIFT;").contains("not a stable state"))
        #expect(failure("STATE IDLE IRPAUSE;").contains("IRPAUSE is not one TCK away from IDLE"))
        #expect(failure("FROB 1;").contains("line 1: unknown command 'FROB'"))
        #expect(failure("PIO (HLX);").contains("not supported"))
        #expect(failure("SDR 8 TDI (00) TDI (00);").contains("TDI is given twice"))
        #expect(failure("SDR 9000 TDI (00);", maxBits: 8192).contains("SDR of 9000 bits is longer than the 8192 bits"))
        #expect(failure("TRST MAYBE;").contains("TRST takes ON, OFF, Z or ABSENT"))
        #expect(failure("FREQUENCY 1E6;").contains("FREQUENCY takes a number of HZ"))
        #expect(failure("RUNTEST IDLE;").contains("RUNTEST needs a TCK count or a time"))
        #expect(failure("SDR 8 TDI (00) / x;").contains("a single '/'"))
        #expect(failure("TRST OFF; STATE RESET; ENDIR IRPAUSE; FREQUENCY 1E6 HZ; FREQUENCY; STATE RESET IDLE DRSELECT DRCAPTURE DREXIT1 DRPAUSE;") == "")
    }

    @Test("the player: reset first, TDO compared under MASK, a mismatch names the line and the masked bits, TCK counted")
    func player() throws {
        let cable = LoopbackCable()
        let player = SVFPlayer(walker: TapWalker(cable: cable))
        try player.play(parser("SIR 8 TDI (E0) TDO (E0);\nSDR 32 TDI (12345678) TDO (00000078) MASK (000000FF);\nRUNTEST 10 TCK 1E-3 SEC;\nSTATE RESET;"))
        // 5 reset, 5 to Shift-IR, 8 (the last into Exit1), 2 to Idle, 3 to Shift-DR, 32, 2 to Idle, 10, 5 reset.
        #expect(cable.tms.count == 5 + 5 + 8 + 2 + 3 + 32 + 2 + 10 + 5)
        #expect(player.report.tckCycles == UInt64(cable.tms.count) && player.report.checkedScans == 2)
        #expect(cable.waited == 1000 - 10)  // the ten clocks at 1 MHz took 10 µs of the minimum time
        let again = SVFPlayer(walker: TapWalker(cable: LoopbackCable()))
        do {
            try again.play(parser("SIR 8 TDI (E0);\n\nSDR 16 TDI (1234)\n TDO (1244) MASK (FFF0);"))
            Issue.record("a mismatch must fail")
        } catch {
            #expect(error.kind == .data)
            #expect(error.message == "line 3: TDO mismatch in SDR of 16 bits: expected 1240, got 1230 (MASK FFF0, first differing bit 4)")
        }
    }

    @Test("a vector longer than one cable chunk streams through in chunks with the TDO compared throughout")
    func longVector() throws {
        let digits = String(repeating: "0123456789ABCDEF", count: 1000)  // 64000 bits
        let cable = LoopbackCable()
        let player = SVFPlayer(walker: TapWalker(cable: cable))
        try player.play(parser("SDR 64000 TDI (\(digits)) TDO (\(digits));"))
        #expect(player.report.bitsShifted == 64000 && player.report.checkedScans == 1)
        // A mismatch in a short last chunk (4100 bits: 4096 + 4) shows that chunk's bits.
        let tail = SVFPlayer(walker: TapWalker(cable: LoopbackCable()))
        let tdi = "1" + String(repeating: "0", count: 1024)
        do {
            try tail.play(parser("SDR 4100 TDI (\(tdi)) TDO (0\(tdi.dropFirst()));"))
            Issue.record("a mismatch must fail")
        } catch {
            #expect(error.message == "line 1: TDO mismatch in bits 4099..4096 of SDR of 4100 bits: expected 0, got 1 (MASK F, first differing bit 4096)")
        }
    }
}
