import Testing
@testable import TapWalkerCore

/// The checker's fast paths (byte runs, whole frames, compressed frames counted instead of decoded)
/// must reach the verdict the byte-by-byte path and the decoding path reach, on good and damaged
/// input alike: same problem, at the same byte and frame, after the same counts.

private struct Verdict: Equatable, CustomStringConvertible {
    var code: BSECode?, offset: Int?, frame: Int?, message: String?
    var frames: Int, crcChecks: Int, ebrFrames: Int, programDone: Bool, complete: Bool

    init(_ e: ConfigurationEngine) {
        code = e.problem?.code
        offset = e.problem?.offset
        frame = e.problem?.frame
        message = e.problem?.message
        frames = e.framesWritten
        crcChecks = e.crcChecks
        ebrFrames = e.ebrFramesWritten
        programDone = e.programDone
        complete = e.isComplete
    }

    var description: String {
        "\(code.map { "\($0)" } ?? "ok") at \(offset ?? -1) frame \(frame ?? -1) \(message ?? ""), \(frames) frames, \(crcChecks) CRCs"
    }
}

/// Feeding: runs of `chunk` bytes (0: byte by byte through `consume(_: UInt8)`), with or without
/// a frame sink (with one, compressed frames are decoded).
private func verdict(_ bytes: [UInt8], chunk: Int, decoding: Bool) -> Verdict {
    let engine = ConfigurationEngine(part: nil)
    if decoding { engine.frameSink = { _, _ in } }
    if chunk == 0 {
        for b in bytes { engine.consume(b) }
    } else {
        bytes.withUnsafeBytes { all in
            var at = 0
            while at < all.count {
                let n = min(chunk, all.count - at)
                engine.consume(UnsafeRawBufferPointer(rebasing: all[at..<(at + n)]))
                at += n
            }
        }
    }
    return Verdict(engine)
}

private let feedings: [(chunk: Int, decoding: Bool)] = [(1, false), (13, false), (4096, false), (1 << 30, false), (4096, true)]

@Test(arguments: ["blink-25f.bit", "blink-25f-compressed.bit", "ram-25f-compressed.bit", "ram-45f.bit"])
func runsOfAnySizeReachTheByteByByteVerdict(file: String) {
    let good = Examples.bytes(file)
    // Damage spread over the frames: flipped bits in frame data, codes, CRCs and dummy bytes.
    var inputs = [good]
    var seed: UInt64 = 7
    for _ in 0..<6 {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        var bad = good
        let at = 200 + Int(seed >> 33) % (good.count - 400)
        bad[at] ^= UInt8(1) << UInt8(seed >> 20 & 7)
        inputs.append(bad)
    }
    for (k, input) in inputs.enumerated() {
        let reference = verdict(input, chunk: 0, decoding: true)
        if k == 0 { #expect(reference.complete, "\(file)") } else { #expect(reference.code != nil, "\(file) damage \(k)") }
        for f in feedings {
            #expect(verdict(input, chunk: f.chunk, decoding: f.decoding) == reference,
                    "\(file) damage \(k), runs of \(f.chunk), decoding \(f.decoding)")
        }
    }
}

