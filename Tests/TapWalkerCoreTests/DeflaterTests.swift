import Foundation
import Testing
import TapWalkerCore

// The compressor against two decoders: TapWalker's own inflater, and Python's zlib told exactly the
// window the stream was made with (zlib rejects a distance farther back than that window, so a
// successful decode also proves no match reaches too far).

private let deflaterExamples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples").path

/// Reads `cases.txt` ("name format windowBits" per line; `<name>.<format>` and `<name>.plain` next
/// to it) and decodes each with zlib using exactly that window; fails naming every mismatch.
private let pythonChecker = #"""
import gzip, os, sys, zlib
d = sys.argv[1]
bad = []
n = 0
for line in open(os.path.join(d, 'cases.txt')):
    name, fmt, bits = line.split()
    bits = int(bits)
    data = open(os.path.join(d, name + '.' + fmt), 'rb').read()
    plain = open(os.path.join(d, name + '.plain'), 'rb').read()
    try:
        if fmt == 'zlib':
            out = zlib.decompress(data, bits)
            # The same deflate data as raw, with exactly that window.
            raw = zlib.decompressobj(-bits).decompress(data[2:-4])
            if raw != plain: bad.append('%s: raw decode with wbits -%d differs' % (name, bits))
        elif fmt == 'gzip':
            out = zlib.decompress(data, 16 + 15)
            if gzip.decompress(data) != plain: bad.append('%s: gzip module differs' % name)
            raw = zlib.decompressobj(-bits).decompress(data[10:-8])
            if raw != plain: bad.append('%s: raw decode with wbits -%d differs' % (name, bits))
        else:
            out = zlib.decompressobj(-bits).decompress(data)
    except Exception as e:
        bad.append('%s: %s' % (name, e)); continue
    if out != plain: bad.append('%s: %d bytes decoded, %d expected' % (name, len(out), len(plain)))
    n += 1
if bad:
    sys.stderr.write('\n'.join(bad) + '\n'); sys.exit(1)
