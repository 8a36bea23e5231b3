import Testing
@testable import TapWalkerUSB

/// TMS/TDI vectors of `n` random bits, TMS low in long runs (as in shifts) and short moves.
private func randomVectors(_ n: Int, seed: UInt64) -> (tms: [UInt8], tdi: [UInt8]) {
    var state = seed
    func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
    var tms = [UInt8](repeating: 0, count: (n + 7) / 8), tdi = tms
    var i = 0
    while i < n {
        let run = Int(next() % 5 == 0 ? next() % 40 : next() % 4) + 1
        let high = next() % 3 == 0
        for k in i..<min(n, i + run) where high { tms[k / 8] |= 1 << UInt8(k % 8) }
        i += run
    }
    for k in 0..<n where next() % 2 == 0 { tdi[k / 8] |= 1 << UInt8(k % 8) }
    return (tms, tdi)
}

private func bit(_ v: [UInt8], _ i: Int) -> Bool { v[i / 8] >> UInt8(i % 8) & 1 != 0 }

/// What the commands clock, replayed as a chip would: (TMS, TDI) per cycle, the TMS pin held by the
/// last TMS command during data shifts (FTDI AN_108).
private func replayMPSSE(_ bytes: [UInt8]) -> [(Bool, Bool)] {
    var cycles: [(Bool, Bool)] = []
    var tmsPin = true
    var i = 0
    while i < bytes.count {
        let op = bytes[i]
        switch op {
        case 0x19, 0x39, 0x11:
            let n = Int(bytes[i + 1]) | Int(bytes[i + 2]) << 8 + 1
            for k in 0..<n {
                let b = bytes[i + 3 + k]
                for j in 0..<8 { cycles.append((tmsPin, op == 0x11 ? b >> UInt8(7 - j) & 1 != 0 : b >> UInt8(j) & 1 != 0)) }
            }
            i += 3 + n
        case 0x1B, 0x3B:
            for j in 0...Int(bytes[i + 1]) { cycles.append((tmsPin, bytes[i + 2] >> UInt8(j) & 1 != 0)) }
            i += 3
        case 0x4B, 0x6B:
            for j in 0...Int(bytes[i + 1]) {
                tmsPin = bytes[i + 2] >> UInt8(j) & 1 != 0
                cycles.append((tmsPin, bytes[i + 2] & 0x80 != 0))
            }
            i += 3
        case 0x87: i += 1
        default: Issue.record("unexpected opcode \(op)"); return cycles
        }
    }
    return cycles
}

@Test func mpsseCommandsClockExactlyTheBitsAskedFor() {
    for seed in 1...40 {
        let n = 1 + Int(seed) * 37
        let (tms, tdi) = randomVectors(n, seed: UInt64(seed))
        var e = MPSSEEncoder()
        tms.withUnsafeBytes { m in tdi.withUnsafeBytes { t in e.clock(bits: n, tms: m, tdi: t, read: seed % 2 == 0) } }
        let cycles = replayMPSSE(e.bytes)
        #expect(cycles.count == n)
        for k in 0..<min(n, cycles.count) {
            #expect(cycles[k].0 == bit(tms, k) && cycles[k].1 == bit(tdi, k), "seed \(seed) bit \(k)")
        }
    }
}

@Test func mpsseReadsEveryBitOnceAndLongRunsAreByteShifts() {
    let n = 4000
    var tms = [UInt8](repeating: 0, count: n / 8), tdi = tms
    tms[0] = 0b0000_0011; tms[n / 8 - 1] = 0x80
    for k in 0..<tdi.count { tdi[k] = UInt8(truncatingIfNeeded: k &* 37) }
    var e = MPSSEEncoder()
    tms.withUnsafeBytes { m in tdi.withUnsafeBytes { t in e.clock(bits: n, tms: m, tdi: t, read: true) } }
    #expect(e.captures.map(\.bits).reduce(0, +) == n)
    #expect(e.captures.map(\.destinationBit) == e.captures.indices.map { i in e.captures[..<i].map(\.bits).reduce(0, +) })
    #expect(e.bytes.count < n / 8 + 20, "about one command byte per 8 bits")
    #expect(e.bytes.contains(0x39))
}

