/// A DEFLATE compressor (RFC 1951) with a small, chosen window, in the zlib (RFC 1950), gzip (RFC 1952)
/// or raw container — the counterpart of `Inflater` for making streams a small device can decode.
///
/// - LZ77 with hash chains: a match is never farther back than the window (`1 << windowBits` bytes,
///   512 B … 32 KB), lengths 3 … 258, one-step lazy matching (as zlib's levels 4–9 do).
/// - Each block (up to 16K literals/matches) is written as whichever is smallest of a dynamic
///   Huffman block (code lengths built per block, limited to 15 bits; code-length code to 7 bits),
///   a fixed Huffman block, or stored blocks.
/// - zlib: CMF declares the window (CINFO = windowBits − 8), so TapWalker's inflater (and zlib's)
///   allocates only that much; the trailer is the ADLER-32. gzip cannot declare the window (a
///   decoder must assume 32 KB); the trailer is CRC-32 and ISIZE.
///
/// Whole-buffer: the input is one buffer and the output an array. Host memory: 128 KB of hash heads,
/// 4 bytes per window byte of chains, 64 KB of pending symbols.
public enum Deflater {
    public static let minWindowBits = 9
    public static let maxWindowBits = 15

    /// Compresses `input` with a window of `1 << windowBits` bytes (9 … 15, else a usage error).
    public static func compress(
        _ input: UnsafeRawBufferPointer, windowBits: Int, format: CompressedStream.Format = .zlib
    ) throws(TapWalkerError) -> [UInt8] {
        guard windowBits >= minWindowBits && windowBits <= maxWindowBits else {
            throw TapWalkerError(.usage, "the window must be 512 bytes … 32 KB (windowBits 9 … 15), not windowBits \(windowBits)")
        }
        return compressChecked(input, windowBits: windowBits, format: format)
    }

    /// The same for an array.
    public static func compress(
        _ bytes: [UInt8], windowBits: Int, format: CompressedStream.Format = .zlib
    ) throws(TapWalkerError) -> [UInt8] {
        guard windowBits >= minWindowBits && windowBits <= maxWindowBits else {
            throw TapWalkerError(.usage, "the window must be 512 bytes … 32 KB (windowBits 9 … 15), not windowBits \(windowBits)")
        }
        return bytes.withUnsafeBytes { compressChecked($0, windowBits: windowBits, format: format) }
    }

