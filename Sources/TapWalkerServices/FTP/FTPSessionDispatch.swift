import TapWalkerCore

/// The dispatch of each command line to its handler, and the login (USER, PASS).
extension FTPSession {
    func handle(_ request: FTPRequest) throws(TapWalkerError) {
        guard let command = FTPCommand.named(request.word) else {
            try reply(500, "unknown command '\(ASCII.printable(request.word))'; HELP lists the commands")
            return
        }
        switch command.access {
        case .anyone: break
        case .loggedIn, .writer:
            guard let access else {
                try reply(530, "not logged in: send USER and PASS first")
                return
            }
            if command.access == .writer, case .readOnly = access {
                try reply(550, "\(command.name): this login is read-only (anonymous); log in as the configured user to change files or program the board")
                return
            }
        }
        if command.verb != .rnto && command.verb != .rnfr { renameFrom = nil }
        let arg = request.argument
        switch command.verb {
        case .user: try user(arg)
        case .pass: try pass(arg)
        case .quit:
            try reply(221, "goodbye")
            quitting = true
        case .syst: try reply(215, "UNIX Type: L8")
        case .feat:
            try reply(211, first: "Features:", lines: ["EPRT", "EPSV", "MDTM", "MLST type*;size*;modify*;perm*;", "PASV", "REST STREAM", "SIZE", "UTF8"], last: "End")
        case .opts:
            if ASCII.equalFold(arg, "UTF8 ON") || ASCII.equalFold(arg, "UTF8") {
                try reply(200, "UTF-8 names are the only kind")
            } else if arg.count >= 4, ASCII.equalFold(Array(arg.prefix(4)), "MLST") {
                try reply(200, "MLST OPTS type;size;modify;perm;")
            } else {
                try reply(501, "OPTS takes UTF8 ON or MLST")
            }
        case .noop: try reply(200, "NOOP ok")
        case .help: try help(arg)
        case .type:
            let t = arg.first.map(ASCII.fold)
            if t == UInt8(ascii: "a") || t == UInt8(ascii: "i") || t == UInt8(ascii: "l") {
                try reply(200, "type set; every transfer is binary")
            } else {
                try reply(504, "TYPE takes A, I or L 8")
            }
        case .mode: try reply(ASCII.equalFold(arg, "S") ? 200 : 504, ASCII.equalFold(arg, "S") ? "stream mode" : "only MODE S (stream) is supported")
        case .stru: try reply(ASCII.equalFold(arg, "F") ? 200 : 504, ASCII.equalFold(arg, "F") ? "file structure" : "only STRU F (file) is supported")
        case .allo: try reply(202, "no storage needs to be allocated")
        case .pwd: try reply(257, "\(FTPSession.quoted(directory)) is the current directory")
        case .cwd: try changeDirectory(arg)
        case .cdup: try changeDirectory(Array("..".utf8))
        case .pasv: try passive(extended: false, arg)
        case .epsv: try passive(extended: true, arg)
        case .port: try activePORT(arg)
        case .eprt: try activeEPRT(arg)
        case .list: try list(arg, style: .long)
        case .nlst: try list(arg, style: .names)
        case .mlsd: try list(arg, style: .facts)
        case .mlst: try mlst(arg)
        case .retr: try withMemory(.ftpTransfer) { () throws(TapWalkerError) in try retrieve(arg) }
        case .stor: try store(arg, append: false)
        case .appe: try store(arg, append: true)
        case .rest:
            guard let offset = ASCII.parseInteger(String(decoding: arg, as: UTF8.self)), offset >= 0,
                  arg.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                try reply(501, "REST takes a byte offset (decimal)")
                return
            }
            restart = offset
            try reply(350, "restarting at byte \(offset); send RETR")
            return
        case .size:
            guard let (path, info) = try existing(arg) else { return }
            guard !info.isDirectory else { try reply(550, "\(FTPSession.text(path)) is a directory, not a file"); return }
            try reply(213, "\(info.size)")
        case .mdtm:
            guard let (_, info) = try existing(arg) else { return }
            try reply(213, UTCDate(info.modified).compact)
        case .dele: try simple(arg, 250) { (p) throws(TapWalkerError) in try server.store.removeFile(p); return "deleted \(p)" }
        case .rmd: try simple(arg, 250) { (p) throws(TapWalkerError) in try server.store.removeDirectory(p); return "removed \(p)" }
        case .mkd:
            try simple(arg, 257) { (p) throws(TapWalkerError) in
                try server.store.makeDirectory(p)
                return "\(FTPSession.quoted(Array(p.utf8))) created"
            }
        case .rnfr:
            guard let (path, _) = try existing(arg) else { return }
            renameFrom = path
            try reply(350, "ready to rename \(FTPSession.text(path)); send RNTO")
        case .rnto:
            guard let from = renameFrom else { try reply(503, "send RNFR first"); return }
            renameFrom = nil
            try simple(arg, 250) { (p) throws(TapWalkerError) in
                try server.store.rename(FTPSession.text(from), to: p)
                return "renamed \(FTPSession.text(from)) to \(p)"
            }
        case .stat: try status(arg)
        case .abor:
            data.reset()
            try reply(226, "no transfer in progress")
        case .site: try site(arg)
        }
        if command.verb != .rest { restart = 0 }
    }

    // Login

    func user(_ name: [UInt8]) throws(TapWalkerError) {
        guard !name.isEmpty else { try reply(501, "USER takes a name"); return }
        access = nil
        pendingUser = name
        if Accounts.isAnonymous(name) && server.accounts.anonymousRead {
            try reply(331, "anonymous login is read-only; send any password")
        } else {
            // The same answer for every name, so that names cannot be probed.
            try reply(331, "send the password")
        }
    }

    func pass(_ password: [UInt8]) throws(TapWalkerError) {
        guard let name = pendingUser else { try reply(503, "send USER first"); return }
        pendingUser = nil
        // Failures from this address, on any connection and over HTTP too, make this attempt wait.
        let address = data.clientHost
        let wait = server.throttle.reserve(address)
        if wait > 0 {
            log("login attempt waits \(wait / 1000) ms after earlier failures from \(address)")
            // Waiting out the throttle is waiting too: a flood of wrong passwords cannot hold places.
            server.waiting.setWaiting(slot, true)
            server.clock.sleep(microseconds: UInt32(clamping: wait))
            server.waiting.setWaiting(slot, false)
        }
        let overall = server.throttle.takeCheck(address)
        if overall > 0 {
            log("login refused unchecked: the server's budget of password checks is spent")
            try reply(421, "too many login attempts on this server just now (from any address); try again in \((overall + 999_999) / 1_000_000) s")
            quitting = true
            return
        }
        if let granted = server.accounts.check(name: name, password: password) {
            server.throttle.recordSuccess(address)
            if !admitted {
                guard server.admitLoggedIn(slot) else {
                    log("refused after login: \(server.options.maximumClients) clients already logged in")
                    try reply(421, "too many clients (\(server.options.maximumClients)); try again later")
                    quitting = true
                    return
                }
                admitted = true
            }
            access = granted
            userName = String(decoding: name, as: UTF8.self)
            failures = 0
            switch granted {
            case .full:
                log("logged in as \(ASCII.printable(name))")
                try reply(230, "logged in")
            case .readOnly:
                log("logged in anonymously (read-only)")
                try reply(230, "logged in anonymously: read-only, no programming")
            }
            return
        }
        server.throttle.recordFailure(address)
        failures += 1
        log("login failed for user '\(ASCII.printable(name))' (\(failures) on this connection, \(server.throttle.failures(address)) from \(address))")
        if failures >= Accounts.failuresBeforeClosing {
            try reply(421, "login incorrect; too many failures, closing the connection")
            quitting = true
            return
        }
        try reply(530, "login incorrect")
    }
}