@Test func mpsseBulkShiftIsOneMSBFirstCommandPer64KB() {
    let data = [UInt8](repeating: 0xA5, count: 70_000)
    var e = MPSSEEncoder()
    data.withUnsafeBytes { e.shiftMSBFirst($0) }
    #expect(e.bytes.count == data.count + 6)
    #expect(Array(e.bytes[0..<3]) == [0x11, 0xFF, 0xFF])
    #expect(Array(e.bytes[65539..<65542]) == [0x11, UInt8((70_000 - 65_536 - 1) & 0xFF), UInt8((70_000 - 65_536 - 1) >> 8)])
}

@Test func ftdiDivisorGivesTheFastestTCKNotAboveTheRequest() {
    #expect(FTDIClockDivisor.divisor(for: 30_000_000) == 0)
    #expect(FTDIClockDivisor.divisor(for: 50_000_000) == 0)
    #expect(FTDIClockDivisor.divisor(for: 15_000_000) == 1)
    #expect(FTDIClockDivisor.divisor(for: 25_000_000) == 1, "30 MHz would be above 25 MHz")
    #expect(FTDIClockDivisor.divisor(for: 1) == 0xFFFF)
    for hz: UInt32 in [1_000, 100_000, 1_000_000, 6_000_000, 7_000_000, 12_345_678, 29_999_999] {
        let d = FTDIClockDivisor.divisor(for: hz)
        #expect(FTDIClockDivisor.frequency(divisor: d) <= hz)
        // One divisor less would be faster than asked: 30 MHz / d > hz, in exact arithmetic.
        #expect(d == 0 || UInt64(30_000_000) > UInt64(hz) * UInt64(d))
    }
}

@Test func mpsseSetupTurnsOffPrescalerAdaptiveAndThreePhaseAndSetsTheDivisor() {
    let s = MPSSEEncoder.setup(divisor: 0x1234)
    #expect(s.contains(0x8A) && s.contains(0x97) && s.contains(0x8D))
    let i = s.firstIndex(of: 0x86)!
    #expect(Array(s[i..<(i + 3)]) == [0x86, 0x34, 0x12])
}

/// Replays DAP_JTAG_Sequence packets into (TMS, TDI) cycles and checks each packet's size.
private func replayDAP(_ packets: [USBPacket], size: Int) -> [(Bool, Bool)] {
    var cycles: [(Bool, Bool)] = []
    for p in packets {
        #expect(p.bytes.count <= size)
        #expect(p.bytes[0] == 0x14)
        var i = 2
        for _ in 0..<Int(p.bytes[1]) {
            let info = p.bytes[i]
            let n = info & 63 == 0 ? 64 : Int(info & 63)
            for k in 0..<n { cycles.append((info & 0x40 != 0, p.bytes[i + 1 + k / 8] >> UInt8(k % 8) & 1 != 0)) }
            i += 1 + (n + 7) / 8
        }
        #expect(i == p.bytes.count)
    }
    return cycles
}

