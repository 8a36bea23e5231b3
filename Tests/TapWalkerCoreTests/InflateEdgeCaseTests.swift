import Foundation
import Testing
import TapWalkerCore

// Hand-built raw DEFLATE streams for what compressors rarely or never write: distances of exactly
// the window size, overlapping copies of every short period, codes 15 bits long, stored blocks
// between Huffman blocks, and corrupt codes, each with the output (or the error) Python derives
// from RFC 1951 itself.

/// Python writes `<name>.raw` and `<name>.plain` (or `<name>.error`: the expected message) and lists
/// them in `cases.txt` as "name windowBits".
private let generator = #"""
import os, random, sys
out = sys.argv[1]
cases = []
LENGTH_BASE = [3,4,5,6,7,8,9,10,11,13,15,17,19,23,27,31,35,43,51,59,67,83,99,115,131,163,195,227,258]
LENGTH_EXTRA = [0,0,0,0,0,0,0,0,1,1,1,1,2,2,2,2,3,3,3,3,4,4,4,4,5,5,5,5,0]
DIST_BASE = [1,2,3,4,5,7,9,13,17,25,33,49,65,97,129,193,257,385,513,769,1025,1537,2049,3073,4097,6145,8193,12289,16385,24577]
DIST_EXTRA = [0,0,0,0,1,1,2,2,3,3,4,4,5,5,6,6,7,7,8,8,9,9,10,10,11,11,12,12,13,13]
ORDER = [16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1,15]

class Bits:
    def __init__(self):
        self.out = bytearray(); self.acc = 0; self.n = 0
    def put(self, value, count):  # header fields and extra bits: LSB first
        self.acc |= value << self.n; self.n += count
        while self.n >= 8:
            self.out.append(self.acc & 255); self.acc >>= 8; self.n -= 8
    def code(self, code, length):  # Huffman codes: MSB first
        self.put(int(format(code, '0%db' % length)[::-1], 2), length)
    def align(self):
        if self.n: self.put(0, 8 - self.n)
    def position(self):
        return len(self.out) * 8 + self.n
    def data(self):
        self.align(); return bytes(self.out)

def canonical(lengths):  # RFC 1951 §3.2.2
    count = [0] * 16
    for l in lengths: count[l] += 1
    count[0] = 0
    code, nxt = 0, [0] * 16
    for bits in range(1, 16):
        code = (code + count[bits - 1]) << 1; nxt[bits] = code
    codes = {}
    for sym, l in enumerate(lengths):
        if l: codes[sym] = (nxt[l], l); nxt[l] += 1
    return codes

FIXED_LIT = canonical([8] * 144 + [9] * 112 + [7] * 24 + [8] * 8)
FIXED_DIST = canonical([5] * 32)

class Block:
    """Writes literals and matches with given codes and keeps the decoded output."""
    def __init__(self, bits, lit, dist, output):
        self.bits, self.lit, self.dist, self.output = bits, lit, dist, output
    def literal(self, b):
        self.bits.code(*self.lit[b]); self.output.append(b)
    def match(self, length, distance):
        i = max(k for k in range(29) if LENGTH_BASE[k] <= length)
        self.bits.code(*self.lit[257 + i]); self.bits.put(length - LENGTH_BASE[i], LENGTH_EXTRA[i])
        d = max(k for k in range(30) if DIST_BASE[k] <= distance)
        self.bits.code(*self.dist[d]); self.bits.put(distance - DIST_BASE[d], DIST_EXTRA[d])
        for _ in range(length): self.output.append(self.output[-distance])
    def end(self):
        self.bits.code(*self.lit[256])

def fixed_block(bits, output, final):
    bits.put(final, 1); bits.put(1, 2)
    return Block(bits, FIXED_LIT, FIXED_DIST, output)

