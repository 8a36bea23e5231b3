/// A streaming decoder of raw DEFLATE data (RFC 1951): stored, fixed-Huffman and dynamic-Huffman
/// blocks. The caller pushes compressed bytes as they arrive (`feed`, or `fill(from:)` straight from
/// a `ByteSource`) and pulls decompressed bytes into its own buffer (`read(into:)`); neither side
/// ever has to hold the whole stream.
///
/// Speed: literal/length and distance symbols are decoded with one table lookup each (see
/// `HuffmanTable`), from a 64-bit bit buffer refilled with one 8-byte load; while at least 8 input
/// bytes are buffered and a whole match fits before the end of the window and of the caller's
/// request, a fast loop decodes without checking for the end of the input per symbol and copies
/// matches 8 bytes at a time (`MatchCopy`). Near those ends a careful path decodes one symbol at a
/// time, so a symbol cut by the end of the buffered input is decoded again once more arrives.
///
/// Memory (allocated in `init`, freed in `deinit`):
/// - the window, a ring of `1 << windowBits` bytes (256 B … 32 KB) plus `windowSlack` (16) bytes.
///   Decoded bytes are written there first and then copied to the caller, so no other output
///   buffer is needed;
/// - one block for the rest: the Huffman tables ((852 + 402) entries of 4 bytes = 5,016 bytes;
///   the code-length code is built where the distance table goes), 320 bytes of code lengths, and
///   the input buffer, `inputCapacity` bytes (default 1 KB);
/// - about 150 bytes of state.
/// So a zlib stream made with a 4 KB window takes about 10.6 KB, a gzip stream (32 KB window) 39 KB.
///
/// Errors are `TapWalkerError` of kind `.data` and name the compressed byte offset, counted from the
/// first byte this inflater was fed. A stream that ends early (after
/// `finishInput()`) is an error too. Every step consumes input or produces output, or returns
/// for more input, so corrupt data can never loop.
public final class Inflater {
    /// The window size as a power of two (8 … 15).
    public private(set) var windowBits: Int
    private var windowSize: Int
    /// The ring's length: the window plus `windowSlack`. The 8-byte copies of the fast loop may
    /// write up to 7 bytes past a match's end; those bytes are the ring's oldest, more than
    /// `windowSize` back, which no distance can reach, and are overwritten before they are read.
    private var ringSize: Int
    static let windowSlack = 16
    private var window: UnsafeMutablePointer<UInt8>
    private var writePos = 0  // next write position in the ring
    private var unread = 0  // bytes in the ring not yet handed to the caller
    private var history = 0  // bytes of this stream in the window (≤ windowSize), for the distance check

    public let inputCapacity: Int
    private let block: UnsafeMutableRawPointer  // tables, code lengths, input buffer
    private let input: UnsafeMutablePointer<UInt8>
    private var inStart = 0
    private var inEnd = 0
    public private(set) var inputEnded = false
    /// Bytes dropped from the front of the input buffer when it was compacted.
    private var consumedBefore = 0

    /// The bits read ahead, LSB first; `bitCount` of them are valid. Above them it holds either
    /// zeros or copies of the input bytes that follow (a wide refill loads 8 bytes but counts only
    /// the whole bytes that fit), so OR-ing those bytes in again changes nothing; whoever takes bytes
    /// from the input buffer directly clears it first.
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

    private let lens: UnsafeMutablePointer<UInt8>  // 320 code lengths (286 + 30, rounded)
    private let lit: HuffmanTable
    private let dist: HuffmanTable
    private let codeLengthCode: HuffmanTable  // in the distance table's place, while reading a dynamic header

    private static let tableBytes = (HuffmanTable.literalLengthCapacity + HuffmanTable.distanceCapacity) * 4
    private static let lensBytes = 320