@Test func cmsisDAPPacketsClockExactlyTheBitsAndFillThePacketSize() {
    for size in [64, 512] {
        let n = 9000
        let (tms, tdi) = randomVectors(n, seed: UInt64(size))
        var e = CMSISDAPEncoder(packetSize: size)
        tms.withUnsafeBytes { m in tdi.withUnsafeBytes { t in e.clock(bits: n, tms: m, tdi: t, read: true) } }
        let packets = e.takePackets()
        let cycles = replayDAP(packets, size: size)
        #expect(cycles.count == n)
        for k in 0..<min(n, cycles.count) { #expect(cycles[k].0 == bit(tms, k) && cycles[k].1 == bit(tdi, k)) }
        #expect(packets.allSatisfy { $0.replyLength <= size })
        #expect(packets.flatMap(\.captures).map(\.bits).reduce(0, +) == n)
    }
    var bulk = CMSISDAPEncoder(packetSize: 512)
    let data = [UInt8](repeating: 0x01, count: 10_000)
    data.withUnsafeBytes { bulk.shiftMSBFirst($0) }
    let packets = bulk.takePackets()
    let cycles = replayDAP(packets, size: 512)
    #expect(cycles.count == 80_000)
    #expect(cycles[7].1 && !cycles[0].1, "MSB first: the set bit of 0x01 is the eighth clocked")
    #expect(packets.count <= 10_000 / (8 * 56) + 1, "full 512-byte packets of 64-bit sequences")
}

@Test func cmsisDAPCommandBytes() {
    #expect(CMSISDAPEncoder.swjClock(25_000_000) == [0x11, 0x40, 0x78, 0x7D, 0x01])
    #expect(CMSISDAPEncoder.connectJTAG() == [0x02, 0x02])
    #expect(CMSISDAPEncoder.infoRequest(0xFF) == [0x00, 0xFF])
}

/// Replays DirtyJTAG packets into (TMS, TDI) cycles, the way the firmware reads them.
private func replayDirtyJTAG(_ packets: [USBPacket]) -> [(Bool, Bool)] {
    var cycles: [(Bool, Bool)] = []
    var tck = false, tms = false, tdi = false
    for p in packets {
        #expect(p.bytes.count <= 64)
        var i = 0
        packet: while i < p.bytes.count {
            let op = p.bytes[i]
            switch op & 0x0F {
            case 0x00: break packet
            case 0x03:
                let n = Int(p.bytes[i + 1]) + (op & 0x40 != 0 ? 256 : 0)
                for k in 0..<n { cycles.append((false, p.bytes[i + 2 + k / 8] >> UInt8(7 - k % 8) & 1 != 0)) }
                #expect(i + 2 + (n + 7) / 8 >= p.bytes.count - 1, "a transfer ends its packet")
                break packet
            case 0x04:
                let mask = p.bytes[i + 1], v = p.bytes[i + 2]
                if mask & 0x10 != 0 { tms = v & 0x10 != 0 }
                if mask & 0x04 != 0 { tdi = v & 0x04 != 0 }
                if mask & 0x02 != 0 { if v & 0x02 != 0 && !tck { cycles.append((tms, tdi)) }; tck = v & 0x02 != 0 }
                i += 3
            case 0x05: break packet
            case 0x06:
                tms = p.bytes[i + 1] & 0x10 != 0; tdi = p.bytes[i + 1] & 0x04 != 0
                for _ in 0..<Int(p.bytes[i + 2]) { cycles.append((tms, tdi)) }
                i += 3
            default: Issue.record("unexpected command \(op)"); return cycles
            }
        }
    }
    return cycles
}

@Test func dirtyJTAGPacketsClockExactlyTheBitsAskedFor() {
    for read in [false, true] {
        let n = 3000
        let (tms, tdi) = randomVectors(n, seed: read ? 7 : 8)
        var e = DirtyJTAGEncoder()
        tms.withUnsafeBytes { m in tdi.withUnsafeBytes { t in e.clock(bits: n, tms: m, tdi: t, read: read) } }
        let packets = e.takePackets()
        let cycles = replayDirtyJTAG(packets)
        #expect(cycles.count == n)
        for k in 0..<min(n, cycles.count) { #expect(cycles[k].0 == bit(tms, k) && cycles[k].1 == bit(tdi, k), "bit \(k)") }
        #expect(packets.flatMap(\.captures).map(\.bits).reduce(0, +) == (read ? n : 0))
    }
}

@Test func bitBangAnswersCarryTDOFromTheTCKHighBytes() {
    var e = BitBangEncoder()
    let tms: [UInt8] = [0b0000_0001], tdi: [UInt8] = [0b0000_0010]
    tms.withUnsafeBytes { m in tdi.withUnsafeBytes { t in e.clock(bits: 3, tms: m, tdi: t, read: true) } }
    #expect(e.bytes == [0x40, 0x60, 0x80, 0xA0, 0x00, 0x20])
    // Answers: TDO (CTS, 0x08) high only in the answer to the second cycle's TCK-high byte.
    let answer: [UInt8] = [0, 0, 0, 0x08, 0x08, 0]
    var out: [UInt8] = [0xFF]
    answer.withUnsafeBytes { a in out.withUnsafeMutableBytes { e.scatter(a, into: $0) } }
    #expect(out[0] & 0b111 == 0b010)
}
