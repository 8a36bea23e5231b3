import TapWalkerCore

/// Writes a raw image onto an SD card in whole 512-byte blocks only: a last block the input covers
/// in part is read from the card, merged and written back whole, so no block is ever left torn.
/// An input that runs past the end of the card stops at its last block, and the result says
/// exactly which bytes changed.
enum SDCardWriter {
    static let blockSize = 512
    /// Bytes per write: whole blocks, as many as fit.
    static let chunkBytes = 16384

    static func write(_ source: any ByteSource, to card: any SDCard, offset: Int, clock: any ServiceClock,
                      progress: ProgressHandler?) -> SDWriteResult {
        var result = SDWriteResult()
        var remount = false
        result.card = card.name
        result.offset = offset
        result.start = offset
        let started = clock.microseconds()
        let name = "sd@\(offset)"
        do throws(TapWalkerError) {
            let size = try card.size()
            let start = offset < 0 ? size + offset : offset
            result.start = start
            guard start >= 0, start < size, start % blockSize == 0 else {
                throw TapWalkerError(.usage, "\(name): outside the \(size)-byte card \(card.name) or not on a \(blockSize)-byte block; nothing was written")
            }
            // A raw write under a mounted file system would be undone or corrupted by it: the
            // file system is released first and mounted again after (below).
            if card.fileSystemMounted {
                _ = try card.unmount()
                remount = true
            }
            var buffer = [UInt8](repeating: 0, count: chunkBytes)
            var at = start
            while true {
                // Fill a whole chunk (or what is left of the card), so that only the last write can be partial.
                let room = min(chunkBytes, size - at)
                let have = try source.fill(&buffer, count: room)
                if have == 0 {
                    if room == 0 { try refuseOverflow(source, name, size, start, at, card) }
                    break
                }
                let tail = have % blockSize
                if tail != 0 {
                    // Merge the partial last block with what the card holds after it.
                    let blockStart = have - tail
                    var old = [UInt8](repeating: 0, count: blockSize)
                    try old.withMutableBytes { (p) throws(TapWalkerError) in try card.read(at: at + blockStart, into: p) }
                    for i in tail..<blockSize { buffer[blockStart + i] = old[i] }
                }
                let whole = (have + blockSize - 1) / blockSize * blockSize
                try buffer.withBytes { (p) throws(TapWalkerError) in
                    try card.write(at: at, UnsafeRawBufferPointer(rebasing: p[0..<whole]))
                }
                at += have
                result.written = start..<at
                progress?(Progress(phase: "writing", done: at - start, total: source.totalBytes))
                if have < room { break }
            }
            try card.flush()
            if result.written.isEmpty { throw TapWalkerError(.input, "\(name): the upload was empty; nothing was written") }
        } catch {
            try? card.flush()
            let state = result.written.isEmpty
                ? "nothing was written"
                : "bytes \(result.written.lowerBound)–\(result.written.upperBound - 1) of the card were written in whole blocks, the rest of the card is unchanged"
            let named = error.message.utf8.starts(with: name.utf8)
            result.failure = error.rephrased(named ? error.message : "\(name): \(error.message); \(state)")
        }
        if remount { mountAgain(card, &result) }
        // Set here, not in a defer: a defer runs after the returned copy is taken.
        result.microseconds = clock.microseconds() - started
        return result
    }

    /// Mounts the file system released for the write again (also after a failed write: the card
    /// holds what it held, or the part written); says which in the result.
    private static func mountAgain(_ card: any SDCard, _ result: inout SDWriteResult) {
        do throws(TapWalkerError) {
            _ = try card.mount()
            result.fileSystem = "the card's file system was released for the raw write and mounted again"
        } catch {
            result.fileSystem = "the card's file system was released for the raw write and could not be mounted again: \(error.message)"
        }
        if let failure = result.failure, let fileSystem = result.fileSystem {
            result.failure = failure.rephrased(failure.message + "; " + fileSystem)
        }
    }

    /// The card is full: if the input goes on, the job fails and says what was written.
    private static func refuseOverflow(_ source: any ByteSource, _ name: String, _ size: Int, _ start: Int, _ at: Int,
                                       _ card: any SDCard) throws(TapWalkerError) {
        var probe: UInt8 = 0
        let more = try withUnsafeMutableBytes(of: &probe) { (p) throws(TapWalkerError) in try source.read(into: p) }
        guard more > 0 else { return }
        try card.flush()
        let what = at > start ? "bytes \(start)–\(at - 1) of the card were written in whole blocks and the rest of the upload was not" : "nothing was written"
        throw TapWalkerError(.usage, "\(name): the upload does not fit: the card \(card.name) ends at byte \(size); \(what)")
    }
}