@Test func frameCodeCounterAgreesWithTheDecoderOnEveryCode() {
    // A frame of every kind of code, packed as the bit decoder reads it, then counted by the table
    // from every starting state reachable at a byte boundary.
    let dictionary: [UInt8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x99]
    var compressor = FrameCompressor(dictionary: dictionary)
    var frame = [UInt8](repeating: 0, count: 80)
    for i in 0..<80 { frame[i] = [0, 0x01, 0x80, 0x11, 0x99, 0xA5, 0, 0][i % 8] }
    let packed = compressor.compress(frame)
    let table = FrameCodeCounter.table()
    var state = 0
    var codes = 0
    for b in packed {
        let e = Int(table[state | Int(b)])
        codes += e & Int(FrameCodeCounter.countMask)
        state = e & Int(FrameCodeCounter.rowMask)
        if codes >= 80 { break }
    }
    #expect(codes >= 80 && codes < 80 + 8)
    // Bit-level reference for every state and byte: the table's nibble composition is right.
    for s in 0..<FrameCodeCounter.states {
        for v in 0..<256 {
            var st = UInt8(s)
            var ended = 0
            for k in 0..<8 {
                let bit = (v >> (7 - k)) & 1 == 1
                switch st {
                case 0: if bit { st = 1 } else { ended += 1 }
                case 1: st = bit ? 9 : 5
                case 2: st = 0; ended += 1
                default: st -= 1
                }
            }
            #expect(table[s << 8 | v] == UInt16(st) << 8 | UInt16(ended), "state \(s) byte \(v)")
        }
    }
}

/// Endless input: `prefix`, then `fill` forever. Counts what was read.
private final class EndlessSource: ByteSource {
    let prefix: [UInt8]
    let fill: UInt8
    private(set) var served = 0
    init(_ prefix: [UInt8], then fill: UInt8) {
        self.prefix = prefix
        self.fill = fill
    }
    var totalBytes: Int? { nil }
    var name: String { "endless" }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        for i in 0..<buffer.count {
            buffer[i] = served + i < prefix.count ? prefix[served + i] : fill
        }
        served += buffer.count
        return buffer.count
    }
}

@Test func endlessPaddingAfterAValidBitstreamEndsAtThePartsLargestSize() throws {
    let good = Examples.bytes("blink-25f.bit")
    let part = try #require(Part.named("25f"))
    let source = EndlessSource(good, then: 0xFF)  // dummy bytes: the device would ignore them forever
    let info = try BitstreamInspector.inspect(source)
    #expect(info.programDone && info.frames == part.frames)
    #expect(info.problem?.code == BSECode.none)
    #expect(info.problem?.offset == part.maximumBitstreamBytes)
    #expect(source.served <= part.maximumBitstreamBytes + 16 * 1024, "read \(source.served)")
    #expect(info.problem?.message.contains("LFE5U-25F") == true)
}

@Test func endlessZerosAreNotABitstreamAndEndInBoundedTime() throws {
    let source = EndlessSource([], then: 0)
    let info = try BitstreamInspector.inspect(source)
    #expect(info.notABitstream?.kind == .input)
    #expect(source.served <= Part.largest.maximumBitstreamBytes + 16 * 1024)
}

@Test func inspectionStopsReadingAtTheFirstProblem() throws {
    var bytes = Examples.bytes("blink-85f.bit")
    let start = Fixtures.frameDataStart85F(bytes)
    bytes[start + 10 * 145 + 3] ^= 0x01
    let source = EndlessSource(bytes, then: 0xFF)
    let info = try BitstreamInspector.inspect(source)
    #expect(info.problem?.code == .crc && info.problem?.frame == 13293 - 10)
    #expect(source.served < 64 * 1024, "read \(source.served)")
}

@Test func inspectionForAPartChecksVerifyID() throws {
    let bytes = Examples.bytes("blink-25f.bit")
    let p12 = try #require(Part.named("12f"))
    let p25 = try #require(Part.named("25f"))
    #expect(try BitstreamInspector.inspect(MemorySource(bytes), for: p25).isValid)
    let other = try BitstreamInspector.inspect(MemorySource(bytes), for: p12)
    #expect(other.problem?.code == .id)
    #expect(other.bytes < bytes.count, "stops at VERIFY_ID")
}

@Test func everyPartsLimitHoldsItsLargestRealBitstream() {
    for entry in Fixtures.manifest {
        let part = Part.all.first { $0.idcode == entry.idcode }!
        #expect(entry.bytes < part.maximumBitstreamBytes, "\(entry.file)")
        #expect(part.maximumBitstreamBytes <= Part.largest.maximumBitstreamBytes)
    }
}