    private static func compressChecked(
        _ input: UnsafeRawBufferPointer, windowBits: Int, format: CompressedStream.Format
    ) -> [UInt8] {
        var w = BitWriter()
        w.bytes.reserveCapacity(input.count / 4 + 64)
        switch format {
        case .zlib:
            let cmf = UInt8((windowBits - 8) << 4 | 8)
            var flg: UInt8 = 0x80  // FLEVEL 2 (default), no FDICT
            let rem = (Int(cmf) << 8 | Int(flg)) % 31
            if rem != 0 { flg += UInt8(31 - rem) }
            w.bytes.append(cmf)
            w.bytes.append(flg)
        case .gzip:
            // ID1 ID2 CM=8 FLG=0 MTIME=0 XFL=0 OS=255 (unknown)
            w.bytes.append(contentsOf: [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF])
        case .raw:
            break
        }
        let encoder = Encoder(windowBits: windowBits)
        encoder.run(input, &w)
        w.alignToByte()
        switch format {
        case .zlib:
            var a = Adler32()
            a.update(input)
            let v = a.value
            w.bytes.append(contentsOf: [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16),
                                        UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)])
        case .gzip:
            var c = CRC32()
            c.update(input)
            let v = c.value
            let size = UInt32(truncatingIfNeeded: input.count)
            for shift in [0, 8, 16, 24] as [UInt32] { w.bytes.append(UInt8(truncatingIfNeeded: v >> shift)) }
            for shift in [0, 8, 16, 24] as [UInt32] { w.bytes.append(UInt8(truncatingIfNeeded: size >> shift)) }
        case .raw:
            break
        }
        return w.bytes
    }

    // MARK: - Tables of RFC 1951 §3.2.5

    static let lengthBase: [UInt16] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    static let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [UInt16] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
        8193, 12289, 16385, 24577,
    ]
    static let distanceExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Length 3…258 → index 0…28 of the length codes (symbol 257 + index).
    @inline(__always)
    static func lengthCode(_ length: Int) -> Int {
        if length == 258 { return 28 }
        let x = length - 3
        if x < 8 { return x }
        let nb = (Int.bitWidth - 1) - x.leadingZeroBitCount  // floor(log2 x) ≥ 3
        return 4 * (nb - 1) + ((x >> (nb - 2)) & 3)
    }

    /// Distance 1…32768 → distance code 0…29.
    @inline(__always)
    static func distanceCode(_ distance: Int) -> Int {
        let x = distance - 1
        if x < 4 { return x }
        let nb = (Int.bitWidth - 1) - x.leadingZeroBitCount  // ≥ 2
        return 2 * nb + ((x >> (nb - 1)) & 1)
    }

    // MARK: - Huffman code construction

    /// Code lengths for `freq` (0 = unused), at most `limit` bits. Frequencies are halved until
    /// the optimal code fits the limit (a little worse than package-merge, simpler).
    static func buildLengths(_ freq: [Int], limit: Int) -> [UInt8] {
        var f = freq
        while true {
            let lengths = huffmanLengths(f)
            var maxLen: UInt8 = 0
            for l in lengths where l > maxLen { maxLen = l }
            if Int(maxLen) <= limit { return lengths }
            for i in 0..<f.count where f[i] > 0 { f[i] = (f[i] >> 1) | 1 }
        }
    }

    private static func huffmanLengths(_ f: [Int]) -> [UInt8] {
        var lengths = [UInt8](repeating: 0, count: f.count)
        var leaves: [Int] = []
        for i in 0..<f.count where f[i] > 0 { leaves.append(i) }
        let m = leaves.count
        if m == 0 { return lengths }
        if m == 1 { lengths[leaves[0]] = 1; return lengths }
        leaves.sort { f[$0] < f[$1] || (f[$0] == f[$1] && $0 < $1) }
        // Two queues: the sorted leaves, and the internal nodes in the order made (non-decreasing).
        let total = 2 * m - 1
        var weight = [Int](repeating: 0, count: total)
        var parent = [Int](repeating: 0, count: total)
        for k in 0..<m { weight[k] = f[leaves[k]] }
        var a = 0, b = m, next = m
        while next < total {
            var pair = (0, 0)
            for j in 0..<2 {
                let pick: Int
                if a < m && (b >= next || weight[a] <= weight[b]) { pick = a; a += 1 } else { pick = b; b += 1 }
                if j == 0 { pair.0 = pick } else { pair.1 = pick }
            }
            weight[next] = weight[pair.0] + weight[pair.1]
            parent[pair.0] = next
            parent[pair.1] = next
            next += 1
        }
        var depth = [Int](repeating: 0, count: total)
        var k = total - 2
        while k >= 0 {
            depth[k] = depth[parent[k]] + 1
            k -= 1
        }
        for k in 0..<m { lengths[leaves[k]] = UInt8(min(depth[k], 255)) }
        return lengths
    }

    /// Canonical codes for `lengths`, bit-reversed for DEFLATE's LSB-first bit order.
    static func canonicalCodes(_ lengths: [UInt8]) -> [UInt16] {
        var blCount = [Int](repeating: 0, count: 16)
        for l in lengths { blCount[Int(l)] += 1 }
        blCount[0] = 0
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for bits in 1..<16 {
            code = (code + blCount[bits - 1]) << 1
            nextCode[bits] = code
        }
        var codes = [UInt16](repeating: 0, count: lengths.count)
        for i in 0..<lengths.count {
            let len = Int(lengths[i])
            if len == 0 { continue }
            var c = nextCode[len]
            nextCode[len] += 1
            var r = 0
            for _ in 0..<len { r = (r << 1) | (c & 1); c >>= 1 }
            codes[i] = UInt16(r)
        }
        return codes
    }

    static let fixedLitLengths: [UInt8] = (0..<288).map { i in i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8 }
    static let fixedDistLengths: [UInt8] = [UInt8](repeating: 5, count: 30)
}

