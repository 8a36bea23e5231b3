import Foundation
import Testing
import TapWalkerCore

// Differential tests of the DEFLATE decoder against Python's zlib: one Python run writes every
// compressed case (and its original) into a temporary directory; each must decode byte-identically.

/// The cases Python writes: `<name>.<format>` compressed and `<name>.plain` the original, listed in
/// `cases.txt` as "name format windowBits".
private let generator = #"""
import gzip, os, random, struct, sys, zlib
out, examples = sys.argv[1], sys.argv[2]
cases = []
def put(name, fmt, data, comp, wbits=15):
    open(os.path.join(out, name + '.plain'), 'wb').write(data)
    open(os.path.join(out, name + '.' + fmt), 'wb').write(comp)
    cases.append('%s %s %d' % (name, fmt, wbits))
def z(data, level=6, wbits=15, strategy=zlib.Z_DEFAULT_STRATEGY, mem=8):
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, mem, strategy)
    return c.compress(data) + c.flush()
rnd = random.Random(1951)
random_data = bytes(rnd.getrandbits(8) for _ in range(60000))
words = [b'flip', b'flop', b'LUT4', b'TRELLIS', b'\x00\x00\x00', b'\xff' * 7, b'frame']
structured = b''.join(rnd.choice(words) for _ in range(40000))
blink = open(os.path.join(examples, 'blink-25f.bit'), 'rb').read()
blink85 = open(os.path.join(examples, 'blink-85f.bit'), 'rb').read()
put('blink85', 'gzip', blink85, gzip.compress(blink85, 6))
ram = open(os.path.join(examples, 'ram-25f-compressed.bit'), 'rb').read()
for fmt, wb in (('zlib', 15), ('raw', -15), ('gzip', 31)):
    put('empty-' + fmt, fmt, b'', z(b'', 6, wb))
put('one-byte', 'zlib', b'A', z(b'A'))
for level in range(10):
    put('blink-L%d' % level, 'zlib', blink, z(blink, level))
    put('structured-L%d' % level, 'gzip', structured, z(structured, level, 31))
put('ram', 'gzip', ram, gzip.compress(ram))
put('random', 'zlib', random_data, z(random_data, 9))
put('random-stored', 'raw', random_data, z(random_data, 0, -15))
for wbits in range(9, 16):
    mixed = structured[:30000] + random_data[:3000] + structured[:30000]
    put('w%d-zlib' % wbits, 'zlib', mixed, z(mixed, 9, wbits), wbits)
    put('w%d-raw' % wbits, 'raw', mixed, z(mixed, 9, -wbits), wbits)
