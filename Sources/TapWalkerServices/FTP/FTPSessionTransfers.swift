import TapWalkerCore

/// Transfers: RETR, STOR/APPE to files, and uploads to the board's targets (fpga, flash@, sd@) under the job lock and the memory admission.
extension FTPSession {
    func retrieve(_ arg: [UInt8]) throws(TapWalkerError) {
        let offset = restart
        restart = 0
        guard let (path, info) = try existing(arg) else { return }
        guard !info.isDirectory else { try reply(550, "\(FTPSession.text(path)) is a directory"); return }
        let source: any ByteSource
        do throws(TapWalkerError) {
            source = try server.store.openForReading(FTPSession.text(path), offset: offset)
        } catch {
            try reply(550, error.message)
            return
        }
        guard let connection = try openData("\(FTPSession.text(path)) (\(info.size) bytes)") else { return }
        defer { connection.close() }
        var buffer = [UInt8](repeating: 0, count: server.options.transferBufferBytes)
        var sent = 0
        do throws(TapWalkerError) {
            while true {
                let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) in try source.read(into: p) }
                if n == 0 { break }
                try buffer.withBytes { (p) throws(TapWalkerError) in
                    try connection.send(UnsafeRawBufferPointer(rebasing: p[0..<n]), timeoutMilliseconds: server.options.dataTimeoutMilliseconds)
                }
                sent += n
            }
        } catch {
            log("download of \(FTPSession.text(path)) broke off after \(sent) bytes: \(error.message)")
            try reply(426, "transfer broke off after \(sent) bytes: \(error.message)")
            return
        }
        connection.close()
        try reply(226, "sent \(sent) bytes of \(FTPSession.text(path))")
    }

    func store(_ arg: [UInt8], append: Bool) throws(TapWalkerError) {
        if restart != 0 { restart = 0; try reply(501, "REST applies to RETR only; nothing was stored"); return }
        guard !arg.isEmpty else { try reply(501, "\(append ? "APPE" : "STOR") takes a file name or fpga, flash@ADDR, sd@ADDR"); return }
        let destination: FTPDestination?
        do throws(TapWalkerError) {
            destination = append ? nil : try FTPDestination.parse(arg)
        } catch {
            try reply(501, error.message)
            return
        }
        if let destination {
            try withMemory(FTPSession.work(destination)) { () throws(TapWalkerError) in try program(destination) }
            return
        }
        try withMemory(.ftpTransfer) { () throws(TapWalkerError) in try storeFile(arg, append: append) }
    }

    func storeFile(_ arg: [UInt8], append: Bool) throws(TapWalkerError) {
        guard let path = try resolve(arg) else { return }
        let name = FTPSession.text(path)
        let writer: any FileWriter
        do throws(TapWalkerError) {
            writer = try server.store.openForWriting(name, append: append)
        } catch {
            try reply(550, error.message)
            return
        }
        guard let connection = try openData(name) else { try? writer.close(); return }
        defer { connection.close() }
        let source = upload(connection, name: name)
        var buffer = [UInt8](repeating: 0, count: server.options.transferBufferBytes)
        var stored = 0
        do throws(TapWalkerError) {
            while true {
                let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) in try source.read(into: p) }
                if n == 0 { break }
                try buffer.withBytes { (p) throws(TapWalkerError) in try writer.write(UnsafeRawBufferPointer(rebasing: p[0..<n])) }
                stored += n
            }
            try writer.close()
        } catch let error where error.kind == .data {
            // The store refused the content (a configuration file that does not parse).
            try? writer.close()
            log("refused \(name): \(error.message)")
            try reply(550, error.message)
            return
        } catch {
            try? writer.close()
            log("upload of \(name) ended after \(stored) bytes: \(error.message)")
            try reply(426, "\(error.message); \(name) holds the \(stored) bytes received")
            return
        }
        log("stored \(name) (\(stored) bytes)")
        try reply(226, "stored \(stored) bytes in \(name)")
    }

    /// The data connection as the upload's byte source, which tells a cut-off from the end.
    func upload(_ connection: any NetworkConnection, name: String) -> FTPUploadSource {
        FTPUploadSource(connection, name: name, timeoutMilliseconds: server.options.dataTimeoutMilliseconds) { [self] in
            controlClosed()
        }
    }

    /// Whether the client has gone: a control connection that reports its end within a short wait.
    /// Bytes that arrive meanwhile (a pipelined command) stay buffered for the next line.
    func controlClosed() -> Bool {
        let saved = reader.timeoutMilliseconds
        reader.timeoutMilliseconds = 200
        defer { reader.timeoutMilliseconds = saved }
        let before = server.clock.microseconds()
        do throws(TapWalkerError) {
            return try !reader.fill()
        } catch {
            // Giving up after the whole wait means the client is silent, as a live one is now;
            // failing sooner means the connection was reset.
            return server.clock.microseconds() - before < 150_000
        }
    }

    /// Runs `body` when the device has memory for `work` (`HeapAdmission`; always on a host), else
    /// replies 451 with why, before anything is allocated or touched. 451, not 421: the session
    /// stays, and the same command may be sent again later.
    func withMemory(_ work: HeapWork, _ body: () throws(TapWalkerError) -> Void) throws(TapWalkerError) {
        guard let memory = server.memory else { return try body() }
        switch memory.admit(work, peer: peer) {
        case .failure(let refusal):
            log("refused \(work.name): \(refusal.message)")
            try reply(451, "\(refusal.message); nothing was done, try again in \(HeapRefusal.retrySeconds) s")
        case .success(let ticket):
            defer { memory.finish(ticket) }
            try body()
        }
    }

    /// The kind of board job an upload to `destination` is.
    static func work(_ destination: FTPDestination) -> HeapWork {
        if case .fpga = destination { return .sramJob }
        return .flashJob
    }

    /// Runs `job` holding the board for `what`, or replies 450 naming who has it.
    func holdingBoard(_ what: String, _ job: () throws(TapWalkerError) -> Void) throws(TapWalkerError) {
        if case .failure(let busy) = try server.board.holding("FTP client \(peer) \(what)", job) {
            log("refused \(what): the board is busy (\(busy.holder))")
            try reply(450, busy.message)
        }
    }

    /// An upload to a board destination; the board is held before the data connection opens, so a
    /// busy board is refused before any byte is sent.
    func program(_ destination: FTPDestination) throws(TapWalkerError) {
        try holdingBoard("uploading to \(destination.name)") { () throws(TapWalkerError) in try programHeld(destination) }
    }

    private func programHeld(_ destination: FTPDestination) throws(TapWalkerError) {
        let name = destination.name
        guard let connection = try openData(name) else { return }
        defer { connection.close() }
        log("uploading to \(name)")
        let source = upload(connection, name: "the upload to \(name)")
        let summary: String
        do throws(TapWalkerError) {
            summary = try programUpload(source, to: destination)
        } catch {
            log("upload to \(name) failed after \(source.received) bytes received: \(error.message)")
            // The rest of the upload is read and dropped before the data connection closes: closed
            // with bytes unread it would be reset, and clients report the reset (lftp retries the
            // upload) instead of this reply.
            source.discardRest(upTo: FTPSession.refusedUploadDrainLimit)
            connection.close()
            try reply(550, FTPSession.told(error))
            return
        }
        log(summary)
        try reply(226, summary)
    }
}
