import TapWalkerCore

/// The board jobs of FTP (STOR to a destination, the SITE board commands), run by the board
/// service and rendered as replies: the same results, wording and reload behaviour as the command
/// line, each line prefixed with the destination it concerns.
extension FTPSession {
    /// Runs an upload to `destination`; gzip and zlib are recognised by content.
    func programUpload(_ upload: any ByteSource, to destination: FTPDestination) throws(TapWalkerError) -> String {
        let board = server.board
        let input = DecompressingSource(upload)
        switch destination {
        case .fpga:
            return try FTPSession.render(board.loadSRAM(input))
        case .flash(let address):
            return try FTPSession.render(board.writeFlash(input, at: address))
        case .sd(let offset):
            let result = board.writeSD(input, offset: offset)
            if let failure = result.failure { throw failure }
            return result.summary
        }
    }

    static func render(_ result: SRAMLoadResult) throws(TapWalkerError) -> String {
        if let failure = result.failure {
            var state = ""
            if let status = result.status { state = " (status \(ASCII.hex(status.raw)): \(status.done ? "DONE" : "not DONE"))" }
            throw TapWalkerError(failure.kind, "fpga: \(failure.message)\(state)")
        }
        return result.summary
    }

    static func render(_ result: FlashWriteResult) throws(TapWalkerError) -> String {
        if let failure = result.failure {
            throw TapWalkerError(failure.kind, "flash@\(BoardText.address(result.address)): \(failure.message)")
        }
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
        lines.append(status.done && !status.hasError ? "DONE" : "not DONE")
        return lines
    }

    /// The flash chip, its registers and protection; the FPGA is reloaded from flash after.
    func siteFlashInfo() throws(TapWalkerError) -> [String] {
        let info = server.board.flashInfo()
        if let failure = info.failure { throw failure }
        return info.lines
    }

    /// The passthru bitstream for the FPGA's IDCODE, from the root.
    func sitePassthru(_ output: FTPSiteOutput) throws(TapWalkerError) -> String {
        let result = server.board.loadPassthru(from: "/", files: FTPStoreFiles(server.store), progress: output.progress("programming"))
        return try FTPSession.render(result)
    }
}

/// The FTP root as the board service's file system (passthru files), gzip and zlib inflated.
final class FTPStoreFiles: BoardFileSystem {
    let store: any FTPFileStore

    init(_ store: any FTPFileStore) { self.store = store }

    func isFile(_ path: String) -> Bool {
        guard let info = try? store.info(path) else { return false }
        return !info.isDirectory
    }

    func open(_ path: String) throws(TapWalkerError) -> any ByteSource {
        DecompressingSource(try store.openForReading(path, offset: 0))
    }
}
