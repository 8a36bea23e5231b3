/// The ECP5 configuration engine: consumes a bitstream byte by byte (or bit by bit) exactly as the
/// device does and records what it finds, stopping at the first error with the BSE code the status
/// register would show.
///
/// One implementation serves two masters: `BitstreamInspector` runs it over a file (`tapwalker info`,
/// and the programmer's pre-check), and the simulated ECP5 runs it over the bits shifted during
/// LSC_BITSTREAM_BURST or read from flash at refresh. What the device checks, both check.
///
/// Facts (docs/ecp5.md §3): junk before the preamble is ignored; CRC-16/BUYPASS covers every byte since
/// the last LSC_RESET_CRC or check, except 0xFF at command position; each frame is followed by its
/// CRC and one dummy byte which counts towards the next CRC. Where docs/ecp5.md marks a mapping as
/// inferred (which problem raises which BSE code), the engine picks the strict reading and says so.
public final class ConfigurationEngine {
    /// Where the bitstream arrives from. Over JTAG an SPI_MODE command aborts the load (ecpdap strips
    /// it for that reason); when booting from flash it is legal.
    public enum Source: Sendable { case jtag, flash }

    public struct Problem: Sendable {
        public let code: BSECode
        /// Byte offset of the byte that revealed the problem, counted from the first byte consumed.
        public let offset: Int
        /// The frame being written, as its frame number (the highest-numbered frame is sent first).
        public let frame: Int?
        public let message: String
    }

    /// The part whose geometry and IDCODE apply. nil: take the part from the bitstream's VERIFY_ID
    /// (validation of a file with no device at hand).
    public private(set) var part: Part?
    public let checksID: Bool
    public let source: Source

    // What was found so far.
    public private(set) var offset = 0
    public private(set) var preambleOffset: Int?
    public private(set) var verifiedID: UInt32?
    public private(set) var compressed = false
    public private(set) var framesDeclared = 0
    public private(set) var framesWritten = 0
    public private(set) var userCode: UInt32?
    public private(set) var ebrWrites = 0
    public private(set) var ebrFramesWritten = 0
    public private(set) var crcChecks = 0
    public private(set) var programDone = false
    /// Commands found after ISC_PROGRAM_DONE (dummy 0xFF bytes do not count).
    public private(set) var commandsAfterDone = 0
    public private(set) var problem: Problem?
    /// Where a JUMP command (read from flash) sends the FPGA: the stream ends there and the
    /// device reads on at this address (docs/ecp5.md §6).
    public private(set) var jumpTarget: Int?
    /// The SPI_MODE byte the stream set for the rest of the master SPI read, if any (docs/ecp5.md §6).
    public private(set) var spiReadMode: UInt8?
    /// The last LSC_PROG_CNTRL0 value (bit 20: multiboot, docs/ecp5.md §6).
    public private(set) var control0: UInt32?

    /// Receives each configuration frame (frame number, `bytesPerFrame` bytes, padding removed).
    /// Without a sink the engine only counts frames and checks their CRCs, which is much cheaper for
    /// compressed frames (see `FrameCodeCounter`).
    public var frameSink: ((Int, UnsafeRawBufferPointer) -> Void)?

    /// Refuse input beyond the largest bitstream the part can take (`Part.maximumBitstreamBytes`;
    /// before VERIFY_ID, the largest of any part): a checker reading a file must end in bounded time
    /// on endless input (`/dev/zero`, padding after a valid bitstream, a decompression bomb). The
    /// device itself has no such limit, so the simulated one leaves this off. Applies to
    /// `consume(_:)` of byte runs.
    public var limitsLength = false

    /// A complete, valid configuration: everything the device needs before wake-up may set DONE.
    public var isComplete: Bool {
        guard problem == nil, programDone, let part else { return false }
        return framesWritten == part.frames
    }

    private enum Phase {
        case searching, opcode, info, operand, crc, frameData, frameCRC, frameDummy, ebrData, ebrCRC, failed, jumped
    }