"""#

@Suite("deflate (the compressor behind `tapwalker pack`)")
struct DeflaterTests {
    /// Inputs: random, structured, real bitstreams, and the edge cases.
    static let inputs: [(name: String, bytes: [UInt8])] = {
        var state: UInt64 = 0x1951_1950_1952_0001
        func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        let random = (0..<50_000).map { _ in UInt8(truncatingIfNeeded: next() >> 24) }
        let words: [[UInt8]] = [Array("flip".utf8), Array("flop".utf8), Array("LUT4".utf8), [0, 0, 0], [UInt8](repeating: 0xFF, count: 7), Array("frame".utf8)]
        var structured: [UInt8] = []
        while structured.count < 120_000 { structured += words[Int(next() % UInt64(words.count))] }
        // Repeats at every distance around the window sizes, to exercise the window limit.
        var farRepeats: [UInt8] = []
        let block = (0..<700).map { _ in UInt8(truncatingIfNeeded: next() >> 32) }
        for gap in [256, 511, 512, 513, 1024, 4095, 4096, 4097, 16384, 32767, 32768, 32769, 40000] {
            farRepeats += block
            farRepeats += (0..<gap).map { _ in UInt8(truncatingIfNeeded: next() >> 40) }
            farRepeats += block
        }
        func file(_ name: String) -> [UInt8] {
            [UInt8](FileManager.default.contents(atPath: deflaterExamples + "/" + name) ?? Data())
        }
        return [
            ("empty", []), ("one-byte", [0x41]), ("three-bytes", [1, 1, 1]),
            ("zeros", [UInt8](repeating: 0, count: 100_000)),
            ("random", random), ("structured", structured), ("far-repeats", farRepeats),
            ("blink-25f", file("blink-25f.bit")), ("ram-25f", file("ram-25f.bit")),
        ]
    }()

    @Test("the example bitstreams are there")
    func examplesPresent() {
        for (name, bytes) in Self.inputs where name.hasSuffix("25f") { #expect(bytes.count > 500_000, "\(name)") }
    }

    @Test("zlib header: CINFO is the window, the check bits are right", arguments: 9...15)
    func zlibHeader(bits: Int) throws {
        let out = try Deflater.compress(Array("hello hello hello".utf8), windowBits: bits, format: .zlib)
        #expect(Int(out[0] >> 4) == bits - 8)
        #expect(out[0] & 0x0F == 8)
        #expect((Int(out[0]) << 8 | Int(out[1])) % 31 == 0)
        #expect(out[1] & 0x20 == 0)  // no preset dictionary
        let gz = try Deflater.compress(Array("hello".utf8), windowBits: bits, format: .gzip)
        #expect(Array(gz[0..<3]) == [0x1F, 0x8B, 0x08])
    }

    @Test("windows outside 512 B … 32 KB are a usage error", arguments: [0, 8, 16, 20])
    func badWindow(bits: Int) {
        #expect(throws: TapWalkerError.self) { try Deflater.compress([1, 2, 3], windowBits: bits) }
    }

    @Test("round trip through TapWalker's inflater, every window 2^9 … 2^15", arguments: 9...15)
    func roundTripOwn(bits: Int) throws {
        for (name, bytes) in Self.inputs {
            let z = try Deflater.compress(bytes, windowBits: bits, format: .zlib)
            // zlib declares the window; the inflater takes exactly that much and rejects farther distances.
            #expect(try decompress(z, format: .zlib) == bytes, "\(name) zlib window 2^\(bits)")
            let g = try Deflater.compress(bytes, windowBits: bits, format: .gzip)
            #expect(try decompress(g, format: .gzip) == bytes, "\(name) gzip window 2^\(bits)")
            let r = try Deflater.compress(bytes, windowBits: bits, format: .raw)
            #expect(try decompress(r, format: .raw, windowBits: bits, feedChunk: 999, readChunk: 777) == bytes, "\(name) raw window 2^\(bits)")
        }
    }

    @Test("round trip through Python's zlib with exactly the window's wbits, every window 2^9 … 2^15")
    func roundTripPython() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapwalker-deflate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var cases: [String] = []
        for bits in 9...15 {
            for (name, bytes) in Self.inputs {
                for format in [CompressedStream.Format.zlib, .gzip] {
                    let ext = format == .zlib ? "zlib" : "gzip"
                    let caseName = "\(name)-w\(bits)-\(ext)"
                    let out = try Deflater.compress(bytes, windowBits: bits, format: format)
                    try Data(out).write(to: dir.appendingPathComponent(caseName + "." + ext))
                    try Data(bytes).write(to: dir.appendingPathComponent(caseName + ".plain"))
                    cases.append("\(caseName) \(ext) \(bits)")
                }
            }
        }
        try (cases.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("cases.txt"), atomically: true, encoding: .utf8)
        try runPython(pythonChecker, [dir.path])
    }

    @Test("bitstreams compress well: within 10% of zlib level 9 at 32 KB, and small at 4 KB")
    func ratio() throws {
        let blink = Self.inputs.first { $0.name == "blink-25f" }!.bytes
        let at32K = try Deflater.compress(blink, windowBits: 15)
        let at4K = try Deflater.compress(blink, windowBits: 12)
        // zlib -9 makes 3,844 bytes of blink-25f.bit; fixed-Huffman-only would be far larger.
        #expect(at32K.count < 4300, "\(at32K.count) bytes at 32 KB")
        #expect(at4K.count < 5000, "\(at4K.count) bytes at 4 KB")
        let random = Self.inputs.first { $0.name == "random" }!.bytes
        let packedRandom = try Deflater.compress(random, windowBits: 12)
        // Incompressible data goes into stored blocks: a few bytes of overhead, not 10 %.
        #expect(packedRandom.count < random.count + 64)
    }
}