def stored_block(bits, output, data, final):
    bits.put(final, 1); bits.put(0, 2); bits.align()
    bits.put(len(data), 16); bits.put(len(data) ^ 0xFFFF, 16)
    for b in data: bits.put(b, 8)
    output += data

def dynamic_block(bits, output, lit_lengths, dist_lengths, final):
    """Code lengths sent with a code-length code of sixteen 4-bit codes (0-15), no repeats."""
    bits.put(final, 1); bits.put(2, 2)
    bits.put(len(lit_lengths) - 257, 5); bits.put(len(dist_lengths) - 1, 5); bits.put(19 - 4, 4)
    cl = [4] * 16 + [0] * 3
    for sym in ORDER: bits.put(cl[sym], 3)
    cl_codes = canonical(cl)
    for l in lit_lengths + dist_lengths: bits.code(*cl_codes[l])
    return Block(bits, canonical(lit_lengths), canonical(dist_lengths), output)

def put(name, data, plain, wbits=15):
    open(os.path.join(out, name + '.raw'), 'wb').write(data)
    open(os.path.join(out, name + '.plain'), 'wb').write(bytes(plain))
    cases.append('%s %d' % (name, wbits))

def put_error(name, data, message, wbits=15):
    open(os.path.join(out, name + '.raw'), 'wb').write(data)
    open(os.path.join(out, name + '.error'), 'w').write(message)
    cases.append('%s %d' % (name, wbits))

rnd = random.Random(1951)

