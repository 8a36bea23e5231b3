import TapWalkerCore

/// Data connections: PASV/EPSV and PORT/EPRT, opened for one transfer each.
extension FTPSession {
    func passive(extended: Bool, _ arg: [UInt8]) throws(TapWalkerError) {
        if extended && ASCII.equalFold(arg, "ALL") { try reply(200, "EPSV ALL: only EPSV from now on"); return }
        if !extended && localHost.utf8.contains(UInt8(ascii: ":")) {
            try reply(425, "PASV works over IPv4 only; use EPSV")
            return
        }
        let port: Int
        do throws(TapWalkerError) {
            port = try data.listen(host: localHost)
        } catch {
            try reply(425, "cannot open a data port: \(error.message)")
            return
        }
        if extended {
            try reply(229, "Entering Extended Passive Mode (|||\(port)|)")
        } else {
            let h = String(decoding: localHost.utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: ",") : $0 }, as: UTF8.self)
            try reply(227, "Entering Passive Mode (\(h),\(port >> 8),\(port & 0xFF))")
        }
    }

    func activePORT(_ arg: [UInt8]) throws(TapWalkerError) {
        let fields = arg.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        var numbers: [Int] = []
        for f in fields {
            guard let v = ASCII.parseInteger(String(decoding: f, as: UTF8.self)), (0...255).contains(v) else { break }
            numbers.append(v)
        }
        guard numbers.count == 6, fields.count == 6 else { try reply(501, "PORT takes h1,h2,h3,h4,p1,p2"); return }
        try active(host: "\(numbers[0]).\(numbers[1]).\(numbers[2]).\(numbers[3])", port: numbers[4] << 8 | numbers[5], "PORT")
    }

    func activeEPRT(_ arg: [UInt8]) throws(TapWalkerError) {
        // |1|132.235.1.2|6275| — any delimiter, given by the first byte.
        guard let d = arg.first else { try reply(501, "EPRT takes |1|address|port|"); return }
        let fields = arg.split(separator: d, omittingEmptySubsequences: false)
        guard fields.count == 5, let port = ASCII.parseInteger(String(decoding: fields[3], as: UTF8.self)) else {
            try reply(501, "EPRT takes |1|address|port| or |2|address|port|")
            return
        }
        let protocolNumber = String(decoding: fields[1], as: UTF8.self)
        guard ASCII.equal(protocolNumber, "1") || ASCII.equal(protocolNumber, "2") else {
            try reply(522, "network protocol not supported, use (1,2)")
            return
        }
        try active(host: String(decoding: fields[2], as: UTF8.self), port: port, "EPRT")
    }

    func active(host: String, port: Int, _ name: String) throws(TapWalkerError) {
        do throws(TapWalkerError) {
            try data.connectLater(host: host, port: port)
        } catch {
            log("refused \(name) to \(host):\(port)")
            try reply(501, error.message)
            return
        }
        try reply(200, "\(name) ok; the server will connect to \(host):\(port)")
    }

    /// 150, then the data connection; nil after 425 when it cannot be opened.
    func openData(_ what: String) throws(TapWalkerError) -> (any NetworkConnection)? {
        guard data.isReady else {
            try reply(425, "no data connection: send PASV or EPSV (or PORT/EPRT) before \(what)")
            return nil
        }
        try reply(150, "opening the data connection for \(what)")
        do throws(TapWalkerError) {
            return try data.open()
        } catch {
            try reply(425, "cannot open the data connection: \(error.message)")
            return nil
        }
    }

    /// Sends `bytes` on a fresh data connection and answers 226, or 426 when it breaks.
    func sendOnData(_ bytes: [UInt8], what: String, done: String) throws(TapWalkerError) {
        guard let connection = try openData(what) else { return }
        defer { connection.close() }
        do throws(TapWalkerError) {
            if !bytes.isEmpty {
                try bytes.withBytes { (p) throws(TapWalkerError) in
                    try connection.send(p, timeoutMilliseconds: server.options.dataTimeoutMilliseconds)
                }
            }
        } catch {
            try reply(426, "the data connection broke: \(error.message)")
            return
        }
        connection.close()
        try reply(226, done)
    }
}
