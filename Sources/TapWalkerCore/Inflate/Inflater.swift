/// A streaming decoder of raw DEFLATE data (RFC 1951): stored, fixed-Huffman and dynamic-Huffman
/// blocks. The caller pushes compressed bytes as they arrive (`feed`, or `fill(from:)` straight from
/// a `ByteSource`) and pulls decompressed bytes into its own buffer (`read(into:)`); neither side
/// ever has to hold the whole stream.
///
/// Memory (allocated once, in `init`, freed in `deinit`):
/// - the sliding window, a ring buffer of `1 << windowBits` bytes (256 B … 32 KB). Decoded bytes are
///   written there first and then copied to the caller, so no other output buffer is needed;
/// - the input buffer, `inputCapacity` bytes (default 4 KB);
/// - the Huffman tables: literal/length (512-entry fast table + 16 counts + 288 symbols) and
///   distance (512 + 16 + 32), 2 bytes each = 2,752 bytes, plus 320 bytes of code lengths;
/// - about 150 bytes of state.
/// So a gzip stream (32 KB window) takes about 39 KB, a zlib stream made with a 4 KB window about 11 KB.
///
/// Errors are `TapWalkerError` of kind `.data` and name the compressed byte offset, counted from the
/// first byte this inflater was fed. A stream that ends early (after
/// `finishInput()`) is an error too. Every step consumes input or produces output, or returns
/// for more input, so corrupt data can never loop.
public final class Inflater {
    /// The window size as a power of two (8 … 15).
    public private(set) var windowBits: Int
    private var windowSize: Int
    private var windowMask: Int
    private var window: UnsafeMutablePointer<UInt8>
    private var writePos = 0  // next write position in the window
    private var unread = 0  // bytes in the window not yet handed to the caller
    private var history = 0  // bytes of this stream in the window (≤ windowSize), for the distance check

    public let inputCapacity: Int
    private let input: UnsafeMutablePointer<UInt8>
    private var inStart = 0
    private var inEnd = 0
    public private(set) var inputEnded = false
    /// Bytes moved from the input buffer into the bit buffer (or read as whole bytes) since `init`.
    private var consumed = 0

    private var bitBuffer: UInt64 = 0
    private var bitCount = 0

    private enum Mode { case blockHeader, storedHeader, stored, tableHeader, codeLengthCodes, codeLengths, codes, done }
    private var mode = Mode.blockHeader
    private var finalBlock = false
    private var storedRemaining = 0
    private var matchLength = 0
    private var matchDistance = 0
    private var hlit = 0, hdist = 0, hclen = 0, lensIndex = 0
    private var fixedLoaded = false

    private let tableStorage: UnsafeMutablePointer<UInt16>
    private let lens: UnsafeMutablePointer<UInt8>  // 320 code lengths (286 + 30, rounded)
    private let lit: HuffmanTable
    private let dist: HuffmanTable  // also the code-length code while reading a dynamic header

    /// `windowBits` 8…15 (clamped): the largest distance the stream may use. zlib declares it in its
    /// header (CINFO); raw and gzip streams don't, so the default is 15 (32 KB).
    public init(windowBits: Int = 15, inputCapacity: Int = 4096) {
        let bits = min(max(windowBits, 8), 15)
        self.windowBits = bits
        windowSize = 1 << bits
        windowMask = windowSize - 1
        window = UnsafeMutablePointer<UInt8>.allocate(capacity: windowSize)
        self.inputCapacity = max(inputCapacity, 16)
        input = UnsafeMutablePointer<UInt8>.allocate(capacity: self.inputCapacity)
        let litEntries = HuffmanTable.entries(maxSymbols: 288)
        let distEntries = HuffmanTable.entries(maxSymbols: 32)
        tableStorage = UnsafeMutablePointer<UInt16>.allocate(capacity: litEntries + distEntries)
        tableStorage.initialize(repeating: 0, count: litEntries + distEntries)
        lit = HuffmanTable(storage: tableStorage)
        dist = HuffmanTable(storage: tableStorage + litEntries)
        lens = UnsafeMutablePointer<UInt8>.allocate(capacity: 320)
        lens.initialize(repeating: 0, count: 320)
    }

    deinit {
        window.deallocate()
        input.deallocate()
        tableStorage.deallocate()
        lens.deallocate()
    }

    /// Bytes of memory this inflater holds (window + input buffer + tables).
    public var memoryBytes: Int { windowSize + inputCapacity + (HuffmanTable.entries(maxSymbols: 288) + HuffmanTable.entries(maxSymbols: 32)) * 2 + 320 }

