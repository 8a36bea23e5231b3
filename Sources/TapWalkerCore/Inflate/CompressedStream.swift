/// A compressed stream in one of DEFLATE's containers, decoded with the same push/pull API as
/// `Inflater` (which it uses, and whose input buffer it shares for headers and trailers):
/// - gzip (RFC 1952): header with FEXTRA, FNAME, FCOMMENT and FHCRC (checked); CRC-32 and ISIZE of
///   every member checked; several members concatenated decode as one stream; zero bytes after
///   the last member are ignored (as gzip and Python do), anything else is an error;
/// - zlib (RFC 1950): CMF/FLG checked, the window sized from CINFO, a preset dictionary (FDICT)
///   refused, ADLER-32 checked; nothing may follow it;
/// `isFinished` becomes true once the input has been declared ended (`finishInput`) after a complete
/// stream, since until then another gzip member (or, for zlib, stray trailing bytes) may follow.
/// - raw DEFLATE.
///
/// Memory: the inflater's (see `Inflater`) plus a few dozen bytes.
public final class CompressedStream {
    public enum Format: Sendable { case gzip, zlib, raw }

    public let format: Format
    private let inflater: Inflater

    private enum State { case header, body, trailer, afterMember, done }
    private var state = State.header
    // Header parsing (gzip: a sequence of steps; zlib: two bytes).
    private var headerBytes: [UInt8] = []
    private var headerStep = 0
    private var skipRemaining = 0
    private var headerCRC = CRC32()
    private var crc = CRC32()
    private var adler = Adler32()
    private var outputSize: UInt32 = 0
    private var trailer: [UInt8] = []
    private var memberStart = 0

    /// Recognises a container by its first bytes (at least 3 for gzip, 2 for zlib): gzip is
    /// 1F 8B 08; zlib is CM = 8, CINFO ≤ 7 and (CMF·256 + FLG) a multiple of 31. Nil for anything else
    /// (an ECP5 bitstream starts FF 00 or FF FF, which is neither).
    public static func detect(_ prefix: UnsafeRawBufferPointer) -> Format? {
        if prefix.count >= 3 && prefix[0] == 0x1F && prefix[1] == 0x8B && prefix[2] == 0x08 { return .gzip }
        if prefix.count >= 2 && isZlibHeader(prefix[0], prefix[1]) { return .zlib }
        return nil
    }

    static func isZlibHeader(_ cmf: UInt8, _ flg: UInt8) -> Bool {
        cmf & 0x0F == 8 && cmf >> 4 <= 7 && (Int(cmf) << 8 | Int(flg)) % 31 == 0
    }

    /// `windowBits` for raw and gzip streams (which don't declare it); zlib takes it from its header.
    public init(format: Format, windowBits: Int = 15, inputCapacity: Int = 1024) {
        self.format = format
        inflater = Inflater(windowBits: format == .zlib ? 8 : windowBits, inputCapacity: inputCapacity)
        if format == .raw { state = .body }
    }

    /// Bytes of memory the decoder holds.
    public var memoryBytes: Int { inflater.memoryBytes }

    public var inputSpace: Int { inflater.inputSpace }

    public func feed(_ bytes: UnsafeRawBufferPointer) -> Int { inflater.feed(bytes) }

    public func fill(from source: ByteSource) throws(TapWalkerError) -> Int { try inflater.fill(from: source) }

    public func finishInput() { inflater.finishInput() }

    public var isFinished: Bool { state == .done }

    private var kindName: String { format == .gzip ? "gzip" : format == .zlib ? "zlib" : "deflate" }

    private func bad(_ what: String, at offset: Int) -> TapWalkerError {
        TapWalkerError(.data, "invalid \(kindName) data at byte \(offset): \(what); the input is corrupt")
    }

    private func truncated() -> TapWalkerError {
        TapWalkerError(.data, "\(kindName) data truncated at byte \(inflater.offset): the stream ends before its \(state == .header ? "header" : "trailer") is complete")
    }