    private var phase = Phase.searching
    private var window: UInt32 = 0
    private var crc = CRC16()
    private var command: BitstreamCommand?
    private var info: (UInt8, UInt8, UInt8) = (0, 0, 0)
    private var infoCount = 0
    private var operand: UInt64 = 0
    private var operandLeft = 0
    private var crcBytes: UInt16 = 0
    private var crcLeft = 0
    private var dictionary = [UInt8](repeating: 0, count: 8)
    private var haveDictionary = false
    // Frame command state.
    private var frameFlags: UInt8 = 0
    private var frameCount = 0
    private var frameIndex = 0
    private var frame: [UInt8] = []
    private var frameFill = 0
    private var frameTarget = 0
    private var dummyLeft = 0
    // Compressed-frame bit decoder.
    private var bitBuffer: UInt32 = 0
    private var bitCount = 0
    // Compressed-frame code counter, used instead of the decoder when no one wants the frame data.
    private var codeTable: UnsafeMutablePointer<UInt16>?  // FrameCodeCounter.table(), owned
    private var countsOnly = false
    private var counterState = 0  // a FrameCodeCounter row offset
    // EBR state.
    private var ebrAddress: UInt32 = 0
    // Bit-serial assembly (MSB first).
    private var partialByte: UInt8 = 0
    private var partialBits = 0

    public init(part: Part?, checksID: Bool = true, source: Source = .jtag) {
        self.part = part
        self.checksID = checksID && part != nil
        self.source = source
    }

    deinit { codeTable?.deallocate() }

    // MARK: - Feeding

    /// Consumes one bit (bitstreams travel MSB first on TDI).
    @inline(__always)
    public func consume(bit: Bool) {
        partialByte = (partialByte << 1) | (bit ? 1 : 0)
        partialBits += 1
        if partialBits == 8 {
            partialBits = 0
            consume(partialByte)
        }
    }

    public func consume(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var n = bytes.count
        var limit: Int?
        if limitsLength {
            let l = (part ?? Part.largest).maximumBitstreamBytes
            if offset + n > l {
                n = max(0, l - offset)
                limit = l
            }
        }
        var i = 0
        while i < n {
            switch phase {
            case .frameData, .frameCRC, .frameDummy:
                i = consumeFrames(base, from: i, to: n)
            case .failed, .jumped:
                i = n
            default:
                consume(base[i])
                i += 1
            }
        }
        if let limit, phase != .failed {
            // Not the device's verdict (it takes endless dummy bytes): `.none`, like an incomplete stream.
            fail(.none, "the input goes on past \(limit) bytes, more than any bitstream for \(part?.name ?? "an ECP5") holds", at: max(limit, offset))
        }
    }

    /// Frame data, frame CRCs and dummy bytes in bulk: whole runs of bytes per step instead of one
    /// call per byte. Returns where it stopped (at `end`, or where the next phase begins); the state
    /// it leaves is the one byte-by-byte consumption would have left.
    private func consumeFrames(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var i = start
        CRC16.tables.withUnsafeBufferPointer { tables in
            while i < end {
                switch phase {
                case .frameData where frameFill == 0 && counterState == 0 && frameSink == nil
                    && frameIndex + 1 < frameCount && (!compressed || codeTable != nil):
                    let next = wholeFrames(base, from: i, to: end, tables: tables)
                    if next == i { fallthrough }
                    i = next
                case .frameData:
                    if !compressed {
                        let take = min(frameTarget - frameFill, end - i)
                        let run = UnsafeRawBufferPointer(start: base + i, count: take)
                        crc = CRC16(value: CRC16.update(crc.value, run, tables: tables))
                        if frameSink != nil {
                            if frameFill == 0 && take == frameTarget {
                                offset += take
                                i += take
                                frameFill = take
                                frameBytesComplete(run)
                                continue
                            }
                            frame.withUnsafeMutableBytes { UnsafeMutableRawBufferPointer(rebasing: $0[frameFill..<(frameFill + take)]).copyMemory(from: run) }
                        }
                        frameFill += take
                        offset += take
                        i += take
                        if frameFill == frameTarget { frameBytesComplete() }
                    } else if countsOnly, let t = codeTable {
                        // Count codes a byte at a time (a table step each) and CRC the same bytes.
                        var need = frameTarget - frameFill
                        var state = counterState
                        var c = UInt32(crc.value)
                        var j = i
                        while j < end {
                            let b = base[j]
                            c = CRC16.step(c, b, tables: tables)
                            let e = Int(t[state | Int(b)])
                            state = e & Int(FrameCodeCounter.rowMask)
                            need -= e & Int(FrameCodeCounter.countMask)
                            j += 1
                            if need <= 0 { break }
                        }
                        crc = CRC16(value: UInt16(truncatingIfNeeded: c))
                        offset += j - i
                        i = j
                        if need <= 0 {
                            // The rest of the last byte is padding.
                            frameFill = frameTarget
                            counterState = 0
                            frameBytesComplete()
                        } else {
                            frameFill = frameTarget - need
                            counterState = state
                        }
                    } else {
                        consume(base[i])
                        i += 1
                    }
                case .frameCRC where crcLeft == 2 && end - i >= 2:
                    let stored = UInt16(base[i]) << 8 | UInt16(base[i + 1])
                    if stored != crc.value {
                        consume(base[i])  // the byte-by-byte path reports it
                        i += 1
                        continue
                    }
                    crc.reset()
                    crcChecks += 1
                    offset += 2
                    i += 2
                    afterFrameCRC()
                case .frameDummy:
                    let take = min(dummyLeft, end - i)
                    crc = CRC16(value: CRC16.update(crc.value, UnsafeRawBufferPointer(start: base + i, count: take), tables: tables))
                    dummyLeft -= take
                    offset += take
                    i += take
                    if dummyLeft == 0 { nextFrame() }
                case .frameCRC:
                    consume(base[i])
                    i += 1
                default:
                    return
                }
            }
        }
        return i
    }

