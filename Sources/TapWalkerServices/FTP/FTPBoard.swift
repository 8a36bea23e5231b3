import TapWalkerCore

/// The jobs FTP clients run on the board: programming SRAM, writing the flash or the SD card from
/// a stream, and the read-only questions of SITE (IDCODE, STATUS, FLASHINFO). Each returns the
/// one-line summary of the reply or throws an error that says what state it left. The caller
/// holds the `JobLock` around every call: the cable serves one job at a time.
public final class FTPBoard {
    public let cable: any Cable
    public let sdCard: (any FTPSDCard)?
    let clock: any ServiceClock
    /// Bytes per read from an upload into an SD write: the session's one transfer buffer, as for
    /// file transfers (the flash writer reads the upload a sector at a time itself).
    static let chunkBytes = 16384

    public init(cable: any Cable, sdCard: (any FTPSDCard)?, clock: any ServiceClock) {
        self.cable = cable
        self.sdCard = sdCard
        self.clock = clock
    }

    /// Runs an upload to `destination`; gzip and zlib are recognised by content.
    public func write(_ input: any ByteSource, to destination: FTPDestination, progress: ProgressHandler?) throws(TapWalkerError) -> String {
        switch destination {
        case .fpga: return try programSRAM(input, progress: progress)
        case .flash(let address): return try writeFlash(input, at: address, progress: progress)
        case .sd(let offset): return try writeSD(input, offset: offset, progress: progress)
        }
    }

    /// SRAM: the programmer streams the input and, if it fails or is cut off, leaves the FPGA
    /// erased and not DONE rather than half configured.
    public func programSRAM(_ input: any ByteSource, progress: ProgressHandler?) throws(TapWalkerError) -> String {
        let started = clock.microseconds()
        let report = SRAMProgrammer(port: ECP5Port(walker: TAPWalker(cable: cable))).program(DecompressingSource(input), progress: progress)
        if let failure = report.failure {
            var state = ""
            if let status = report.status { state = " (status \(ASCII.hex(status.raw)): \(status.done ? "DONE" : "not DONE"))" }
            throw TapWalkerError(failure.kind, "fpga: \(failure.message)\(state)")
        }
        return "fpga: \(report.bytesSent) bytes in \(FTPBoard.seconds(clock.microseconds() - started)), DONE"
            + " (\(report.part?.name ?? "ECP5"), usercode \(ASCII.hex(report.usercode ?? 0)))"
    }

    /// Flash: the compare-first writer, fed sector by sector; the FPGA is reloaded from flash after.
    public func writeFlash(_ input: any ByteSource, at address: Int, progress: ProgressHandler?) throws(TapWalkerError) -> String {
        let name = FTPDestination.flash(address: address).name
        let started = clock.microseconds()
        let session = try FlashSession(port: ECP5Port(walker: TAPWalker(cable: cable)))
        var report = FlashWriter.Report()
        do throws(TapWalkerError) {
            try FlashWriter(flash: session.flash).write(from: DecompressingSource(input), at: address, report: &report, progress: progress)
        } catch {
            _ = try? session.close()
            throw TapWalkerError(error.kind, "\(name): \(error.message) (\(FTPBoard.sectors(report)))")
        }
        let reload = try session.close()
        if report.bytes == 0 {
            throw TapWalkerError(.input, "\(name): the upload was empty; nothing was written")
        }
        var line = "\(name): \(report.bytes) bytes in \(FTPBoard.seconds(clock.microseconds() - started)), \(FTPBoard.sectors(report))"
        line += report.verified ? ", verified" : ""
        if let reload { line += reload.done ? "; FPGA reloaded from flash: DONE" : "; FPGA reloaded from flash: not DONE" }
        return line
    }

