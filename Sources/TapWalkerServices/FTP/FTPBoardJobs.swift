import TapWalkerCore

/// The board jobs of FTP (STOR to a destination, the SITE board commands), run by the board
/// service and rendered as replies: the same results, wording and reload behaviour as the command
/// line, each line prefixed with the destination it concerns.
extension FTPSession {
    /// Runs an upload to `destination` (gzip and zlib inflated by the board service).
    func programUpload(_ input: any ByteSource, to destination: FTPDestination) throws(TapWalkerError) -> String {
        let board = server.board
        switch destination {
        case .fpga:
            return try board.loadSRAM(input).line()
        case .flash(let address):
            return try board.writeFlash(input, at: address).line()
        case .sd(let offset):
            let result = board.writeSD(input, offset: offset)
            if let failure = result.failure { throw failure }
            return result.summary
        }
    }

    /// Plays a stored SVF file, read twice: checked whole before the first TCK, then played.
    func siteSVF(_ path: String, _ output: FTPSiteOutput) throws(TapWalkerError) -> String {
        let store = server.store
        let result = server.board.playSVF(checkFirst: true, progress: output.progress("svf")) { () throws(TapWalkerError) in
            try store.openForReading(path, offset: 0)
        }
        if let failure = result.failure { throw failure.rephrased("svf: \(failure.message)") }
        if let fpga = result.fpgaLine { output.line(fpga) }
        return result.summary
    }

    /// "IDCODE 0x41113043: LFE5U-85F".
    func siteIDCODE() throws(TapWalkerError) -> String {
        let identity = server.board.identify()
        if let failure = identity.failure { throw failure }
        return "IDCODE \(ASCII.hex(identity.idcode ?? 0)): \(identity.part?.name ?? "")"
    }

    /// The status register decoded field by field; the last line is DONE or not DONE.
    func siteStatus() throws(TapWalkerError) -> [String] {
        let identity = server.board.identify()
        if let failure = identity.failure { throw failure }
        guard let status = identity.status else { return ["not DONE"] }
        var lines = ["status \(ASCII.hex(status.raw)): \(status.summary)"]
        lines += identity.statusLines
        lines.append(status.configured ? "DONE" : "not DONE")
        return lines
    }

    /// The flash chip, its registers and protection; the FPGA is reloaded from flash after.
    func siteFlashInfo() throws(TapWalkerError) -> [String] {
        let info = server.board.flashInfo()
        if let failure = info.failure { throw failure }
        return info.lines
    }

    /// Protects `range` ("start:end", end exclusive) or, when nil, removes the protection; the
    /// FPGA is reloaded from flash after, as `tapwalker flash protect` does.
    func siteProtect(_ range: [UInt8]?) throws(TapWalkerError) -> [String] {
        var wanted = 0..<0
        if let range {
            let parts = range.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard parts.count == 2, let start = ASCII.parseInteger(String(decoding: parts[0], as: UTF8.self)),
                  let end = ASCII.parseInteger(String(decoding: parts[1], as: UTF8.self)), start >= 0, end > start else {
                throw TapWalkerError(.usage, "SITE PROTECT takes start:end (end exclusive, above start): SITE PROTECT 0:0x200000")
            }
            wanted = start..<end
        }
        let result = server.board.protectFlash(wanted)
        if let failure = result.failure { throw failure }
        return [result.summary] + (result.access.reloadLine.map { [$0] } ?? [])
    }

    /// The passthru bitstream for the FPGA's IDCODE, from the root.
    func sitePassthru(_ output: FTPSiteOutput) throws(TapWalkerError) -> String {
        try server.board.loadPassthru(from: "/", files: StoreFileSystem(server.store), progress: output.progress("programming")).line()
    }
}