put('fixed', 'zlib', structured, z(structured, 6, 15, zlib.Z_FIXED))
put('fixed-blink', 'raw', blink[:300000], z(blink[:300000], 9, -15, zlib.Z_FIXED))
put('huffman-only', 'zlib', structured, z(structured, 6, 15, zlib.Z_HUFFMAN_ONLY))
put('rle', 'zlib', blink[:200000], z(blink[:200000], 6, 15, zlib.Z_RLE))
put('dynamic-small-mem', 'raw', structured, z(structured, 9, -15, zlib.Z_DEFAULT_STRATEGY, 1))
put('two-members', 'gzip', structured + ram, gzip.compress(structured) + gzip.compress(ram, 1))
put('three-members-empty-middle', 'gzip', b'abc' + b'def', gzip.compress(b'abc') + gzip.compress(b'') + gzip.compress(b'def'))
put('padded', 'gzip', b'padded', gzip.compress(b'padded') + b'\x00' * 5)
# A gzip member with every optional header field, the header CRC included.
body = z(structured[:5000], 6, -15)
head = b'\x1f\x8b\x08' + bytes([0x04 | 0x08 | 0x10 | 0x02]) + b'\x00\x00\x00\x00\x00\x03'
head += struct.pack('<H', 6) + b'ab\x02\x00xy' + b'blink.bit\x00' + b'a comment\x00'
head += struct.pack('<H', zlib.crc32(head) & 0xffff)
put('all-fields', 'gzip', structured[:5000], head + body + struct.pack('<II', zlib.crc32(structured[:5000]), 5000))
open(os.path.join(out, 'cases.txt'), 'w').write('\n'.join(cases) + '\n')
"""#

/// Runs `python3 -c script args...`; fails the test when Python is missing or fails.
func runPython(_ script: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw PythonFailed(text: String(decoding: message, as: UTF8.self))
    }
}

struct PythonFailed: Error, CustomStringConvertible {
    let text: String
    var description: String { "python3 failed: \(text)" }
}

/// Decodes `input` in chunks of `feedChunk` input bytes and `readChunk` output bytes.
func decompress(
    _ input: [UInt8], format: CompressedStream.Format, windowBits: Int = 15, feedChunk: Int = 1 << 20,
    readChunk: Int = 16384, inputCapacity: Int = 4096
) throws(TapWalkerError) -> [UInt8] {
    let stream = CompressedStream(format: format, windowBits: windowBits, inputCapacity: inputCapacity)
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: readChunk)
    var position = 0
    var rounds = 0
    while true {
        rounds += 1
        if rounds > 50_000_000 { throw TapWalkerError(.data, "test: decoder does not progress") }
        let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in try stream.read(into: p) }
        if n > 0 {
            output.append(contentsOf: buffer[0..<n])
            continue
        }
        if stream.isFinished { return output }
        if position == input.count {
            stream.finishInput()
            continue
        }
        let end = min(input.count, position + feedChunk)
        let accepted = input[position..<end].withUnsafeBytes { stream.feed($0) }
        position += accepted
    }
}

/// The kind of error decoding ends with, or nil when it succeeds (then `output` is set).
func decodeError(
    _ input: [UInt8], format: CompressedStream.Format, windowBits: Int = 15, output: inout [UInt8]?
) -> TapWalkerError? {
    do {
        output = try decompress(input, format: format, windowBits: windowBits, feedChunk: 1000)
        return nil
    } catch {
        return error
    }
}

@Suite("inflate (DEFLATE, zlib, gzip)")
struct InflateTests {
    static let cases: (dir: URL, list: [(name: String, format: CompressedStream.Format, windowBits: Int)]) = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapwalker-inflate-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try! runPython(generator, [dir.path, Examples.directory.path])
        let text = try! String(contentsOf: dir.appendingPathComponent("cases.txt"), encoding: .utf8)
        let list = text.split(separator: "\n").map { line -> (String, CompressedStream.Format, Int) in
            let f = line.split(separator: " ").map(String.init)
            let format: CompressedStream.Format = f[1] == "gzip" ? .gzip : f[1] == "zlib" ? .zlib : .raw
            return (f[0], format, Int(f[2])!)
        }
        return (dir, list)
    }()

    static func file(_ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: cases.dir.appendingPathComponent(name).path)!)
    }

    static func ext(_ format: CompressedStream.Format) -> String {
        switch format {
        case .gzip: return "gzip"
        case .zlib: return "zlib"
        case .raw: return "raw"
        }
    }

    @Test("every case Python's zlib wrote decodes byte-identically")
    func differential() throws {
        #expect(Self.cases.list.count >= 50)
        for c in Self.cases.list {
            let compressed = Self.file(c.name + "." + Self.ext(c.format))
            let plain = Self.file(c.name + ".plain")
            // zlib declares its window; raw streams are decoded with exactly the window they were made with.
            let output = try decompress(compressed, format: c.format, windowBits: c.format == .raw ? c.windowBits : 15)
            #expect(output == plain, "\(c.name): \(output.count) bytes decoded, \(plain.count) expected")
        }
    }

    @Test("streaming: any split of the input and any output buffer size gives the same bytes")
    func streamingSplits() throws {
        for name in ["structured-L6", "two-members", "all-fields", "random-stored", "fixed"] {
            guard let c = Self.cases.list.first(where: { $0.name == name }) else { Issue.record("no case \(name)"); continue }
            let compressed = Self.file(c.name + "." + Self.ext(c.format))
            let plain = Self.file(c.name + ".plain")
            for (feed, read, capacity) in [(1, 1, 16), (7, 3, 16), (13, 1000, 64), (4096, 77, 4096), (100_000, 65536, 256)] {
                let output = try decompress(compressed, format: c.format, feedChunk: feed, readChunk: read, inputCapacity: capacity)
                #expect(output == plain, "\(name) feed \(feed) read \(read) capacity \(capacity)")
                if feed == 1 && plain.count > 20000 { break }  // keep 1-byte feeding to the small cases' cost
            }
        }
    }

    @Test("the Inflater's own push/pull API on a raw stream, and its memory figure")
    func inflaterAPI() throws {
        let compressed = Self.file("w12-raw.raw")
        let plain = Self.file("w12-raw.plain")
        let inflater = Inflater(windowBits: 12, inputCapacity: 1024)
        #expect(inflater.memoryBytes == 4096 + 16 + (852 + 402) * 4 + 320 + 1024)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 5000)
        var position = 0
        while !inflater.isFinished {
            let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in try inflater.read(into: p) }
            output.append(contentsOf: buffer[0..<n])
            if n == 0 && !inflater.isFinished {
                if position == compressed.count { inflater.finishInput() }
                position += compressed[position...].withUnsafeBytes { inflater.feed($0) }
            }
        }
        #expect(output == plain)
    }

    // MARK: - Corrupt input

    @Test("flipped bits in a gzip stream: an error of kind .data with the offset, or the same output")
    func flippedBitsGzip() {
        let zlibStream = Self.file("all-fields.gzip")
        let plain = Self.file("all-fields.plain")
        var errors = 0, same = 0
        // Every bit of the first 40 and last 40 bytes, and every 97th bit in between.
        var bits: [Int] = []
        for i in 0..<(40 * 8) { bits.append(i) }
        for i in stride(from: 40 * 8, to: (zlibStream.count - 40) * 8, by: 7) { bits.append(i) }
        for i in ((zlibStream.count - 40) * 8)..<(zlibStream.count * 8) { bits.append(i) }
        for bit in bits {
            var damaged = zlibStream
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            var output: [UInt8]?
            if let error = decodeError(damaged, format: .gzip, output: &output) {
                #expect(error.kind == .data, "bit \(bit): \(error.message)")
                #expect(error.message.contains("byte "), "bit \(bit): \(error.message)")
                errors += 1
            } else {
                same += 1
                // FTEXT, MTIME, XFL and OS are not checked by gzip; padding bits are ignored.
                #expect(bit == 24 || (32..<80).contains(bit) || output == plain, "bit \(bit) decoded to different bytes without an error")
            }
        }
        #expect(errors > bits.count * 8 / 10)
    }

    @Test("flipped bits in a zlib stream: all detected except unused padding bits")
    func flippedBitsZlibContainer() {
        let stream = Self.file("blink-L6.zlib")
        let plain = Self.file("blink-L6.plain")
        var bits: [Int] = Array(0..<16)
        for i in stride(from: 16, to: stream.count * 8, by: 4099) { bits.append(i) }
        for i in ((stream.count - 6) * 8)..<(stream.count * 8) { bits.append(i) }
        for bit in bits {
            var damaged = stream
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            var output: [UInt8]?
            if let error = decodeError(damaged, format: .zlib, output: &output) {
                #expect(error.kind == .data, "bit \(bit): \(error.message)")
            } else {
                #expect(output == plain, "bit \(bit) decoded to different bytes without an error")
            }
        }
    }

    @Test("every truncation of a gzip, zlib and raw stream is an error of kind .data")
    func truncation() {
        for (name, format) in [("all-fields.gzip", CompressedStream.Format.gzip), ("one-byte.zlib", .zlib),
                               ("w10-zlib.zlib", .zlib), ("w15-raw.raw", .raw), ("empty-gzip.gzip", .gzip)] {
            let stream = Self.file(name)
            let cuts = stream.count < 3000 ? Array(0..<stream.count) : Array(stride(from: 0, to: stream.count, by: 61)) + [stream.count - 1]
            for cut in cuts {
                var output: [UInt8]?
                let error = decodeError(Array(stream[0..<cut]), format: format, output: &output)
                #expect(error?.kind == .data, "\(name) cut at \(cut) of \(stream.count): \(error?.message ?? "no error")")
            }
        }
    }

    @Test("a wrong CRC-32, ISIZE or ADLER-32 is an error of kind .data that says which")
    func badChecks() {
        let gz = Self.file("ram.gzip")
        let zl = Self.file("random.zlib")
        func expectError(_ bytes: [UInt8], _ format: CompressedStream.Format, _ text: String) {
            var output: [UInt8]?
            let error = decodeError(bytes, format: format, output: &output)
            #expect(error?.kind == .data && error?.message.contains(text) == true, "\(text): \(error?.message ?? "no error")")
        }
        var badCRC = gz; badCRC[gz.count - 8] ^= 0x01
        expectError(badCRC, .gzip, "CRC-32 mismatch")
        var badSize = gz; badSize[gz.count - 1] ^= 0x80
        expectError(badSize, .gzip, "length mismatch")
        var badAdler = zl; badAdler[zl.count - 1] ^= 0x01
        expectError(badAdler, .zlib, "ADLER-32 mismatch")
        expectError(zl + [0x00], .zlib, "trailing data")
        expectError(gz + [0x41], .gzip, "trailing data")
    }

    @Test("bad headers are errors of kind .data")
    func badHeaders() {
        let gz = Self.file("structured-L6.gzip")
        let all = Self.file("all-fields.gzip")
        let zl = Self.file("blink-L6.zlib")
        func expectError(_ bytes: [UInt8], _ format: CompressedStream.Format, _ text: String) {
            var output: [UInt8]?
            let error = decodeError(bytes, format: format, output: &output)
            #expect(error?.kind == .data && error?.message.contains(text) == true, "\(text): \(error?.message ?? "no error")")
        }
        var magic = gz; magic[1] = 0x8C
        expectError(magic, .gzip, "bad magic")
        var method = gz; method[2] = 7
        expectError(method, .gzip, "compression method")
        var reserved = gz; reserved[3] |= 0x20
        expectError(reserved, .gzip, "reserved")
        var hcrc = all; hcrc[10 + 2 + 6 + 10 + 10] ^= 0x01
        expectError(hcrc, .gzip, "header CRC")
        var check = zl; check[1] ^= 0x01
        expectError(check, .zlib, "header check")
        var cm = zl; cm[0] = (cm[0] & 0xF0) | 7
        expectError(cm, .zlib, "compression method")
        // FDICT with a valid check value: refused for the dictionary, not the check.
        let cmf: UInt8 = 0x78
        var flg: UInt8 = 0x20
        while (Int(cmf) * 256 + Int(flg)) % 31 != 0 { flg += 1 }
        expectError([cmf, flg, 0, 0, 0, 1, 0x03, 0x00], .zlib, "preset dictionary")
        var cinfo = zl; cinfo[0] = 0x88
        expectError(cinfo, .zlib, "window size")
    }

    /// Bits of a hand-made raw DEFLATE stream: header fields LSB first, Huffman codes MSB first.
    struct BitWriter {
        var bytes: [UInt8] = []
        var bit = 0
        mutating func put(_ value: Int, _ count: Int) {
            for i in 0..<count { push((value >> i) & 1) }
        }
        mutating func code(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { push((value >> i) & 1) }
        }
        mutating func push(_ b: Int) {
            if bit == 0 { bytes.append(0) }
            bytes[bytes.count - 1] |= UInt8(b << bit)
            bit = (bit + 1) & 7
        }
    }

    @Test("a distance beyond the output so far or beyond the window is 'distance too far back'")
    func distanceTooFarBack() {
        // Fixed block: literal 'A' (code 0x30+0x41, 8 bits), then length 3 (symbol 257: 7 bits 0000001)
        // at distance 2 (distance code 1: 5 bits 00001) with only one byte out; then end of block.
        var w = BitWriter()
        w.put(1, 1); w.put(1, 2)
        w.code(0x30 + 0x41, 8)
        w.code(1, 7); w.code(1, 5)
        w.code(0, 7)
        var output: [UInt8]?
        let error = decodeError(w.bytes, format: .raw, output: &output)
        #expect(error?.kind == .data && error?.message.contains("distance too far back") == true, "\(error?.message ?? "no error")")

        // The same stream with distance 1 is fine: "AAAA".
        var ok = BitWriter()
        ok.put(1, 1); ok.put(1, 2)
        ok.code(0x30 + 0x41, 8)
        ok.code(1, 7); ok.code(0, 5)
        ok.code(0, 7)
        #expect((try? decompress(ok.bytes, format: .raw)) == Array("AAAA".utf8))

        // A real stream that reaches 32 KB back, decoded with a 512-byte window.
        let far = Self.file("w15-raw.raw")
        let farError = decodeError(far, format: .raw, windowBits: 9, output: &output)
        #expect(farError?.kind == .data && farError?.message.contains("distance too far back") == true, "\(farError?.message ?? "no error")")
    }

    @Test("invalid block type, stored length check, and garbage are errors of kind .data")
    func otherCorruptions() {
        var output: [UInt8]?
        #expect(decodeError([0x07], format: .raw, output: &output)?.kind == .data)  // BTYPE 11
        #expect(decodeError([0x01, 0x05, 0x00, 0xFA, 0xFE, 1, 2, 3, 4, 5], format: .raw, output: &output)?.kind == .data)
        #expect(decodeError([], format: .raw, output: &output)?.kind == .data)
        for seed in 0..<200 {
            var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
            let garbage = (0..<300).map { _ -> UInt8 in
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return UInt8(truncatingIfNeeded: state)
            }
            let error = decodeError(garbage, format: .raw, output: &output)
            // Random bytes are nearly always invalid; when they happen to decode, fine — no crash, no hang.
            if let error { #expect(error.kind == .data) }
        }
    }

    // MARK: - DecompressingSource

    static func drain(_ source: ByteSource, chunk: Int = 10000) throws(TapWalkerError) -> [UInt8] {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in try source.read(into: p) }
            if n == 0 { return output }
            output.append(contentsOf: buffer[0..<n])
        }
    }

    @Test("DecompressingSource passes a plain bitstream through and inflates gzip and zlib copies of it")
    func decompressingSource() throws {
        let plain = Self.file("blink-L0.plain")
        let again = DecompressingSource(MemorySource(plain, name: "blink-85f.bit"))
        #expect(try Self.drain(again) == plain)
        #expect(again.format == nil && again.totalBytes == plain.count && again.name == "blink-85f.bit")

        for (file, format) in [("blink-L9.zlib", CompressedStream.Format.zlib), ("blink-L1.zlib", .zlib)] {
            let s = DecompressingSource(MemorySource(Self.file(file), name: "x.gz"))
            #expect(try Self.drain(s, chunk: 3333) == plain)
            #expect(s.format == format && s.totalBytes == nil && s.name == "x.gz")
        }
        let gz = DecompressingSource(MemorySource(Self.file("two-members.gzip"), name: "two.gz"))
        #expect(try Self.drain(gz) == Self.file("two-members.plain"))
        #expect(gz.format == .gzip)

        // Tiny inputs: nothing, one byte, two bytes pass through unchanged.
        for bytes: [UInt8] in [[], [0xFF], [0xFF, 0x00], [0x1F, 0x8B]] {
            #expect(try Self.drain(DecompressingSource(MemorySource(bytes))) == bytes)
        }
        // A truncated gzip file is an error, not a short read.
        let cut = Array(Self.file("ram.gzip").dropLast(100))
        #expect(throws: TapWalkerError.self) { try Self.drain(DecompressingSource(MemorySource(cut))) }
    }
}