/// Bits in DEFLATE order (LSB first) into a byte array.
struct BitWriter {
    var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    /// Appends the low `bits` bits of `value` (which must have no higher bits set), `bits` ≤ 32.
    @inline(__always)
    mutating func put(_ value: Int, _ bits: Int) {
        buffer |= UInt64(truncatingIfNeeded: value) << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            count -= 8
        }
    }

    mutating func alignToByte() {
        if count > 0 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer = 0
            count = 0
        }
    }

    /// Bits written so far.
    var bitPosition: Int { bytes.count * 8 + count }
}

/// The LZ77 matcher and block writer of one compression.
private final class Encoder {
    static let hashBits = 15
    static let hashSize = 1 << hashBits
    static let maxSymbols = 16384
    static let maxChain = 256
    static let goodLength = 32  // a match this long: search a quarter of the chain for the next one

    let windowSize: Int
    let windowMask: Int
    let head: UnsafeMutablePointer<Int32>
    let prev: UnsafeMutablePointer<Int32>
    // Pending symbols of the current block: literal byte or match length, and distance (0: literal).
    let symLen: UnsafeMutablePointer<UInt16>
    let symDist: UnsafeMutablePointer<UInt16>
    var symbols = 0
    var blockStart = 0  // input offset of the first byte of the pending block
    var blockBytes = 0

    init(windowBits: Int) {
        windowSize = 1 << windowBits
        windowMask = windowSize - 1
        head = .allocate(capacity: Encoder.hashSize)
        head.initialize(repeating: -1, count: Encoder.hashSize)
        prev = .allocate(capacity: windowSize)
        prev.initialize(repeating: -1, count: windowSize)
        symLen = .allocate(capacity: Encoder.maxSymbols)
        symDist = .allocate(capacity: Encoder.maxSymbols)
    }

    deinit {
        head.deallocate()
        prev.deallocate()
        symLen.deallocate()
        symDist.deallocate()
    }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int {
        let v = UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16
        return Int((v &* 2_654_435_761) >> UInt32(32 - hashBits))
    }