    /// Decompresses into `buffer`; returns the bytes written. 0 means the stream is finished
    /// (`isFinished`) or more input is needed.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        while true {
            switch state {
            case .done:
                return 0
            case .header:
                if try !readHeader() { return 0 }
                state = .body
            case .body:
                let n = try inflater.read(into: buffer)
                if n > 0 {
                    let out = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                    switch format {
                    case .gzip: crc.update(out); outputSize &+= UInt32(truncatingIfNeeded: n)
                    case .zlib: adler.update(out)
                    case .raw: break
                    }
                    return n
                }
                if !inflater.isFinished { return 0 }
                if format == .raw { state = .done; return 0 }
                state = .trailer
                trailer = []
            case .trailer:
                if try !readTrailer() { return 0 }
            case .afterMember:
                // gzip: another member, zero padding, or the end. zlib: only the end.
                guard let b = inflater.takeByte() else {
                    if inflater.inputEnded { state = .done }
                    return 0
                }
                if format == .zlib { throw bad("trailing data after the zlib stream", at: inflater.offset - 1) }
                if b == 0 { continue }
                if b != 0x1F { throw bad("trailing data after the last gzip member", at: inflater.offset - 1) }
                headerBytes = [b]
                headerStep = 0
                crc.reset()
                headerCRC.reset()
                headerCRC.update(b)
                outputSize = 0
                memberStart = inflater.offset - 1
                state = .header
            }
        }
    }

    /// Next header/trailer byte, or nil (after checking for truncation) when more input is needed.
    private func nextByte() throws(TapWalkerError) -> UInt8? {
        if let b = inflater.takeByte() { return b }
        if inflater.inputEnded { throw truncated() }
        return nil
    }

    private func readHeader() throws(TapWalkerError) -> Bool {
        if format == .zlib {
            while headerBytes.count < 2 {
                guard let b = try nextByte() else { return false }
                headerBytes.append(b)
            }
            let cmf = headerBytes[0], flg = headerBytes[1]
            if cmf & 0x0F != 8 { throw bad("unknown compression method \(cmf & 0x0F)", at: 0) }
            if cmf >> 4 > 7 { throw bad("invalid window size (CINFO \(cmf >> 4))", at: 0) }
            if (Int(cmf) << 8 | Int(flg)) % 31 != 0 { throw bad("incorrect header check", at: 1) }
            if flg & 0x20 != 0 {
                throw bad("a preset dictionary (FDICT) is needed, which is not supported", at: 1)
            }
            inflater.restart(windowBits: Int(cmf >> 4) + 8)
            return true
        }
        // gzip: ID1 ID2 CM FLG MTIME(4) XFL OS, then the optional fields in order.
        while true {
            switch headerStep {
            case 0:  // fixed part
                while headerBytes.count < 10 {
                    guard let b = try nextByte() else { return false }
                    headerBytes.append(b)
                    headerCRC.update(b)
                }
                if headerBytes[0] != 0x1F || headerBytes[1] != 0x8B { throw bad("not a gzip member (bad magic)", at: memberStart) }
                if headerBytes[2] != 8 { throw bad("unknown compression method \(headerBytes[2])", at: memberStart + 2) }
                if headerBytes[3] & 0xE0 != 0 { throw bad("reserved header flags set", at: memberStart + 3) }
                headerStep = 1
            case 1:  // FEXTRA length
                if headerBytes[3] & 0x04 == 0 { headerStep = 3; continue }
                while headerBytes.count < 12 {
                    guard let b = try nextByte() else { return false }
                    headerBytes.append(b)
                    headerCRC.update(b)
                }
                skipRemaining = Int(headerBytes[10]) | Int(headerBytes[11]) << 8
                headerStep = 2
            case 2:  // FEXTRA data
                while skipRemaining > 0 {
                    guard let b = try nextByte() else { return false }
                    headerCRC.update(b)
                    skipRemaining -= 1
                }
                headerStep = 3
            case 3, 4:  // FNAME, FCOMMENT: zero-terminated
                let flag: UInt8 = headerStep == 3 ? 0x08 : 0x10
                if headerBytes[3] & flag != 0 {
                    while true {
                        guard let b = try nextByte() else { return false }
                        headerCRC.update(b)
                        if b == 0 { break }
                    }
                }
                headerStep += 1
            case 5:  // FHCRC
                if headerBytes[3] & 0x02 != 0 {
                    while trailer.count < 2 {
                        guard let b = try nextByte() else { return false }
                        trailer.append(b)
                    }
                    let stored = UInt16(trailer[0]) | UInt16(trailer[1]) << 8
                    if stored != UInt16(truncatingIfNeeded: headerCRC.value) {
                        throw bad("header CRC mismatch", at: inflater.offset - 2)
                    }
                    trailer = []
                }
                inflater.restart()
                return true
            default:
                return true
            }
        }
    }

    private func readTrailer() throws(TapWalkerError) -> Bool {
        let size = format == .gzip ? 8 : 4
        while trailer.count < size {
            guard let b = try nextByte() else { return false }
            trailer.append(b)
        }
        let at = inflater.offset - size
        if format == .zlib {
            let stored = UInt32(trailer[0]) << 24 | UInt32(trailer[1]) << 16 | UInt32(trailer[2]) << 8 | UInt32(trailer[3])
            if stored != adler.value { throw bad("ADLER-32 mismatch (stored \(ASCII.hex(stored)), computed \(ASCII.hex(adler.value)))", at: at) }
            state = .afterMember
            return true
        }
        let storedCRC = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
        let storedSize = UInt32(trailer[4]) | UInt32(trailer[5]) << 8 | UInt32(trailer[6]) << 16 | UInt32(trailer[7]) << 24
        if storedCRC != crc.value { throw bad("CRC-32 mismatch (stored \(ASCII.hex(storedCRC)), computed \(ASCII.hex(crc.value)))", at: at) }
        if storedSize != outputSize { throw bad("length mismatch (ISIZE \(storedSize), decompressed \(outputSize))", at: at + 4) }
        trailer = []
        state = .afterMember
        return true
    }
}