    /// The common case, as fast as it goes: whole frames that lie within the run, counted and
    /// CRC-checked with nothing kept. Works on copies of the state and stores them only for frames
    /// that passed every check; stops before the last frame of the command (its CRC may be the
    /// only one), before a frame that does not end within the run, and before a frame whose CRC
    /// does not match, all of which the general path then takes from the frame's first byte.
    private func wholeFrames(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, tables: UnsafeBufferPointer<UInt16>
    ) -> Int {
        let crcEach = frameFlags & 0x80 != 0 && frameFlags & 0x40 == 0
        let dummies = Int(frameFlags & 0x0F)
        let trailer = (crcEach ? 2 : 0) + dummies
        let target = frameTarget
        let codes = compressed ? codeTable : nil
        let last = frameCount - 1
        // Offsets within the run cannot overflow: plain wrapping arithmetic.
        var i = start
        var index = frameIndex
        var c = UInt32(crc.value)  // bits above 16 may hold garbage: only the low 16 count
        var checks = 0
        while index < last {
            var j = i
            var x = c
            if let codes {
                // Each byte ends at most 8 codes: while more than 32 (16) are missing, four (two)
                // bytes at a time without looking, their counts summed in the entries' low bits,
                // and their CRC taken on the way.
                let row = Int(FrameCodeCounter.rowMask), count = Int(FrameCodeCounter.countMask)
                var need = target
                var state = 0
                while need > 32 && end &- j >= 4 {
                    let b0 = base[j], b1 = base[j &+ 1], b2 = base[j &+ 2], b3 = base[j &+ 3]
                    let e0 = Int(codes[state | Int(b0)])
                    let e1 = Int(codes[e0 & row | Int(b1)])
                    let e2 = Int(codes[e1 & row | Int(b2)])
                    let e3 = Int(codes[e2 & row | Int(b3)])
                    need &-= (e0 &+ e1 &+ e2 &+ e3) & count
                    state = e3 & row
                    x = CRC16.step4(x, b0, b1, b2, b3, tables: tables)
                    j &+= 4
                }
                while need > 16 && end &- j >= 2 {
                    let b0 = base[j], b1 = base[j &+ 1]
                    let e0 = Int(codes[state | Int(b0)])
                    let e1 = Int(codes[e0 & row | Int(b1)])
                    need &-= (e0 &+ e1) & count
                    state = e1 & row
                    x = CRC16.step2(x, b0, b1, tables: tables)
                    j &+= 2
                }
                while need > 0 && j < end {
                    let b = base[j]
                    let e = Int(codes[state | Int(b)])
                    need &-= e & count
                    state = e & row
                    x = CRC16.step(x, b, tables: tables)
                    j &+= 1
                }
                if need > 0 { break }
            } else {
                if end &- i < target { break }
                j = i &+ target
                x = UInt32(CRC16.update(UInt16(truncatingIfNeeded: x), UnsafeRawBufferPointer(start: base + i, count: target), tables: tables))
            }
            if end &- j < trailer { break }
            var k = j
            if crcEach {
                // A CRC-16 without final XOR run over the data and then the stored CRC (big-endian) is 0.
                if UInt16(truncatingIfNeeded: CRC16.step2(x, base[j], base[j &+ 1], tables: tables)) != 0 { break }
                checks &+= 1
                x = 0
                k &+= 2
            }
            let next = j &+ trailer
            while k < next {
                x = CRC16.step(x, base[k], tables: tables)
                k &+= 1
            }
            c = x
            i = next
            index &+= 1
        }
        crc = CRC16(value: UInt16(truncatingIfNeeded: c))
        crcChecks += checks
        framesWritten += index - frameIndex
        frameIndex = index
        offset += i - start
        return i
    }

