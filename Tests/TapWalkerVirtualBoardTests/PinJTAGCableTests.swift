import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices
import TapWalkerSim
import TapWalkerVirtualBoard
import Testing

/// PinJTAGCable over the virtual ESP32's pins and SPI master, driving the simulated ECP5 edge by
/// edge: the same configuration as the `sim` cable, flash jobs through the SPI bridge, and the
/// simulated time of a load against its bit time.
@Suite("PinJTAGCable on the virtual board")
struct PinJTAGCableTests {
    @Test("blink-85f.bit loads to DONE through GPIO and SPI with the sim cable's digest, two transfers in flight")
    func load85F() throws {
        let bits = Examples.bytes("blink-85f.bit")
        let expected = simCableDigest(part: "85f", bits)
        let f = VirtualBoardFixture()
        let r = f.board.loadSRAM(MemorySource(bits))
        #expect(r.failure == nil, "\(r.failure?.message ?? "")")
        #expect(f.done)
        #expect(f.wire.violation == nil)
        #expect(f.wire.board.configurationDigest == expected.digest && expected.digest != 0)
        let spi = try #require(f.spi)
        #expect(spi.peakInFlight == 2)
        // Every data byte went through the SPI master: at least one 4 KB transfer per 4 KB.
        #expect(spi.transfersQueued >= bits.count / PinJTAGCable.transferBytes)
        #expect(f.wire.owner == .gpio && f.cable.transfersInFlight == 0)

        // Simulated time against the bits' own time at 25 MHz (40 ns a TCK cycle).
        let cycles = f.wire.statistics.tckCycles
        let simulated = f.wire.statistics.simulatedMicroseconds!
        let bitTime = cycles * 40 / 1000
        let ratio = Double(simulated) / Double(bitTime)
        print("85F SRAM load over virtual pins+SPI: \(cycles) TCK cycles, \(spi.transfersQueued) SPI transfers, simulated \(simulated) µs against \(bitTime) µs of bit time at 25 MHz (ratio \(ratio)); sim cable: \(expected.cycles) cycles")
        // The time model is computed, not measured, so it is deterministic: the transfers' set-up
        // hides behind the shifting, and the GPIO bits and BUSY waits are a small share.
        #expect(ratio >= 1.0 && ratio < 1.1)
    }

    @Test("bit-level only (no SPI master): blink-25f.bit loads to DONE with the sim cable's digest")
    func bitLevel25F() {
        let bits = Examples.bytes("blink-25f.bit")
        let expected = simCableDigest(part: "25f", bits)
        let f = VirtualBoardFixture(part: "25f", spi: false)
        let r = f.board.loadSRAM(MemorySource(bits))
        #expect(r.failure == nil, "\(r.failure?.message ?? "")")
        #expect(f.done && f.wire.violation == nil)
        #expect(f.wire.board.configurationDigest == expected.digest && expected.digest != 0)
        let cycles = f.wire.statistics.tckCycles
        let simulated = f.wire.statistics.simulatedMicroseconds!
        print("25F SRAM load by GPIO only: \(cycles) TCK cycles, simulated \(simulated) µs (\(simulated * 1000 / max(1, cycles)) ns a bit)")
        // Every bit at the GPIO loop's 200 ns.
        #expect(simulated >= cycles * 200 / 1000)
    }

    @Test("IDCODE, and a flash write, read-back and verify through the board service")
    func flashJobs() throws {
        let f = VirtualBoardFixture(part: "25f")
        let identity = f.board.identify()
        #expect(identity.failure == nil && identity.idcode == 0x4111_1043)
        let blink = Examples.bytes("blink-25f.bit")
        let boot = f.board.writeFlash(MemorySource(blink), at: 0)
        #expect(boot.failure == nil, "\(boot.failure?.message ?? "")")
        #expect(boot.access.reload?.done == true && f.done)
        let flash = try #require(f.wire.board.flash)
        let holds = Array(flash.memory.bytes.prefix(blink.count)) == blink
        #expect(holds)
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let other = f.board.writeFlash(MemorySource(data), at: 0x200000)
        #expect(other.failure == nil && other.written == 0x200000..<(0x200000 + data.count))
        var back: [UInt8] = []
        let read = f.board.readFlash(at: 0x200000, count: data.count) { back += $0 }
        let same = back == data
        #expect(read.failure == nil && same)
        let verify = f.board.verifyFlash(MemorySource(data), at: 0x200000)
        #expect(verify.matches && verify.bytes == data.count)
        #expect(f.wire.violation == nil && f.done)
        #expect(f.spi!.transfersQueued > 0)
    }

    @Test("a long TDO read goes through SPI and returns the same bits as the GPIO path")
    func tdoThroughSPI() throws {
        // BYPASS in a 1-bit register: TDO is TDI one bit later, so a pattern comes back shifted.
        let f = VirtualBoardFixture(part: "25f")
        let walker = TapWalker(cable: f.cable)
        try walker.reset()
        try walker.shiftIR(0xFF, length: 8)
        let n = 5000
        let pattern = (0..<(n + 7) / 8).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var out = [UInt8](repeating: 0, count: pattern.count)
        try pattern.withBytes { (t) throws(TapWalkerError) in
            try out.withMutableBytes { (o) throws(TapWalkerError) in
                try walker.shiftDR(bits: n, tdi: t, tdo: o)
            }
        }
        #expect(f.spi!.transfersQueued >= 1)
        for i in 1..<n {
            let sent = pattern[(i - 1) >> 3] >> UInt8((i - 1) & 7) & 1
            let got = out[i >> 3] >> UInt8(i & 7) & 1
            if sent != got { Issue.record("bit \(i): \(got), sent \(sent) one bit earlier"); break }
        }
        #expect(f.wire.violation == nil)
    }

    @Test("a raw clock() whose long TMS-low run starts mid-byte gives the sim cable's TDO, bit for bit")
    func unalignedRunMatchesSimCable() throws {
        // From Run-Test/Idle with BYPASS loaded: Select-DR, Capture-DR, Shift-DR, 3000 bits, Exit1,
        // Update, Idle. The run starts at bit 1, so its TDO goes through the cable's own buffers.
        let n = 3 + 3000 + 2
        var tms = [UInt8](repeating: 0, count: (n + 7) / 8)
        for i in [0, n - 3, n - 2] { tms[i >> 3] |= UInt8(1 << (i & 7)) }
        let tdi = (0..<tms.count).map { UInt8(truncatingIfNeeded: $0 &* 53 &+ 29) }
        func run(_ cable: any Cable) throws -> [UInt8] {
            let walker = TapWalker(cable: cable)
            try walker.reset()
            try walker.shiftIR(0xFF, length: 8)
            var tdo = [UInt8](repeating: 0xEE, count: tms.count)
            try tms.withBytes { (m) throws(TapWalkerError) in
                try tdi.withBytes { (d) throws(TapWalkerError) in
                    try tdo.withMutableBytes { (o) throws(TapWalkerError) in try cable.clock(bits: n, tms: m, tdi: d, tdo: o) }
                }
            }
            return tdo
        }
        let f = VirtualBoardFixture(part: "25f")
        let viaPins = try run(f.cable)
        let viaSim = try run(SimCable(options: try SimOptions.parse("part=25f")))
        #expect(f.spi!.transfersQueued >= 1 && f.wire.violation == nil)
        for i in 0..<n where (viaPins[i >> 3] ^ viaSim[i >> 3]) >> UInt8(i & 7) & 1 != 0 {
            Issue.record("TDO bit \(i) differs from the sim cable's")
            break
        }
    }
}
