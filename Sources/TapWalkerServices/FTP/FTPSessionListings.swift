import TapWalkerCore

/// Listings (LIST, NLST, MLSD, MLST), STAT and HELP.
extension FTPSession {
    enum ListStyle { case long, names, facts }

    func list(_ rawArg: [UInt8], style: ListStyle) throws(TapWalkerError) {
        // Clients add ls options ("LIST -la"); they change nothing here.
        var arg = rawArg
        while arg.first == UInt8(ascii: "-") {
            if let space = arg.firstIndex(of: UInt8(ascii: " ")) { arg = Array(arg[(space + 1)...]) } else { arg = [] }
        }
        let target = arg.isEmpty ? Array(".".utf8) : arg
        guard let (path, info) = try existing(target) else { return }
        var entries: [FileInfo]
        if info.isDirectory {
            do throws(TapWalkerError) {
                entries = try server.store.list(FTPSession.text(path))
            } catch {
                try reply(550, error.message)
                return
            }
        } else {
            guard style != .facts else { try reply(501, "MLSD lists directories; use MLST for a file"); return }
            var one = info
            if style == .names { one.name = String(decoding: target, as: UTF8.self) }
            entries = [one]
        }
        var text = ""
        let writable = canWrite
        for e in entries {
            switch style {
            case .long: text += FTPListing.longLine(e)
            case .names: text += e.name
            case .facts: text += FTPListing.facts(e, writable: writable)
            }
            text += "\r\n"
        }
        try sendOnData(Array(text.utf8), what: "the listing of \(FTPSession.text(path))", done: "\(entries.count) entries")
    }

    var canWrite: Bool {
        if case .full? = access { return true }
        return false
    }

    func mlst(_ arg: [UInt8]) throws(TapWalkerError) {
        let target = arg.isEmpty ? Array(".".utf8) : arg
        guard let (path, info) = try existing(target) else { return }
        var entry = info
        entry.name = FTPSession.text(path)
        try reply(250, first: "Listing \(FTPSession.text(path))", lines: [FTPListing.facts(entry, writable: canWrite)], last: "End")
    }

    func status(_ arg: [UInt8]) throws(TapWalkerError) {
        if !arg.isEmpty {
            guard let (path, info) = try existing(arg) else { return }
            var entries = [info]
            if info.isDirectory {
                do throws(TapWalkerError) { entries = try server.store.list(FTPSession.text(path)) } catch {
                    try reply(550, error.message)
                    return
                }
            }
            try reply(213, first: "status of \(FTPSession.text(path)):", lines: entries.map(FTPListing.longLine), last: "End")
            return
        }
        let holder = server.board.lock.currentHolder
        try reply(211, first: "TapWalker FTP server status:", lines: [
            "connected from \(peer)",
            "logged in as \(userName)\(canWrite ? "" : " (read-only)")",
            "directory \(FTPSession.text(directory))",
            "board: " + (holder.map { "busy, \($0)" } ?? "free"),
            "transfers are binary, stream mode, file structure",
        ], last: "End of status")
    }

    func help(_ arg: [UInt8]) throws(TapWalkerError) {
        if !arg.isEmpty {
            if ASCII.equalFold(arg, "SITE") { try siteHelp(code: 214); return }
            guard let command = FTPCommand.named(arg) else { try reply(501, "no command '\(ASCII.printable(arg))'"); return }
            try reply(214, command.help)
            return
        }
        var lines: [String] = []
        for c in FTPCommand.all { lines.append(c.help) }
        lines += FTPSession.destinationHelp
        try reply(214, first: "The commands (HELP SITE: the board commands):", lines: lines, last: "End")
    }

    static let destinationHelp = [
        "STOR to a special name programs instead of storing (any case, optional leading /; not listed, not files):",
        "  fpga           load the bitstream into the FPGA's SRAM",
        "  flash@ADDR     write the configuration flash at ADDR (decimal or 0x-hex), compare-first",
        "  sd@ADDR        write a raw image to the SD card at byte ADDR (multiple of 512; negative: from the end)",
        "gzip and zlib uploads are inflated by content; one programming job at a time (others get 450)",
    ]
}