    /// `windowBits` 8…15 (clamped): the largest distance the stream may use. zlib declares it in its
    /// header (CINFO); raw and gzip streams don't, so the default is 15 (32 KB).
    public init(windowBits: Int = 15, inputCapacity: Int = 1024) {
        let bits = min(max(windowBits, 8), 15)
        self.windowBits = bits
        windowSize = 1 << bits
        ringSize = windowSize + Inflater.windowSlack
        window = UnsafeMutablePointer<UInt8>.allocate(capacity: ringSize)
        window.initialize(repeating: 0, count: ringSize)
        self.inputCapacity = max(inputCapacity, 16)
        block = UnsafeMutableRawPointer.allocate(
            byteCount: Inflater.tableBytes + Inflater.lensBytes + self.inputCapacity, alignment: 8)
        let tables = block.bindMemory(to: UInt32.self, capacity: Inflater.tableBytes / 4)
        tables.initialize(repeating: HuffmanTable.invalid, count: Inflater.tableBytes / 4)
        lit = HuffmanTable(entries: tables, rootBits: HuffmanTable.literalLengthRootBits,
                           capacity: HuffmanTable.literalLengthCapacity, alphabet: .literalLength)
        let distEntries = tables + HuffmanTable.literalLengthCapacity
        dist = HuffmanTable(entries: distEntries, rootBits: HuffmanTable.distanceRootBits,
                            capacity: HuffmanTable.distanceCapacity, alphabet: .distance)
        codeLengthCode = HuffmanTable(entries: distEntries, rootBits: HuffmanTable.codeLengthRootBits,
                                      capacity: HuffmanTable.codeLengthCapacity, alphabet: .codeLength)
        let bytes = (block + Inflater.tableBytes).bindMemory(to: UInt8.self, capacity: Inflater.lensBytes + self.inputCapacity)
        bytes.initialize(repeating: 0, count: Inflater.lensBytes + self.inputCapacity)
        lens = bytes
        input = bytes + Inflater.lensBytes
    }

    deinit {
        window.deallocate()
        block.deallocate()
    }

    /// Bytes of memory this inflater holds (window + input buffer + tables + code lengths).
    public var memoryBytes: Int { ringSize + Inflater.tableBytes + Inflater.lensBytes + inputCapacity }

    // MARK: - Input

    /// Free space in the input buffer: how many bytes `feed` accepts now.
    public var inputSpace: Int { inputCapacity - (inEnd - inStart) }

    private func compactInput() {
        if inStart == 0 { return }
        let n = inEnd - inStart
        if n > 0 { input.update(from: input + inStart, count: n) }
        consumedBefore += inStart
        inStart = 0
        inEnd = n
    }

    /// Copies as many of `bytes` into the input buffer as fit; returns how many.
    public func feed(_ bytes: UnsafeRawBufferPointer) -> Int {
        compactInput()
        let n = min(bytes.count, inputCapacity - inEnd)
        if n > 0, let from = bytes.baseAddress {
            UnsafeMutableRawPointer(input + inEnd).copyMemory(from: from, byteCount: n)
        }
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

    /// Offset in the compressed input of the next unconsumed byte.
    public var offset: Int { consumedBefore + inStart - bitCount / 8 }

    /// Starts a new deflate stream with the same buffers (the next gzip member), keeping unconsumed input.
    /// Any partial byte left by the previous stream is dropped.
    func restart(windowBits newBits: Int? = nil) {
        if let newBits {
            let bits = min(max(newBits, 8), 15)
            if bits != windowBits {
                window.deallocate()
                windowBits = bits
                windowSize = 1 << bits
                ringSize = windowSize + Inflater.windowSlack
                window = UnsafeMutablePointer<UInt8>.allocate(capacity: ringSize)
                window.initialize(repeating: 0, count: ringSize)
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
            bitBuffer = 0  // it may hold copies of the bytes ahead (see `bitBuffer`)
            let b = input[inStart]
            inStart += 1
            return b
        }
        return nil
    }

    /// Tops the bit buffer up to at least 57 bits from the buffered input, or with all of it.
    private func refill() {
        while bitCount <= 56 && inStart < inEnd {
            bitBuffer |= UInt64(input[inStart]) << UInt64(bitCount)
            inStart += 1
            bitCount += 8
        }
    }

    private func corrupt(_ what: String) -> TapWalkerError {
        TapWalkerError(.data, "invalid compressed data at byte \(offset): \(what); the input is corrupt")
    }

    private func truncatedError() -> TapWalkerError {
        TapWalkerError(.data, "compressed data truncated at byte \(offset): the stream ends in the middle of a block")
    }

    /// Input ran out: an error if no more will come, otherwise the caller should feed more.
    private func starved() throws(TapWalkerError) {
        if inputEnded { throw truncatedError() }
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
                var from = writePos - unread
                if from < 0 { from += ringSize }
                var left = n
                while left > 0 {
                    let run = min(left, ringSize - from)
                    (out + written).update(from: window + from, count: run)
                    written += run
                    left -= run
                    from += run
                    if from == ringSize { from = 0 }
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
                let copied = copyStored(limit: min(storedRemaining, limit - produced))
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
                    lens[Deflater.codeLengthOrder[lensIndex]] = UInt8(bitBuffer & 7)
                    bitBuffer >>= 3
                    bitCount -= 3
                    lensIndex += 1
                }
                while lensIndex < 19 {
                    lens[Deflater.codeLengthOrder[lensIndex]] = 0
                    lensIndex += 1
                }
                if codeLengthCode.build(lens, count: 19, allowSingle: false) != .ok { throw corrupt("invalid code lengths set") }
                lensIndex = 0
                mode = .codeLengths
            case .codeLengths:
                try readCodeLengths()
                if mode == .codeLengths { break loop }  // needs more input
            case .codes:
                let (n, more) = try decodeCodes(limit: limit - produced)
                produced += n
                if !more { break loop }
            }
        }
        return produced
    }

