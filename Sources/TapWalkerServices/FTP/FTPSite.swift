import TapWalkerCore

/// The SITE commands: a fixed table, nothing else. The original passed any other SITE text to
/// Python's exec(), which let anyone on the WiFi run code on the programmer; here an unknown SITE
/// command gets 502 and nothing runs.
struct FTPSiteCommand: Sendable {
    enum Verb: Sendable { case prog, flash, svf, passthru, idcode, status, flashinfo, protect, unprotect, mount, umount, help }

    let name: String
    let verb: Verb
    let usage: String
    /// Needs the configured user (anonymous logins may only ask for HELP).
    let writer: Bool
    /// Uses the board, so it takes the `JobLock`.
    let board: Bool

    static let all: [FTPSiteCommand] = [
        FTPSiteCommand(name: "PROG", verb: .prog, usage: "PROG path|URL: program a stored bitstream (.bit, .bit.gz; /sd/NAME is on the SD card), or one at an http:// URL (https:// too where the server has TLS: tapwalker serve), into the FPGA's SRAM", writer: true, board: true),
        FTPSiteCommand(name: "FLASH", verb: .flash, usage: "FLASH path|URL addr: write a stored file, or the one at an http(s):// URL, to the flash at addr (decimal or 0x-hex), compare-first", writer: true, board: true),
        FTPSiteCommand(name: "SVF", verb: .svf, usage: "SVF path: play a stored SVF file of JTAG vectors, checking every TDO; a malformed file is refused before the first TCK", writer: true, board: true),
        FTPSiteCommand(name: "PASSTHRU", verb: .passthru, usage: "PASSTHRU: program passthru<idcode>.bit or .bit.gz from the root, chosen by the FPGA's IDCODE", writer: true, board: true),
        FTPSiteCommand(name: "IDCODE", verb: .idcode, usage: "IDCODE: the FPGA's IDCODE and part", writer: true, board: true),
        FTPSiteCommand(name: "STATUS", verb: .status, usage: "STATUS: the FPGA's status register, decoded; DONE or not DONE", writer: true, board: true),
        FTPSiteCommand(name: "FLASHINFO", verb: .flashinfo, usage: "FLASHINFO: the flash chip, size and protection (clears the SRAM, then reloads from flash)", writer: true, board: true),
        FTPSiteCommand(name: "PROTECT", verb: .protect, usage: "PROTECT start:end: write-protect exactly that flash range (end exclusive), as the chip's own table allows; one-time bits are never set", writer: true, board: true),
        FTPSiteCommand(name: "UNPROTECT", verb: .unprotect, usage: "UNPROTECT: remove the flash's block write protection", writer: true, board: true),
        FTPSiteCommand(name: "MOUNT", verb: .mount, usage: "MOUNT: mount the SD card's file system at /sd", writer: true, board: true),
        FTPSiteCommand(name: "UMOUNT", verb: .umount, usage: "UMOUNT: release the SD card (never while a job reads a file on it)", writer: true, board: true),
        FTPSiteCommand(name: "HELP", verb: .help, usage: "HELP: this list", writer: false, board: false),
    ]

    static func named(_ word: [UInt8]) -> FTPSiteCommand? {
        for c in all where ASCII.equalFold(word, c.name) { return c }
        return nil
    }
}

/// The reply of a SITE job, sent as it is produced. Lines are held back for the first 2 s: a job
/// that ends by then (most do) gets one reply with its real code, 250 or 550. A longer job sends
/// its lines as "250-" as they come, which commits the reply to 250; if it then fails, the reply
/// ends "250 FAILED: …" (a multi-line reply must end with the code it began with).
final class FTPSiteOutput {
    let session: FTPSession
    let clock: any ServiceClock
    let started: UInt64
    private var pending: [String] = []
    private var committed = false
    static let holdMicroseconds: UInt64 = 2_000_000

    init(_ session: FTPSession) {
        self.session = session
        clock = session.server.clock
        started = clock.microseconds()
    }

    func line(_ text: String) {
        pending.append(text)
        if committed || clock.microseconds() - started >= FTPSiteOutput.holdMicroseconds { try? flush() }
    }

    /// A progress handler that reports every 256 KB.
    func progress(_ what: String) -> ProgressHandler {
        var next = 0
        return { [self] p in
            guard p.done >= next else { return }
            next = p.done + 262_144
            line("\(what): \(p.done) bytes")
        }
    }

    private func flush() throws(TapWalkerError) {
        var text = ""
        for l in pending { text += "250-\(FTPSession.oneLine(l))\r\n" }
        pending = []
        committed = true
        if !text.isEmpty { try session.send(text) }
    }