    /// Inserts position `i` (with 3 bytes available) and returns the previous head of its chain.
    @inline(__always)
    func insert(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int {
        let h = Encoder.hash(p, i)
        let old = Int(head[h])
        prev[i & windowMask] = Int32(truncatingIfNeeded: old)
        head[h] = Int32(truncatingIfNeeded: i)
        return old
    }

    /// The longest match for position `i` longer than `best`, starting from chain entry `candidate`:
    /// (length, distance), or (0, 0). The distance never exceeds the window.
    @inline(__always)
    func longestMatch(_ p: UnsafePointer<UInt8>, _ n: Int, at i: Int, candidate: Int, best: Int) -> (Int, Int) {
        let maxLen = min(258, n - i)
        if maxLen < 3 || best >= maxLen { return (0, 0) }
        var bestLen = best
        var bestDist = 0
        var chain = best >= Encoder.goodLength ? Encoder.maxChain >> 2 : Encoder.maxChain
        let limit = i - windowSize
        var c = candidate
        while c >= 0 && c >= limit && chain > 0 {
            if p[c + bestLen] == p[i + bestLen] && p[c] == p[i] && p[c + 1] == p[i + 1] {
                var l = 2
                while l < maxLen && p[c + l] == p[i + l] { l += 1 }
                if l > bestLen {
                    bestLen = l
                    bestDist = i - c
                    if l >= maxLen { break }
                }
            }
            let nx = Int(prev[c & windowMask])
            if nx >= c { break }
            c = nx
            chain -= 1
        }
        return bestDist == 0 ? (0, 0) : (bestLen, bestDist)
    }

    func run(_ input: UnsafeRawBufferPointer, _ w: inout BitWriter) {
        let n = input.count
        guard n > 0, let base = input.baseAddress else {
            writeBlock(input, final: true, &w)
            return
        }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var i = 0
        var prevLen = 0, prevDist = 0
        var matchAvailable = false
        while i < n {
            if symbols >= Encoder.maxSymbols - 2 {
                writeBlock(input, final: false, &w)
            }
            var curLen = 0, curDist = 0
            if i + 3 <= n {
                let cand = insert(p, i)
                if prevLen < 258 {
                    (curLen, curDist) = longestMatch(p, n, at: i, candidate: cand, best: max(prevLen, 2))
                }
            }
            if prevLen >= 3 && curLen <= prevLen {
                // The match found at i - 1 is at least as good: take it.
                emitMatch(prevLen, prevDist)
                let end = i - 1 + prevLen
                var j = i + 1
                while j < end {
                    if j + 3 <= n { _ = insert(p, j) }
                    j += 1
                }
                i = end
                matchAvailable = false
                prevLen = 0
                prevDist = 0
            } else {
                if matchAvailable { emitLiteral(p[i - 1]) }
                matchAvailable = true
                prevLen = curLen
                prevDist = curDist
                i += 1
            }
        }
        if matchAvailable { emitLiteral(p[n - 1]) }
        writeBlock(input, final: true, &w)
    }

    @inline(__always)
    func emitLiteral(_ byte: UInt8) {
        symLen[symbols] = UInt16(byte)
        symDist[symbols] = 0
        symbols += 1
        blockBytes += 1
    }

    @inline(__always)
    func emitMatch(_ length: Int, _ distance: Int) {
        symLen[symbols] = UInt16(length)
        symDist[symbols] = UInt16(distance)
        symbols += 1
        blockBytes += length
    }

    /// Writes the pending symbols as the cheapest of dynamic, fixed or stored block(s).
    func writeBlock(_ input: UnsafeRawBufferPointer, final: Bool, _ w: inout BitWriter) {
        var litFreq = [Int](repeating: 0, count: 286)
        var distFreq = [Int](repeating: 0, count: 30)
        litFreq[256] = 1
        for s in 0..<symbols {
            let d = Int(symDist[s])
            if d == 0 {
                litFreq[Int(symLen[s])] += 1
            } else {
                litFreq[257 + Deflater.lengthCode(Int(symLen[s]))] += 1
                distFreq[Deflater.distanceCode(d)] += 1
            }
        }
        // At least two codes in each tree, as zlib writes them (some decoders dislike one).
        for tree in 0..<2 {
            var used = 0
            if tree == 0 { for f in litFreq where f > 0 { used += 1 } } else { for f in distFreq where f > 0 { used += 1 } }
            var s = 0
            while used < 2 {
                if tree == 0 { if litFreq[s] == 0 { litFreq[s] = 1; used += 1 } } else { if distFreq[s] == 0 { distFreq[s] = 1; used += 1 } }
                s += 1
            }
        }
        let litLens = Deflater.buildLengths(litFreq, limit: 15)
        let distLens = Deflater.buildLengths(distFreq, limit: 15)
        var hlit = 286
        while hlit > 257 && litLens[hlit - 1] == 0 { hlit -= 1 }
        var hdist = 30
        while hdist > 1 && distLens[hdist - 1] == 0 { hdist -= 1 }

        // Run-length encode the code lengths: (symbol, extra value) pairs.
        var all: [UInt8] = Array(litLens[0..<hlit])
        all.append(contentsOf: distLens[0..<hdist])
        var rle: [(Int, Int)] = []
        var k = 0
        while k < all.count {
            let v = all[k]
            var run = 1
            while k + run < all.count && all[k + run] == v { run += 1 }
            if v == 0 && run >= 3 {
                let r = min(run, 138)
                rle.append(r >= 11 ? (18, r - 11) : (17, r - 3))
                k += r
            } else if v != 0 && run >= 4 {
                rle.append((Int(v), 0))
                let r = min(run - 1, 6)
                rle.append((16, r - 3))
                k += 1 + r
            } else {
                rle.append((Int(v), 0))
                k += 1
            }
        }
        var clFreq = [Int](repeating: 0, count: 19)
        for (s, _) in rle { clFreq[s] += 1 }
        let clLens = Deflater.buildLengths(clFreq, limit: 7)
        var hclen = 19
        while hclen > 4 && clLens[Deflater.codeLengthOrder[hclen - 1]] == 0 { hclen -= 1 }

        // Costs in bits.
        var dynamicBits = 3 + 14 + 3 * hclen
        for (s, _) in rle { dynamicBits += Int(clLens[s]) + (s == 16 ? 2 : s == 17 ? 3 : s == 18 ? 7 : 0) }
        var fixedBits = 3
        for s in 0..<286 where litFreq[s] > 0 {
            let extra = s >= 265 && s < 285 ? (s - 261) / 4 : 0
            // The forced extra codes (freq 1 for unused symbols) slightly over-count; harmless.
            dynamicBits += litFreq[s] * (Int(litLens[s]) + extra)
            fixedBits += litFreq[s] * (Int(Deflater.fixedLitLengths[s]) + extra)
        }
        for s in 0..<30 where distFreq[s] > 0 {
            let extra = Int(Deflater.distanceExtra[s])
            dynamicBits += distFreq[s] * (Int(distLens[s]) + extra)
            fixedBits += distFreq[s] * (5 + extra)
        }
        let chunks = max(1, (blockBytes + 65534) / 65535)
        let storedBits = chunks * (3 + 7 + 32) + blockBytes * 8

        if storedBits < dynamicBits && storedBits < fixedBits {
            var offset = blockStart
            var left = blockBytes
            repeat {
                let len = min(left, 65535)
                left -= len
                w.put(final && left == 0 ? 1 : 0, 1)
                w.put(0, 2)
                w.alignToByte()
                w.put(len, 16)
                w.put(len ^ 0xFFFF, 16)
                for b in 0..<len { w.bytes.append(input[offset + b]) }
                offset += len
            } while left > 0
        } else if fixedBits <= dynamicBits {
            w.put(final ? 1 : 0, 1)
            w.put(1, 2)
            writeSymbols(Deflater.fixedLitLengths, Deflater.fixedDistLengths, &w)
        } else {
            w.put(final ? 1 : 0, 1)
            w.put(2, 2)
            w.put(hlit - 257, 5)
            w.put(hdist - 1, 5)
            w.put(hclen - 4, 4)
            for j in 0..<hclen { w.put(Int(clLens[Deflater.codeLengthOrder[j]]), 3) }
            let clCodes = Deflater.canonicalCodes(clLens)
            for (s, extra) in rle {
                w.put(Int(clCodes[s]), Int(clLens[s]))
                if s == 16 { w.put(extra, 2) } else if s == 17 { w.put(extra, 3) } else if s == 18 { w.put(extra, 7) }
            }
            writeSymbols(litLens, distLens, &w)
        }
        blockStart += blockBytes
        blockBytes = 0
        symbols = 0
    }

    private func writeSymbols(_ litLens: [UInt8], _ distLens: [UInt8], _ w: inout BitWriter) {
        let litCodes = Deflater.canonicalCodes(litLens)
        let distCodes = Deflater.canonicalCodes(distLens)
        for s in 0..<symbols {
            let d = Int(symDist[s])
            let v = Int(symLen[s])
            if d == 0 {
                w.put(Int(litCodes[v]), Int(litLens[v]))
                continue
            }
            let lc = Deflater.lengthCode(v)
            w.put(Int(litCodes[257 + lc]), Int(litLens[257 + lc]))
            let le = Int(Deflater.lengthExtra[lc])
            if le > 0 { w.put(v - Int(Deflater.lengthBase[lc]), le) }
            let dc = Deflater.distanceCode(d)
            w.put(Int(distCodes[dc]), Int(distLens[dc]))
            let de = Int(Deflater.distanceExtra[dc])
            if de > 0 { w.put(d - Int(Deflater.distanceBase[dc]), de) }
        }
        w.put(Int(litCodes[256]), Int(litLens[256]))
    }
}
