import TapWalkerCore

/// The checks every front end gets from the board service, made before the board is touched:
/// an SRAM load's input is checked whole when it fits the part's largest bitstream, and an image
/// for flash address 0 (the one the FPGA boots) must be a bitstream for the board's part.
public enum BoardPolicy {
    /// The FPGA boots from this flash address.
    public static let bootAddress = 0

    /// What to tell the user when the image at 0 will not boot, and how to recover.
    public static func bootWarning(_ part: Part) -> String {
        "the FPGA will not boot from this flash; to recover, write a complete bitstream for the \(part.name) to address 0x000000 again (the FPGA can still be loaded over JTAG meanwhile)"
    }

    /// Reads `source` ahead before the board is touched. An input that cannot be read (a download
    /// cut short or stalled) fails here, and the message says that the board was left as it was.
    static func readAhead(_ source: any ByteSource, limit: Int, track: Bool) throws(TapWalkerError) -> PrefetchedSource {
        do throws(TapWalkerError) {
            return try PrefetchedSource(source, limit: limit, track: track)
        } catch {
            throw error.rephrased("\(error.message); nothing was written, the board was left as it was")
        }
    }

    /// Refuses an SRAM or flash input whose first bytes are SVF text (`SVFRecognizer`), before the
    /// board is changed: every front end's user is told what the file is instead of "not a bitstream".
    static func refuseSVF(_ input: PrefetchedSource) throws(TapWalkerError) {
        if SVFRecognizer.looksLikeSVF(input.prefix.prefix(SVFRecognizer.sniffLength)) { throw SVFRecognizer.refusal(input.name) }
    }

    /// An SRAM load's input, read ahead up to the part's largest bitstream. Refuses, before
    /// ISC_ERASE, an input that is longer than any bitstream for the part, or held whole and found
    /// not to be a complete, valid bitstream for it (another part's only when not `force`d).
    /// Returns true when the input was checked whole.
    static func checkSRAMInput(_ input: PrefetchedSource, part: Part, limit: Int, force: Bool) throws(TapWalkerError) -> Bool {
        if input.prefix.isEmpty { throw TapWalkerError(.input, "\(input.name) is empty; nothing was written") }
        let info = input.inspectPrefix()
        if let notBitstream = info.notABitstream { throw notBitstream }
        if let fileID = info.idcode, fileID != part.idcode, !force {
            throw TapWalkerError(.data, "bitstream is for \(describe(fileID)) but the board is \(part.name) (\(ASCII.hex(part.idcode))); nothing was written", remedy: .force)
        }
        guard input.complete else {
            if limit >= part.maximumBitstreamBytes {
                throw TapWalkerError(.data, "\(input.name) has more than \(limit) bytes, more than any \(force ? "ECP5" : part.name) bitstream holds; nothing was written")
            }
            // A smaller buffer (the firmware's): a length known in advance (a file's size, a
            // download's Content-Length) past any bitstream for the part is refused now; otherwise
            // the programmer checks the rest on its way through.
            let bound = force ? Part.largest.maximumBitstreamBytes : part.maximumBitstreamBytes
            if let total = input.totalBytes, total > bound {
                throw TapWalkerError(.data, "\(input.name) has \(total) bytes, more than any \(force ? "ECP5" : part.name) bitstream holds (\(bound)); nothing was written")
            }
            return false
        }
        if let problem = info.problem, problem.code != .id || !force {
            var at = "at byte \(problem.offset)"
            if let frame = problem.frame { at += " (frame \(frame))" }
            throw TapWalkerError(.data, "\(input.name) is not a complete, valid bitstream: \(at): \(problem.message); nothing was written, the FPGA keeps what it runs")
        }
        return true
    }

    /// An image for flash address 0, read ahead up to the part's largest bitstream: refused before
    /// the flash changes unless it is (or, too long to hold, starts as) a bitstream for `part`.
    static func checkBootImage(_ input: PrefetchedSource, part: Part) throws(TapWalkerError) {
        let info = input.inspectPrefix()
        let refused = "nothing was written; the flash at 0x000000 holds the image the FPGA boots, and this one would not boot it"
        if input.prefix.isEmpty { throw TapWalkerError(.input, "\(input.name) is empty; nothing was written") }
        if info.preambleOffset == nil {
            throw TapWalkerError(.data, "\(input.name) is not an ECP5 bitstream (no preamble FF FF BD B3 in its first \(input.prefix.count) bytes); \(refused)")
        }
        guard let fileID = info.idcode else {
            if input.complete { throw TapWalkerError(.data, "\(input.name) ends before VERIFY_ID; \(refused)") }
            throw TapWalkerError(.data, "\(input.name) has no VERIFY_ID in its first \(input.prefix.count) bytes; \(refused)")
        }
        if fileID != part.idcode {
            throw TapWalkerError(.data, "\(input.name) is a bitstream for \(describe(fileID)) but the board is \(part.name) (\(ASCII.hex(part.idcode))); \(refused)")
        }
        if let problem = info.problem, input.complete || problem.code != .none {
            throw TapWalkerError(.data, "\(input.name) is not a complete, valid bitstream: at byte \(problem.offset): \(problem.message); \(refused)")
        }
    }

    /// After an image was written at 0: the whole stream as the checker saw it.
    static func bootImageProblem(_ info: BitstreamInfo, part: Part) -> String? {
        if info.preambleOffset == nil { return "the image written at 0x000000 is not an ECP5 bitstream" }
        if info.idcode != part.idcode { return "the image written at 0x000000 is not a bitstream for the \(part.name)" }
        if let problem = info.problem {
            return "the image written at 0x000000 is not a complete, valid bitstream (at byte \(problem.offset): \(problem.message))"
        }
        return nil
    }

    static func describe(_ idcode: UInt32) -> String {
        Part.with(idcode: idcode).map { "\($0.name) (\(ASCII.hex(idcode)))" } ?? "IDCODE \(ASCII.hex(idcode))"
    }
}