    /// SD: raw bytes at `offset` (negative: from the end), straight to the card in 16 KB writes.
    public func writeSD(_ input: any ByteSource, offset: Int, progress: ProgressHandler?) throws(TapWalkerError) -> String {
        guard let card = sdCard else {
            throw TapWalkerError(.usage, "sd@\(offset): this server has no SD card (start it with --sd PATH); nothing was written")
        }
        let started = clock.microseconds()
        let size = try card.size()
        let start = offset < 0 ? size + offset : offset
        guard start >= 0, start < size else {
            throw TapWalkerError(.usage, "sd@\(offset): outside the \(size)-byte card \(card.name); nothing was written")
        }
        // A raw write under a mounted file system would be undone or corrupted by it.
        _ = try card.unmount()
        let source = DecompressingSource(input)
        var buffer = [UInt8](repeating: 0, count: FTPBoard.chunkBytes)
        var written = 0
        do throws(TapWalkerError) {
            while true {
                let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) in try source.read(into: p) }
                if n == 0 { break }
                guard start + written + n <= size else {
                    throw TapWalkerError(.usage, "the image does not fit: the card ends at byte \(size)")
                }
                try buffer.withBytes { (p) throws(TapWalkerError) in
                    try card.write(at: start + written, UnsafeRawBufferPointer(rebasing: p[0..<n]))
                }
                written += n
                progress?(Progress(phase: "writing", done: written, total: source.totalBytes))
            }
            try card.flush()
        } catch {
            try? card.flush()
            throw TapWalkerError(error.kind, "sd@\(offset): \(error.message); \(written) bytes were written from byte \(start), the rest of the card is unchanged")
        }
        if written == 0 { throw TapWalkerError(.input, "sd@\(offset): the upload was empty; nothing was written") }
        return "sd@\(offset): \(written) bytes at byte \(start) (block \(start / FTPDestination.sdBlock)) of \(card.name) in \(FTPBoard.seconds(clock.microseconds() - started))"
    }

    /// "IDCODE 0x41113043: LFE5U-85F".
    public func idcode() throws(TapWalkerError) -> String {
        let port = ECP5Port(walker: TAPWalker(cable: cable))
        try port.reset()
        let idcode = try port.readIDCODE()
        guard let part = Part.with(idcode: idcode) else { throw TapWalkerError(.device, noECP5Message(idcode)) }
        return "IDCODE \(ASCII.hex(idcode)): \(part.name)"
    }

    /// The IDCODE (to look up a passthru bitstream by it).
    public func readIDCODE() throws(TapWalkerError) -> UInt32 {
        let port = ECP5Port(walker: TAPWalker(cable: cable))
        try port.reset()
        return try port.readIDCODE()
    }

    /// The status register, decoded field by field, with the BSE advice when there is an error.
    public func status() throws(TapWalkerError) -> [String] {
        let port = ECP5Port(walker: TAPWalker(cable: cable))
        try port.reset()
        let status = try port.readStatus()
        var lines = ["status \(ASCII.hex(status.raw)): \(status.summary)"]
        lines += status.fieldLines
        if status.bse != .none {
            lines.append("\(status.bse.meaning); \(status.bse.advice(afterRefresh: !status.has(.iscEnable)))")
        }
        lines.append(status.done && !status.hasError ? "DONE" : "not DONE")
        return lines
    }

    /// The flash chip and its protection. Reaching the flash clears the SRAM; it is reloaded after.
    public func flashInfo() throws(TapWalkerError) -> [String] {
        let session = try FlashSession(port: ECP5Port(walker: TAPWalker(cable: cable)))
        let chip = session.flash.chip
        var lines = ["chip \(chip.name), JEDEC ID \(ASCII.hex(session.flash.jedecID, digits: 6)), \(chip.size >> 20) MB (\(ASCII.hex(chip.size)))"]
        do throws(TapWalkerError) {
            let protected = try session.flash.protectedRange()
            lines.append(protected.isEmpty ? "protection: none" : "protection: \(ASCII.hex(protected.lowerBound))–\(ASCII.hex(protected.upperBound - 1))")
        } catch {
            lines.append("protection: unknown (\(error.message))")
        }
        if let reload = try session.close() {
            lines.append(reload.done ? "FPGA reloaded from flash: DONE" : "FPGA reloaded from flash: not DONE")
        }
        return lines
    }

    static func sectors(_ r: FlashWriter.Report) -> String {
        "\(r.sectorsTotal) sectors: \(r.sectorsUnchanged) unchanged, \(r.sectorsProgrammed) written, \(r.sectorsErased) erased"
    }

    /// "2.1 s" (Embedded Swift prints no floating point).
    static func seconds(_ microseconds: UInt64) -> String {
        let tenths = (microseconds + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