    public func consume(_ byte: UInt8) {
        switch phase {
        case .searching:
            window = (window << 8) | UInt32(byte)
            if window == BitstreamCommand.preamble {
                preambleOffset = offset - 3
                phase = .opcode
            }
        case .opcode:
            if byte == BitstreamCommand.dummy { break }  // not part of the CRC
            if programDone { commandsAfterDone += 1 }
            crc.update(byte)
            guard let c = BitstreamCommand.with(opcode: byte) else {
                fail(.illegalCommand, "unknown command \(ASCII.hex(byte))")
                break
            }
            command = c
            infoCount = 0
            phase = .info
        case .info:
            crc.update(byte)
            switch infoCount {
            case 0: info.0 = byte
            case 1: info.1 = byte
            default: info.2 = byte
            }
            infoCount += 1
            if infoCount == 3 { infoComplete() }
        case .operand:
            crc.update(byte)
            operand = (operand << 8) | UInt64(byte)
            operandLeft -= 1
            if operandLeft == 0 { operandComplete() }
        case .crc, .frameCRC, .ebrCRC:
            crcBytes = (crcBytes << 8) | UInt16(byte)
            crcLeft -= 1
            if crcLeft == 0 { crcComplete() }
        case .frameData:
            crc.update(byte)
            if compressed && countsOnly {
                countCodes(byte)
            } else if compressed {
                decompress(byte)
            } else {
                frame[frameFill] = byte
                frameFill += 1
                if frameFill == frameTarget { frameBytesComplete() }
            }
        case .frameDummy:
            crc.update(byte)  // the dummy byte after a frame counts towards the next CRC [verified]
            dummyLeft -= 1
            if dummyLeft == 0 { nextFrame() }
        case .ebrData:
            crc.update(byte)
            frameFill += 1
            if frameFill == BitstreamCommand.ebrFrameBytes { ebrFrameComplete() }
        case .failed, .jumped:
            break
        }
        offset += 1
    }

    // MARK: - Commands

    private func infoComplete() {
        guard let command else { return }
        switch command.layout {
        case .fixed(let n):
            if n > 0 {
                operand = 0
                operandLeft = n
                phase = .operand
            } else {
                operandComplete()
            }
        case .frames(let isCompressed):
            startFrames(compressed: isCompressed)
        case .ebrFrames:
            startEBR()
        }
    }