# Matches exactly the window size back (zlib's compressor stops 262 bytes short of it), for every
# window, starting at several offsets so that some cross the end of the decoder's ring.
for wbits in (9, 12, 15):
    size = 1 << wbits
    for lead in (0, 5, 250):
        bits, output = Bits(), bytearray()
        stored_block(bits, output, bytes(rnd.getrandbits(8) for _ in range(size)), 0)
        blk = fixed_block(bits, output, 0)
        for i in range(lead): blk.literal(rnd.getrandbits(8))
        for length in (258, 258, 3, 100, 258, 7):
            blk.match(length, size)
        blk.match(4, 1)
        blk.end()
        blk = fixed_block(bits, output, 1)
        for length in (258,) * 8: blk.match(length, size)
        blk.end()
        data = bits.data()
        put('max-distance-w%d-lead%d' % (wbits, lead), data, output, wbits)
        if lead == 5 and wbits > 9:
            put_error('too-far-w%d' % wbits, data, 'distance too far back (%d bytes, window %d' % (size, size // 2), wbits - 1)

# Overlapping copies: every period 1-40 (a match nearer than its own length repeats the period),
# with lengths around the 8-byte steps of a word copy.
bits, output = Bits(), bytearray()
blk = fixed_block(bits, output, 1)
for period in range(1, 41):
    for _ in range(period): blk.literal(rnd.getrandbits(8))
    for length in (3, 7, 8, 9, 15, 16, 17, 31, 100, 258):
        blk.match(length, period)
blk.end()
put('overlap-periods', bits.data(), output)

# Codes 15 bits long in both alphabets: literal/length code lengths 1…13 for 'A'…'M', 14 for the
# length symbol 257, 15 for end-of-block and length symbol 285; distance codes 1…14 for symbols
# 0…13 and 15 for symbols 14 and 15 (distances 129…256). Both codes are complete.
lit = [0] * 286
for i in range(13): lit[65 + i] = i + 1
lit[257], lit[256], lit[285] = 14, 15, 15
dist = [i + 1 for i in range(14)] + [15, 15]
bits, output = Bits(), bytearray()
blk = dynamic_block(bits, output, lit, dist, 1)
for i in range(300): blk.literal(65 + (i * 7) % 13)
for length, distance in ((3, 129), (258, 192), (3, 193), (258, 256), (3, 1), (258, 200), (3, 150)):
    blk.match(length, distance)
for i in range(13): blk.literal(65 + i)
blk.end()
put('fifteen-bit-codes', bits.data(), output)

# Stored blocks between Huffman blocks that end in mid-byte: empty, short and of the largest
# length (65,535), each followed by a match that reaches back into them.
bits, output = Bits(), bytearray()
blk = fixed_block(bits, output, 0)
for b in b'head': blk.literal(b)
blk.end()
stored_block(bits, output, b'', 0)
stored_block(bits, output, bytes(rnd.getrandbits(8) for _ in range(1000)), 0)
blk = fixed_block(bits, output, 0)
blk.match(258, 1000); blk.literal(0x41)
blk.end()
stored_block(bits, output, bytes(rnd.getrandbits(8) for _ in range(65535)), 0)
blk = fixed_block(bits, output, 0)
blk.match(258, 30000); blk.match(3, 1)
blk.end()
stored_block(bits, output, b'tail!', 1)
put('stored-between-huffman', bits.data(), output)

# Corrupt codes, each met once with few bytes left to decode (the careful path) and once with
# 16 more bytes after it (the fast loop): the message names the byte of the bad symbol's first bit
# rounded up (the next byte not yet consumed), as before the symbol was read.
def corrupt(name, build, message):
    for pad in (0, 16):
        bits, output = Bits(), bytearray()
        at = build(bits, output)
        byte = (at + 7) // 8
        data = bits.data() + bytes(pad)
        put_error('%s-pad%d' % (name, pad), data, 'at byte %d: %s' % (byte, message))

def length_286(bits, output):  # only the fixed code has symbols 286 and 287
    blk = fixed_block(bits, output, 1)
    for b in b'abcdefghij': blk.literal(b)
    at = bits.position(); bits.code(0b11000110, 8)
    return at
corrupt('length-symbol-286', length_286, 'invalid literal/length code')

def distance_30(bits, output):  # nor distance symbols 30 and 31
    blk = fixed_block(bits, output, 1)
    for b in b'abcdefghij': blk.literal(b)
    at = bits.position(); blk.bits.code(*FIXED_LIT[257]); bits.code(30, 5)
    return at
corrupt('distance-symbol-30', distance_30, 'invalid distance code')

def single_code(bits, output):  # a literal/length code of one 1-bit code: the other bit is invalid
    lit = [0] * 257; lit[256] = 1
    blk = dynamic_block(bits, output, lit, [0], 0)
    blk.end()
    blk = dynamic_block(bits, output, lit, [0], 1)
    at = bits.position(); bits.put(1, 1)
    return at
corrupt('incomplete-literal-code', single_code, 'invalid literal/length code')

def no_distances(bits, output):  # no distance codes at all: any match is invalid
    lit = [0] * 258; lit[256] = 1; lit[257] = 1
    blk = dynamic_block(bits, output, lit, [0], 1)
    at = bits.position(); bits.code(*blk.lit[257]); bits.put(0, 1)
    return at
corrupt('empty-distance-code', no_distances, 'invalid distance code')

def long_code_too_far(bits, output):  # a 15-bit distance code beyond the output so far
    lit = [0] * 286
    for i in range(13): lit[65 + i] = i + 1
    lit[257], lit[256], lit[285] = 14, 15, 15
    blk = dynamic_block(bits, output, lit, [i + 1 for i in range(14)] + [15, 15], 1)
    for i in range(100): blk.literal(65)
    at = bits.position(); blk.bits.code(*blk.lit[257]); blk.bits.code(*blk.dist[15]); bits.put(10, 6)
    return at
corrupt('fifteen-bit-distance-too-far', long_code_too_far, 'distance too far back (203 bytes, window 32768, output so far 100)')

open(os.path.join(out, 'cases.txt'), 'w').write('\n'.join(cases) + '\n')
"""#

@Suite("inflate edge cases (hand-built DEFLATE streams)")
struct InflateEdgeCaseTests {
    static let cases: (dir: URL, list: [(name: String, windowBits: Int)]) = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapwalker-inflate-edge-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try! runPython(generator, [dir.path])
        let text = try! String(contentsOf: dir.appendingPathComponent("cases.txt"), encoding: .utf8)
        let list = text.split(separator: "\n").map { line -> (String, Int) in
            let f = line.split(separator: " ").map(String.init)
            return (f[0], Int(f[1])!)
        }
        return (dir, list)
    }()

    static func file(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: cases.dir.appendingPathComponent(name).path).map { [UInt8]($0) }
    }

    static func named(_ prefix: String) -> [(name: String, windowBits: Int)] {
        cases.list.filter { $0.name.hasPrefix(prefix) }
    }

    /// Decodes a case every way that matters here: whole, and streamed through small buffers.
    static func check(_ name: String, windowBits: Int) {
        guard let input = file(name + ".raw") else { Issue.record("no case \(name)"); return }
        let splits = [(1 << 20, 65536, 1024), (1, 1, 16), (7, 77, 64), (333, 4096, 1024), (4096, 300, 4096)]
        if let plain = file(name + ".plain") {
            for (feed, read, capacity) in splits {
                do {
                    let output = try decompress(input, format: .raw, windowBits: windowBits, feedChunk: feed,
                                                readChunk: read, inputCapacity: capacity)
                    let same = output == plain
                    let firstDifference = (0..<min(output.count, plain.count)).first { output[$0] != plain[$0] } ?? min(output.count, plain.count)
                    #expect(same, "\(name) feed \(feed) read \(read) capacity \(capacity): \(output.count) bytes, \(plain.count) expected, first difference at \(firstDifference)")
                } catch {
                    Issue.record("\(name) feed \(feed) read \(read) capacity \(capacity): \(error.message)")
                }
            }
        } else if let expected = file(name + ".error").map({ String(decoding: $0, as: UTF8.self) }) {
            for (feed, read, capacity) in splits {
                do {
                    _ = try decompress(input, format: .raw, windowBits: windowBits, feedChunk: feed,
                                       readChunk: read, inputCapacity: capacity)
                    Issue.record("\(name) feed \(feed): decoded without an error")
                } catch {
                    #expect(error.kind == .data && error.message.contains(expected),
                            "\(name) feed \(feed) read \(read) capacity \(capacity): \(error.message), expected \(expected)")
                }
            }
        } else {
            Issue.record("case \(name) has neither output nor error")
        }
    }

    @Test("matches exactly the window size back, for 512 B, 4 KB and 32 KB windows, across the ring's end")
    func maxDistance() {
        let cases = Self.named("max-distance-")
        #expect(cases.count == 9)
        for c in cases { Self.check(c.name, windowBits: c.windowBits) }
    }

    @Test("the same streams decoded with half the window are 'distance too far back'")
    func beyondWindow() {
        let cases = Self.named("too-far-")
        #expect(cases.count == 2)
        for c in cases { Self.check(c.name, windowBits: c.windowBits) }
    }

    @Test("overlapping copies of every period 1…40 bytes, lengths 3…258")
    func overlappingCopies() {
        Self.check("overlap-periods", windowBits: 15)
    }

    @Test("literal/length and distance codes 15 bits long (past the root tables, into sub-tables)")
    func fifteenBitCodes() {
        Self.check("fifteen-bit-codes", windowBits: 15)
    }

    @Test("stored blocks (empty, short, 65,535 bytes) between Huffman blocks that end in mid-byte")
    func storedBetweenHuffman() {
        Self.check("stored-between-huffman", windowBits: 15)
    }

    @Test("corrupt codes give the same message and byte offset in the fast loop and near the input's end")
    func corruptCodes() {
        let cases = Self.cases.list.filter { $0.name.hasSuffix("-pad0") || $0.name.hasSuffix("-pad16") }
        #expect(cases.count == 10)
        for c in cases { Self.check(c.name, windowBits: c.windowBits) }
    }
}