    func finish(_ summary: String) throws(TapWalkerError) {
        if committed || !pending.isEmpty { try flush() }
        try session.reply(250, summary)
    }

    func fail(_ error: TapWalkerError) throws(TapWalkerError) {
        session.log("SITE failed: \(error.message)")
        if committed {
            try flush()
            try session.reply(250, "FAILED: \(FTPSession.told(error))")
            return
        }
        let code = error.kind == .usage ? 501 : 550
        if pending.isEmpty { try session.reply(code, FTPSession.told(error)); return }
        try session.reply(code, first: pending[0], lines: Array(pending.dropFirst()), last: FTPSession.told(error))
    }
}

extension FTPSession {
    func siteHelp(code: Int) throws(TapWalkerError) {
        var lines: [String] = []
        for c in FTPSiteCommand.all { lines.append("SITE " + c.usage) }
        lines += FTPSession.destinationHelp
        try reply(code, first: "SITE commands (a fixed list; nothing else runs):", lines: lines, last: "End")
    }

    func site(_ arg: [UInt8]) throws(TapWalkerError) {
        let request = FTPRequest(line: arg)
        guard !request.word.isEmpty else { try reply(501, "SITE takes a command; SITE HELP lists them"); return }
        guard let command = FTPSiteCommand.named(request.word) else {
            log("refused SITE '\(ASCII.printable(arg))': not a SITE command")
            try reply(502, "SITE \(ASCII.printable(request.word)) is not a TapWalker SITE command; nothing was run; SITE HELP lists them")
            return
        }
        if command.writer && !canWrite {
            try reply(550, "SITE \(command.name): this login is read-only (anonymous); log in as the configured user")
            return
        }
        if command.verb == .help { try siteHelp(code: 214); return }
        guard command.board else { return try answerSite(command, request.argument) }
        let work: HeapWork = command.verb == .prog || command.verb == .passthru || command.verb == .svf ? .sramJob : .flashJob
        try withMemory(work) { () throws(TapWalkerError) in
            try holdingBoard("running SITE \(command.name)") { () throws(TapWalkerError) in try answerSite(command, request.argument) }
        }
    }

    /// Runs a SITE command and replies with its summary or its error.
    private func answerSite(_ command: FTPSiteCommand, _ arg: [UInt8]) throws(TapWalkerError) {
        let output = FTPSiteOutput(self)
        do throws(TapWalkerError) {
            let summary = try runSite(command, arg, output)
            log("SITE \(command.name): \(summary)")
            try output.finish(summary)
        } catch {
            try output.fail(error)
        }
    }

    private func runSite(_ command: FTPSiteCommand, _ arg: [UInt8], _ output: FTPSiteOutput) throws(TapWalkerError) -> String {
        let board = server.board
        switch command.verb {
        case .prog:
            // A file under /sd is read through the mounted card (the device's file store).
            let source = try board.openInput(FTPSession.text(arg), in: server.store, directory: directory)
            return try board.loadSRAM(source, progress: output.progress("programming")).line()
        case .flash:
            let words = arg.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard words.count == 2, let address = ASCII.parseInteger(String(decoding: words[1], as: UTF8.self)), address >= 0 else {
                throw TapWalkerError(.usage, "SITE FLASH takes a path and an address: SITE FLASH blink.bit 0x200000")
            }
            let source = try board.openInput(FTPSession.text(Array(words[0])), in: server.store, directory: directory)
            return try board.writeFlash(source, at: address, progress: output.progress("writing")).line()
        case .svf:
            return try siteSVF(try BoardService.storedPath(FTPSession.text(arg), in: server.store, directory: directory), output)
        case .passthru:
            return try sitePassthru(output)
        case .idcode:
            return try siteIDCODE()
        case .status:
            let lines = try siteStatus()
            for l in lines.dropLast() { output.line(l) }
            return lines.last ?? ""
        case .flashinfo:
            let lines = try siteFlashInfo()
            for l in lines.dropLast() { output.line(l) }
            return lines.last ?? ""
        case .protect, .unprotect:
            let lines = try siteProtect(command.verb == .protect ? arg : nil)
            for l in lines.dropLast() { output.line(l) }
            return lines.last ?? ""
        case .mount, .umount:
            guard let card = board.sdCard else {
                throw TapWalkerError(.usage, "this server has no SD card; nothing to mount")
            }
            return command.verb == .mount ? try card.mount() : try card.unmount()
        case .help:
            return ""
        }
    }
}