    private func operandComplete() {
        guard let command else { return }
        let value = operand
        switch command.opcode {
        case BitstreamCommand.resetCRC:
            crc.reset()
        case BitstreamCommand.verifyID:
            let id = UInt32(truncatingIfNeeded: value)
            verifiedID = id
            if let part {
                if checksID && id != part.idcode {
                    let named = Part.with(idcode: id).map { " (\($0.name))" } ?? ""
                    return fail(.id, "VERIFY_ID \(ASCII.hex(id))\(named) does not match the device's IDCODE \(ASCII.hex(part.idcode)) (\(part.name))")
                }
            } else if let p = Part.with(idcode: id) {
                part = p
            } else {
                return fail(.id, "VERIFY_ID \(ASCII.hex(id)) is not the IDCODE of any ECP5 part")
            }
        case BitstreamCommand.writeCompressionDictionary:
            // pattern 7 first … pattern 0 last
            for i in 0..<8 { dictionary[7 - i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * (7 - i))) }
            haveDictionary = true
        case BitstreamCommand.programUserCode:
            userCode = UInt32(truncatingIfNeeded: value)
        case BitstreamCommand.ebrAddress:
            ebrAddress = UInt32(truncatingIfNeeded: value)
            if let part, Int((ebrAddress >> 11) & 0x3FF) >= part.ebrBlocks {
                // (?) BSE code for an EBR beyond the array is not documented; OVFL is the closest name.
                return fail(.overflow, "LSC_EBR_ADDRESS selects EBR \((ebrAddress >> 11) & 0x3FF) but \(part.name) has \(part.ebrBlocks)")
            }
        case BitstreamCommand.programDone:
            programDone = true
        case BitstreamCommand.programControl0:
            control0 = UInt32(truncatingIfNeeded: value)
        case BitstreamCommand.spiMode:
            if source == .jtag {
                return fail(.aborted, "SPI_MODE command aborts a load over JTAG (rebuild without --spimode, or write it to flash)")
            }
            spiReadMode = info.0
        case BitstreamCommand.jump:
            // Operand: the SPI read opcode, then the 24-bit address. Over JTAG there is nowhere to jump.
            if source == .jtag {
                return fail(.aborted, "JUMP command aborts a load over JTAG (it belongs in the flash)")
            }
            jumpTarget = Int(value & 0xFF_FFFF)
            phase = .jumped
            return
        default:
            break
        }
        if info.0 & 0x80 != 0 { expectCRC(.crc) } else { phase = .opcode }
    }

    private func expectCRC(_ p: Phase) {
        crcLeft = 2
        crcBytes = 0
        phase = p
    }

    private func crcComplete() {
        let expected = crc.value
        crc.reset()
        crcChecks += 1
        if crcBytes != expected {
            let which = phase == .frameCRC ? "frame" : phase == .ebrCRC ? "EBR frame" : (command?.name ?? "command")
            // Reported at the first byte of the stored CRC16.
            return fail(.crc, "CRC mismatch after \(which): bitstream says \(ASCII.hex(crcBytes)), data gives \(ASCII.hex(expected))", at: offset - 1)
        }
        switch phase {
        case .frameCRC: afterFrameCRC()
        case .ebrCRC: nextEBRFrame()
        default: phase = .opcode
        }
    }

    // MARK: - Configuration frames

    private func startFrames(compressed isCompressed: Bool) {
        guard let part, verifiedID != nil else {
            // (?) A stream with frame data before VERIFY_ID: the strict reading is to refuse it.
            return fail(.id, "frame data before VERIFY_ID")
        }
        if isCompressed && !haveDictionary {
            return fail(.illegalCommand, "compressed frames before LSC_WRITE_COMP_DIC")
        }
        compressed = isCompressed
        frameFlags = info.0
        frameCount = Int(info.1) << 8 | Int(info.2)
        framesDeclared += frameCount
        if framesWritten + frameCount > part.frames {
            // (?) Mapping inferred from the code's name (docs/ecp5.md §2): frames past the array → SDM.
            return fail(.sdm, "\(frameCount) frames declared but \(part.name) has \(part.frames)")
        }
        frameTarget = isCompressed ? part.compressedFrameBytes : part.bytesPerFrame
        countsOnly = isCompressed && frameSink == nil
        if countsOnly {
            if codeTable == nil {
                let t = FrameCodeCounter.table()
                let p = UnsafeMutablePointer<UInt16>.allocate(capacity: t.count)
                t.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: $0.count) }
                codeTable = p
            }
        } else if frame.count < frameTarget {
            frame = [UInt8](repeating: 0, count: frameTarget)
        }
        frameIndex = 0
        if frameCount == 0 { phase = .opcode; return }
        beginFrame()
    }

    private func beginFrame() {
        frameFill = 0
        bitBuffer = 0
        bitCount = 0
        counterState = 0
        phase = .frameData
    }

    /// Frame number of the frame being written: frames go highest-numbered first.
    private var currentFrameNumber: Int? {
        guard let part, phase == .frameData || phase == .frameCRC || phase == .frameDummy else { return nil }
        return part.frames - 1 - (framesWritten)
    }

    /// `whole`: the frame's bytes where they arrived, when they arrived in one piece and uncompressed.
    private func frameBytesComplete(_ whole: UnsafeRawBufferPointer? = nil) {
        if let sink = frameSink, let part {
            if let whole {
                sink(part.frames - 1 - framesWritten, whole)
            } else if !countsOnly {
                let pad = frameTarget - part.bytesPerFrame
                frame.withUnsafeBytes { p in
                    sink(part.frames - 1 - framesWritten, UnsafeRawBufferPointer(rebasing: p[pad..<frameTarget]))
                }
            }
        }
        let crcEach = frameFlags & 0x80 != 0 && frameFlags & 0x40 == 0
        let crcLast = frameFlags & 0x80 != 0 && frameIndex == frameCount - 1
        if crcEach || crcLast { expectCRC(.frameCRC) } else { afterFrameCRC() }
    }

    private func afterFrameCRC() {
        dummyLeft = Int(frameFlags & 0x0F)
        if dummyLeft > 0 { phase = .frameDummy } else { nextFrame() }
    }

    private func nextFrame() {
        framesWritten += 1
        frameIndex += 1
        if frameIndex < frameCount { beginFrame() } else { phase = .opcode }
    }

    /// Codes, MSB first: `0` → 0x00; `100bbb` → 1 << bbb; `101iii` → dictionary[iii];
    /// `11dddddddd` → the literal byte. A frame ends byte-aligned (zero-bit padding).
    private func decompress(_ byte: UInt8) {
        bitBuffer = (bitBuffer << 8) | UInt32(byte)
        bitCount += 8
        while frameFill < frameTarget && bitCount > 0 {
            let top = (bitBuffer >> UInt32(bitCount - 1)) & 1
            if top == 0 {
                emit(0, bits: 1)
                continue
            }
            guard bitCount >= 2 else { break }
            if (bitBuffer >> UInt32(bitCount - 2)) & 1 == 1 {
                guard bitCount >= 10 else { break }
                emit(UInt8(truncatingIfNeeded: bitBuffer >> UInt32(bitCount - 10)), bits: 10)
            } else {
                guard bitCount >= 6 else { break }
                // 10kbbb: k = 0 → a single set bit, k = 1 → dictionary entry
                let code = (bitBuffer >> UInt32(bitCount - 6)) & 0x3F
                let index = Int(code & 0x7)
                emit(code & 0x8 == 0 ? UInt8(1) << UInt8(index) : dictionary[index], bits: 6)
            }
        }
        if frameFill == frameTarget {
            // The rest of the current byte is padding.
            bitCount = 0
            bitBuffer = 0
            frameBytesComplete()
        } else {
            bitBuffer &= bitCount >= 32 ? ~0 : (UInt32(1) << UInt32(bitCount)) - 1
        }
    }

    /// `decompress` without the output: counts the codes that end in `byte` (see `FrameCodeCounter`).
    private func countCodes(_ byte: UInt8) {
        guard let codeTable else { return }
        let e = Int(codeTable[counterState | Int(byte)])
        counterState = e & Int(FrameCodeCounter.rowMask)
        frameFill += e & Int(FrameCodeCounter.countMask)
        if frameFill >= frameTarget {
            // The rest of the byte is padding.
            frameFill = frameTarget
            counterState = 0
            frameBytesComplete()
        }
    }

    @inline(__always)
    private func emit(_ value: UInt8, bits: Int) {
        frame[frameFill] = value
        frameFill += 1
        bitCount -= bits
    }

    // MARK: - EBR initialisation

    private func startEBR() {
        guard part != nil, verifiedID != nil else {
            return fail(.id, "EBR data before VERIFY_ID")
        }
        frameFlags = info.0
        frameCount = Int(info.1) << 8 | Int(info.2)
        let word = Int(ebrAddress & 0x7FF)
        if word + frameCount * 8 > 2048 {
            // (?) Undocumented mapping; see LSC_EBR_ADDRESS.
            return fail(.overflow, "LSC_EBR_WRITE of \(frameCount) frames from word \(word) runs past the end of the EBR")
        }
        ebrWrites += 1
        frameIndex = 0
        frameFill = 0
        phase = frameCount == 0 ? .opcode : .ebrData
    }

    private func ebrFrameComplete() {
        ebrFramesWritten += 1
        let crcEach = frameFlags & 0x80 != 0 && frameFlags & 0x40 == 0
        let crcLast = frameFlags & 0x80 != 0 && frameIndex == frameCount - 1
        if crcEach || crcLast { expectCRC(.ebrCRC) } else { nextEBRFrame() }
    }

    private func nextEBRFrame() {
        frameIndex += 1
        frameFill = 0
        phase = frameIndex < frameCount ? .ebrData : .opcode
    }

    // MARK: - Errors

    private func fail(_ code: BSECode, _ message: String, at position: Int? = nil) {
        guard problem == nil else { return }
        problem = Problem(code: code, offset: position ?? offset, frame: currentFrameNumber, message: message)
        phase = .failed
    }
}