    /// Copies stored-block bytes (whole bytes left in the bit buffer first, then the input buffer)
    /// into the window; returns how many, at most `limit`.
    private func copyStored(limit: Int) -> Int {
        var copied = 0
        while copied < limit && bitCount >= 8 {
            window[writePos] = UInt8(truncatingIfNeeded: bitBuffer)
            bitBuffer >>= 8
            bitCount -= 8
            writePos += 1
            if writePos == ringSize { writePos = 0 }
            copied += 1
        }
        var n = min(limit - copied, inEnd - inStart)
        if n > 0 { bitBuffer = 0 }  // it may hold copies of the bytes ahead (see `bitBuffer`)
        while n > 0 {
            let run = min(n, ringSize - writePos)
            (window + writePos).update(from: input + inStart, count: run)
            inStart += run
            writePos += run
            if writePos == ringSize { writePos = 0 }
            copied += run
            n -= run
        }
        history = min(history + copied, windowSize)
        return copied
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

    /// `endBlock` for the hot loop, which keeps the bit buffer in locals.
    private func endBlock(bits: inout UInt64, count: inout Int) {
        bitBuffer = bits
        bitCount = count
        endBlock()
        bits = bitBuffer
        count = bitCount
    }

    private func readCodeLengths() throws(TapWalkerError) {
        let total = hlit + hdist
        let table = codeLengthCode.entries
        let rootMask = UInt64((1 << HuffmanTable.codeLengthRootBits) - 1)
        while lensIndex < total {
            refill()
            if bitCount == 0 { try starved(); return }
            let entry = table[Int(bitBuffer & rootMask)]
            let len = Int(entry & 15)
            if len > bitCount { try starved(); return }
            if entry & HuffmanTable.exceptional != 0 { throw corrupt("invalid code lengths set") }
            let sym = Int((entry >> 8) & 0xFF)
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

    // MARK: - Huffman blocks

    /// The longest a match can be (RFC 1951 §3.2.5).
    private static let maxMatch = 258

    /// Literals and matches of a Huffman block, up to `limit` bytes. Returns the bytes produced and
    /// whether to go on (false: more input is needed).
    private func decodeCodes(limit: Int) throws(TapWalkerError) -> (Int, Bool) {
        let w = window
        let ring = ringSize
        let input = self.input
        let litEntries = lit.entries
        let distEntries = dist.entries
        let windowSize = self.windowSize
        let reach = history  // bytes of this stream before this call that distances may reach
        var pos = writePos
        var inPos = inStart
        let inEnd = self.inEnd
        var bits = bitBuffer
        var count = bitCount
        var produced = 0
        defer {
            writePos = pos
            inStart = inPos
            bitBuffer = bits
            bitCount = count
            history = min(reach + produced, windowSize)
        }
        let litMask: UInt64 = (1 << UInt64(HuffmanTable.literalLengthRootBits)) - 1
        let distMask: UInt64 = (1 << UInt64(HuffmanTable.distanceRootBits)) - 1
        // The fast loop's room: a match and its 8-byte overrun before the ring's end; a whole match
        // within `limit`; 8 input bytes for a wide refill, which gives at least 56 bits, as many as
        // the longest length code + extra bits + distance code + extra bits (15 + 5 + 15 + 13).
        let posLimit = ring - Inflater.maxMatch - Inflater.windowSlack
        let producedLimit = limit - Inflater.maxMatch
        let inLimit = inEnd - 8

        while produced < limit {
            if matchLength > 0 {
                // A match cut short by the last call's limit, or decoded by the careful path.
                let n = min(matchLength, limit - produced)
                Inflater.copyInRing(w, ring: ring, pos: &pos, distance: matchDistance, count: n)
                matchLength -= n
                produced += n
                continue
            }

            while pos <= posLimit && produced <= producedLimit && inPos <= inLimit {
                bits |= MatchCopy.load64(input + inPos) &<< UInt64(truncatingIfNeeded: count)
                inPos &+= (63 &- count) &>> 3
                count |= 56
                let countBefore = count
                var entry = litEntries[Int(truncatingIfNeeded: bits & litMask)]
                if entry & HuffmanTable.exceptional != 0 {
                    if entry & HuffmanTable.subtable != 0 {
                        bits &>>= UInt64(entry & 15)
                        count &-= Int(entry & 15)
                        let index = Int(truncatingIfNeeded: bits & ((1 &<< UInt64((entry >> 4) & 15)) &- 1))
                        entry = litEntries[Int((entry >> 8) & 0xFFFF) &+ index]
                    }
                    if entry & HuffmanTable.exceptional != 0 {
                        if entry & HuffmanTable.endOfBlock != 0 {
                            bits &>>= UInt64(entry & 15)
                            count &-= Int(entry & 15)
                            endBlock(bits: &bits, count: &count)
                            return (produced, true)
                        }
                        count = countBefore
                        throw failure("invalid literal/length code", inPos: inPos, bitCount: count)
                    }
                }
                if entry & HuffmanTable.literal != 0 {
                    bits &>>= UInt64(entry & 15)
                    count &-= Int(entry & 15)
                    w[pos] = UInt8(truncatingIfNeeded: entry >> 8)
                    pos &+= 1
                    produced &+= 1
                    continue
                }
                // A length: its code, then its extra bits.
                let lengthCodeBits = UInt64(entry & 15)
                let lengthExtraBits = UInt64((entry >> 4) & 15)
                let length = Int((entry >> 8) & 0xFFFF)
                    &+ Int(truncatingIfNeeded: (bits &>> lengthCodeBits) & ((1 &<< lengthExtraBits) &- 1))
                bits &>>= lengthCodeBits &+ lengthExtraBits
                count &-= Int(truncatingIfNeeded: lengthCodeBits &+ lengthExtraBits)

                var d = distEntries[Int(truncatingIfNeeded: bits & distMask)]
                if d & HuffmanTable.exceptional != 0 {
                    if d & HuffmanTable.subtable != 0 {
                        bits &>>= UInt64(d & 15)
                        count &-= Int(d & 15)
                        let index = Int(truncatingIfNeeded: bits & ((1 &<< UInt64((d >> 4) & 15)) &- 1))
                        d = distEntries[Int((d >> 8) & 0xFFFF) &+ index]
                    }
                    if d & HuffmanTable.exceptional != 0 {
                        count = countBefore
                        throw failure("invalid distance code", inPos: inPos, bitCount: count)
                    }
                }
                let distanceCodeBits = UInt64(d & 15)
                let distanceExtraBits = UInt64((d >> 4) & 15)
                let distance = Int((d >> 8) & 0xFFFF)
                    &+ Int(truncatingIfNeeded: (bits &>> distanceCodeBits) & ((1 &<< distanceExtraBits) &- 1))
                bits &>>= distanceCodeBits &+ distanceExtraBits
                count &-= Int(truncatingIfNeeded: distanceCodeBits &+ distanceExtraBits)
                if distance > windowSize || distance > reach &+ produced {
                    count = countBefore
                    throw failure(tooFar: distance, reach: reach + produced, inPos: inPos, bitCount: count)
                }

                var from = pos &- distance
                if from >= 0 {
                    MatchCopy.copy(to: w + pos, distance: distance, length: length)
                    pos &+= length
                } else {
                    from &+= ring
                    if from &+ length &+ 8 <= ring {
                        // The source lies at least `windowSlack` bytes after the destination.
                        MatchCopy.copyForward(to: w + pos, from: w + from, length: length)
                        pos &+= length
                    } else {
                        Inflater.copyInRing(w, ring: ring, pos: &pos, distance: distance, count: length)
                    }
                }
                produced &+= length
            }
            if produced >= limit { break }

            // The careful path: one symbol, committed only once all of it is buffered.
            while count <= 56 && inPos < inEnd {
                bits |= UInt64(input[inPos]) << UInt64(count)
                inPos += 1
                count += 8
            }
            var b = bits
            var c = count
            if c == 0 { try starvedAt(inPos: inPos, bitCount: count); return (produced, false) }
            guard let (entry, used) = Inflater.lookup(litEntries, rootBits: HuffmanTable.literalLengthRootBits, bits: b, available: c) else {
                try starvedAt(inPos: inPos, bitCount: count)
                return (produced, false)
            }
            if entry & HuffmanTable.literal != 0 {
                bits >>= UInt64(used)
                count -= used
                w[pos] = UInt8(truncatingIfNeeded: entry >> 8)
                pos += 1
                if pos == ring { pos = 0 }
                produced += 1
                continue
            }
            if entry & HuffmanTable.exceptional != 0 {
                if entry & HuffmanTable.endOfBlock != 0 {
                    bits >>= UInt64(used)
                    count -= used
                    endBlock(bits: &bits, count: &count)
                    return (produced, true)
                }
                throw failure("invalid literal/length code", inPos: inPos, bitCount: count)
            }
            b >>= UInt64(used)
            c -= used
            let lExtra = Int((entry >> 4) & 15)
            if lExtra > c { try starvedAt(inPos: inPos, bitCount: count); return (produced, false) }
            let length = Int((entry >> 8) & 0xFFFF) + Int(b & ((1 << UInt64(lExtra)) - 1))
            b >>= UInt64(lExtra)
            c -= lExtra
            if c == 0 { try starvedAt(inPos: inPos, bitCount: count); return (produced, false) }
            guard let (d, dUsed) = Inflater.lookup(distEntries, rootBits: HuffmanTable.distanceRootBits, bits: b, available: c) else {
                try starvedAt(inPos: inPos, bitCount: count)
                return (produced, false)
            }
            if d & HuffmanTable.exceptional != 0 { throw failure("invalid distance code", inPos: inPos, bitCount: count) }
            b >>= UInt64(dUsed)
            c -= dUsed
            let dExtra = Int((d >> 4) & 15)
            if dExtra > c { try starvedAt(inPos: inPos, bitCount: count); return (produced, false) }
            let distance = Int((d >> 8) & 0xFFFF) + Int(b & ((1 << UInt64(dExtra)) - 1))
            b >>= UInt64(dExtra)
            c -= dExtra
            if distance > windowSize || distance > reach + produced {
                throw failure(tooFar: distance, reach: reach + produced, inPos: inPos, bitCount: count)
            }
            bits = b
            count = c
            matchLength = length
            matchDistance = distance
        }
        return (produced, true)
    }

    /// Decodes one symbol from `bits` (`available` of them valid): the entry and the bits its code
    /// takes, or nil when its code is longer than the bits available. An invalid code takes 1 bit.
    @inline(__always)
    private static func lookup(
        _ table: UnsafeMutablePointer<UInt32>, rootBits: Int, bits: UInt64, available: Int
    ) -> (UInt32, Int)? {
        var entry = table[Int(truncatingIfNeeded: bits & ((1 << UInt64(rootBits)) - 1))]
        var used = 0
        if entry & HuffmanTable.subtable != 0 {
            used = rootBits
            let index = Int(truncatingIfNeeded: (bits >> UInt64(rootBits)) & ((1 << UInt64((entry >> 4) & 15)) - 1))
            entry = table[Int((entry >> 8) & 0xFFFF) + index]
        }
        used += Int(entry & 15)
        return used <= available ? (entry, used) : nil
    }

    /// Copies `count` bytes from `distance` back into the ring at `pos`, wrapping at its end.
    private static func copyInRing(
        _ w: UnsafeMutablePointer<UInt8>, ring: Int, pos: inout Int, distance: Int, count: Int
    ) {
        var from = pos - distance
        if from < 0 { from += ring }
        var p = pos
        var left = count
        if distance < 16 {
            while left > 0 {
                w[p] = w[from]
                p += 1
                if p == ring { p = 0 }
                from += 1
                if from == ring { from = 0 }
                left -= 1
            }
        } else {
            // Runs no longer than the distance never read what they write.
            while left > 0 {
                let run = min(left, ring - p, ring - from, distance)
                (w + p).update(from: w + from, count: run)
                p += run
                if p == ring { p = 0 }
                from += run
                if from == ring { from = 0 }
                left -= run
            }
        }
        pos = p
    }

    /// Input ran out in the middle of a symbol: an error if no more will come.
    private func starvedAt(inPos: Int, bitCount: Int) throws(TapWalkerError) {
        if inputEnded {
            inStart = inPos
            self.bitCount = bitCount
            throw truncatedError()
        }
    }

    /// The error for corrupt data, at the symbol that starts with the bit buffer holding `bitCount` bits.
    private func failure(_ what: String, inPos: Int, bitCount: Int) -> TapWalkerError {
        inStart = inPos
        self.bitCount = bitCount
        return corrupt(what)
    }

    private func failure(tooFar distance: Int, reach: Int, inPos: Int, bitCount: Int) -> TapWalkerError {
        failure("distance too far back (\(distance) bytes, window \(windowSize), output so far \(min(reach, windowSize)))",
                inPos: inPos, bitCount: bitCount)
    }
}