    // MARK: - Input

    /// Free space in the input buffer: how many bytes `feed` accepts now.
    public var inputSpace: Int { inputCapacity - (inEnd - inStart) }

    private func compactInput() {
        if inStart == 0 { return }
        let n = inEnd - inStart
        if n > 0 { (input).update(from: input + inStart, count: n) }
        inStart = 0
        inEnd = n
    }

    /// Copies as many of `bytes` into the input buffer as fit; returns how many.
    public func feed(_ bytes: UnsafeRawBufferPointer) -> Int {
        compactInput()
        let n = min(bytes.count, inputCapacity - inEnd)
        for i in 0..<n { input[inEnd + i] = bytes[i] }
        inEnd += n
        return n
    }

    /// Reads from `source` straight into the input buffer; returns the bytes read (0: the source
    /// is at its end, or the buffer is full).
    public func fill(from source: ByteSource) throws(TapWalkerError) -> Int {
        compactInput()
        let space = inputCapacity - inEnd
        if space == 0 { return 0 }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: input + inEnd, count: space))
        inEnd += n
        return n
    }

    /// No more input will come: running out of it from now on is a truncated stream.
    public func finishInput() { inputEnded = true }

    /// The final block has been decoded and all its output read.
    public var isFinished: Bool { mode == .done && unread == 0 && matchLength == 0 }

    /// Whether the input buffer holds bytes not yet consumed (after `isFinished`: the bytes that
    /// follow the deflate stream, such as a container's trailer).

    /// Offset in the compressed input of the next unconsumed byte.
    public var offset: Int { consumed - bitCount / 8 }

    /// Starts a new deflate stream with the same buffers (the next gzip member), keeping unconsumed input.
    /// Any partial byte left by the previous stream is dropped.
    func restart(windowBits newBits: Int? = nil) {
        if let newBits {
            let bits = min(max(newBits, 8), 15)
            if bits != windowBits {
                window.deallocate()
                windowBits = bits
                windowSize = 1 << bits
                windowMask = windowSize - 1
                window = UnsafeMutablePointer<UInt8>.allocate(capacity: windowSize)
            }
        }
        dropToByteBoundary()
        writePos = 0
        unread = 0
        history = 0
        mode = .blockHeader
        finalBlock = false
        matchLength = 0
        storedRemaining = 0
    }

    private func dropToByteBoundary() {
        let drop = bitCount & 7
        bitBuffer >>= UInt64(drop)
        bitCount -= drop
    }

    /// The next whole byte of input (the bit position must be on a byte boundary), or nil when none is buffered.
    func takeByte() -> UInt8? {
        if bitCount >= 8 {
            let b = UInt8(truncatingIfNeeded: bitBuffer)
            bitBuffer >>= 8
            bitCount -= 8
            return b
        }
        if inStart < inEnd {
            let b = input[inStart]
            inStart += 1
            consumed += 1
            return b
        }
        return nil
    }

    @inline(__always)
    private func refill() {
        while bitCount <= 56 && inStart < inEnd {
            bitBuffer |= UInt64(input[inStart]) << UInt64(bitCount)
            inStart += 1
            consumed += 1
            bitCount += 8
        }
    }

    private func corrupt(_ what: String) -> TapWalkerError {
        TapWalkerError(.data, "invalid compressed data at byte \(offset): \(what); the input is corrupt")
    }

    /// Input ran out: an error if no more will come, otherwise the caller should feed more.
    private func starved() throws(TapWalkerError) {
        if inputEnded { throw TapWalkerError(.data, "compressed data truncated at byte \(offset): the stream ends in the middle of a block") }
    }

    // MARK: - Output

    /// Decompresses into `buffer`; returns the bytes written. 0 means the stream is finished
    /// (`isFinished`) or more input is needed.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        guard let out = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        var written = 0
        while true {
            if unread > 0 {
                let n = min(unread, buffer.count - written)
                var from = (writePos - unread) & windowMask
                var left = n
                while left > 0 {
                    let run = min(left, windowSize - from)
                    (out + written).update(from: window + from, count: run)
                    written += run
                    left -= run
                    from = (from + run) & windowMask
                }
                unread -= n
            }
            if written == buffer.count { return written }
            let produced = try decode(limit: min(windowSize, buffer.count - written))
            if produced == 0 { return written }
            unread = produced
        }
    }

    /// Decodes up to `limit` (≤ windowSize) bytes into the window (`unread` is 0 on entry).
    private func decode(limit: Int) throws(TapWalkerError) -> Int {
        var produced = 0
        loop: while produced < limit {
            switch mode {
            case .done:
                break loop
            case .blockHeader:
                refill()
                if bitCount < 3 { try starved(); break loop }
                finalBlock = bitBuffer & 1 != 0
                let type = Int((bitBuffer >> 1) & 3)
                bitBuffer >>= 3
                bitCount -= 3
                switch type {
                case 0: mode = .storedHeader
                case 1:
                    if !fixedLoaded { loadFixedTables() }
                    mode = .codes
                case 2: mode = .tableHeader
                default: throw corrupt("invalid block type")
                }
            case .storedHeader:
                dropToByteBoundary()
                refill()
                if bitCount < 32 { try starved(); break loop }
                let len = Int(bitBuffer & 0xFFFF)
                let nlen = Int((bitBuffer >> 16) & 0xFFFF)
                if len != nlen ^ 0xFFFF { throw corrupt("invalid stored block lengths") }
                bitBuffer >>= 32
                bitCount -= 32
                storedRemaining = len
                mode = .stored
            case .stored:
                if storedRemaining == 0 { endBlock(); continue loop }
                var n = min(storedRemaining, limit - produced)
                var copied = 0
                while copied < n && bitCount >= 8 {
                    window[writePos] = UInt8(truncatingIfNeeded: bitBuffer)
                    bitBuffer >>= 8
                    bitCount -= 8
                    writePos = (writePos + 1) & windowMask
                    copied += 1
                }
                n = min(n - copied, inEnd - inStart)
                while n > 0 {
                    let run = min(n, windowSize - writePos)
                    (window + writePos).update(from: input + inStart, count: run)
                    inStart += run
                    consumed += run
                    writePos = (writePos + run) & windowMask
                    copied += run
                    n -= run
                }
                storedRemaining -= copied
                produced += copied
                if copied == 0 { try starved(); break loop }
            case .tableHeader:
                refill()
                if bitCount < 14 { try starved(); break loop }
                hlit = Int(bitBuffer & 31) + 257
                hdist = Int((bitBuffer >> 5) & 31) + 1
                hclen = Int((bitBuffer >> 10) & 15) + 4
                bitBuffer >>= 14
                bitCount -= 14
                if hlit > 286 || hdist > 30 { throw corrupt("too many length or distance symbols") }
                lensIndex = 0
                fixedLoaded = false
                mode = .codeLengthCodes
            case .codeLengthCodes:
                while lensIndex < hclen {
                    refill()
                    if bitCount < 3 { try starved(); break loop }
                    lens[Int(Inflater.codeLengthOrder[lensIndex])] = UInt8(bitBuffer & 7)
                    bitBuffer >>= 3
                    bitCount -= 3
                    lensIndex += 1
                }
                while lensIndex < 19 {
                    lens[Int(Inflater.codeLengthOrder[lensIndex])] = 0
                    lensIndex += 1
                }
                if dist.build(lens, count: 19, allowSingle: false) != .ok { throw corrupt("invalid code lengths set") }
                lensIndex = 0
                mode = .codeLengths
            case .codeLengths:
                try readCodeLengths()
                if mode == .codeLengths { break loop }  // needs more input
            case .codes:
                let (n, more) = try decodeCodes(limit: limit - produced, produced: produced)
                produced += n
                if !more { break loop }
            }
        }
        history = min(history + produced, windowSize)
        return produced
    }

    /// After a block: the next header, or the end (aligned to a byte for the container's trailer).
    private func endBlock() {
        if finalBlock {
            mode = .done
            dropToByteBoundary()
        } else {
            mode = .blockHeader
        }
    }

    private func readCodeLengths() throws(TapWalkerError) {
        let total = hlit + hdist
        while lensIndex < total {
            refill()
            let (sym, len) = dist.decode(bitBuffer, available: bitCount)
            if len < 0 { throw corrupt("invalid code lengths set") }
            if len == 0 { try starved(); return }
            if sym < 16 {
                bitBuffer >>= UInt64(len)
                bitCount -= len
                lens[lensIndex] = UInt8(sym)
                lensIndex += 1
                continue
            }
            let extraBits = sym == 16 ? 2 : sym == 17 ? 3 : 7
            if len + extraBits > bitCount { try starved(); return }
            let extra = Int((bitBuffer >> UInt64(len)) & ((1 << UInt64(extraBits)) - 1))
            var value: UInt8 = 0
            let count: Int
            switch sym {
            case 16:
                if lensIndex == 0 { throw corrupt("invalid bit length repeat") }
                value = lens[lensIndex - 1]
                count = 3 + extra
            case 17: count = 3 + extra
            default: count = 11 + extra
            }
            if lensIndex + count > total { throw corrupt("invalid bit length repeat") }
            bitBuffer >>= UInt64(len + extraBits)
            bitCount -= len + extraBits
            for _ in 0..<count {
                lens[lensIndex] = value
                lensIndex += 1
            }
        }
        if lens[256] == 0 { throw corrupt("invalid code -- missing end-of-block") }
        switch lit.build(lens, count: hlit, allowSingle: true) {
        case .ok: break
        default: throw corrupt("invalid literal/lengths set")
        }
        switch dist.build(lens + hlit, count: hdist, allowSingle: true) {
        case .ok: break
        default: throw corrupt("invalid distances set")
        }
        mode = .codes
    }

    private func loadFixedTables() {
        for i in 0..<144 { lens[i] = 8 }
        for i in 144..<256 { lens[i] = 9 }
        for i in 256..<280 { lens[i] = 7 }
        for i in 280..<288 { lens[i] = 8 }
        _ = lit.build(lens, count: 288, allowSingle: false)
        for i in 0..<32 { lens[i] = 5 }
        _ = dist.build(lens, count: 32, allowSingle: false)
        fixedLoaded = true
    }

    /// The hot loop: literals and matches of a Huffman block, up to `limit` bytes.
    /// Returns the bytes produced and whether to go on (false: limit reached or input needed).
    @inline(__always)
    private func decodeCodes(limit: Int, produced before: Int) throws(TapWalkerError) -> (Int, Bool) {
        let w = window
        let mask = windowMask
        var pos = writePos
        var produced = 0
        defer { writePos = pos }
        while produced < limit {
            if matchLength > 0 {
                let n = min(matchLength, limit - produced)
                var from = (pos - matchDistance) & mask
                for _ in 0..<n {
                    w[pos] = w[from]
                    pos = (pos + 1) & mask
                    from = (from + 1) & mask
                }
                matchLength -= n
                produced += n
                continue
            }
            if bitCount < 48 { refill() }
            // Work on copies; commit only when a whole literal or match has been read, so that a
            // symbol cut by the end of the buffered input is decoded again once more arrives.
            var bits = bitBuffer
            var count = bitCount
            let (sym, len) = lit.decode(bits, available: count)
            if len < 0 { throw corrupt("invalid literal/length code") }
            if len == 0 { try starved(); return (produced, false) }
            bits >>= UInt64(len)
            count -= len
            if sym < 256 {
                w[pos] = UInt8(truncatingIfNeeded: sym)
                pos = (pos + 1) & mask
                produced += 1
                bitBuffer = bits
                bitCount = count
                continue
            }
            if sym == 256 {
                bitBuffer = bits
                bitCount = count
                endBlock()
                return (produced, true)
            }
            let li = sym - 257
            if li >= 29 { throw corrupt("invalid literal/length code") }
            let lExtra = Int(Inflater.lengthExtra[li])
            if lExtra > count { try starved(); return (produced, false) }
            let length = Int(Inflater.lengthBase[li]) + Int(bits & ((1 << UInt64(lExtra)) - 1))
            bits >>= UInt64(lExtra)
            count -= lExtra
            let (dsym, dlen) = dist.decode(bits, available: count)
            if dlen < 0 { throw corrupt("invalid distance code") }
            if dlen == 0 { try starved(); return (produced, false) }
            if dsym >= 30 { throw corrupt("invalid distance code") }
            bits >>= UInt64(dlen)
            count -= dlen
            let dExtra = Int(Inflater.distanceExtra[dsym])
            if dExtra > count { try starved(); return (produced, false) }
            let distance = Int(Inflater.distanceBase[dsym]) + Int(bits & ((1 << UInt64(dExtra)) - 1))
            bits >>= UInt64(dExtra)
            count -= dExtra
            if distance > windowSize || distance > history + before + produced {
                throw corrupt("distance too far back (\(distance) bytes, window \(windowSize), output so far \(min(history + before + produced, windowSize)))")
            }
            bitBuffer = bits
            bitCount = count
            matchLength = length
            matchDistance = distance
        }
        return (produced, true)
    }

    // MARK: - Tables of RFC 1951 §3.2.5

    private static let codeLengthOrder: [UInt8] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    private static let lengthBase: [UInt16] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    private static let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase: [UInt16] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
        8193, 12289, 16385, 24577,
    ]
    private static let distanceExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
}
