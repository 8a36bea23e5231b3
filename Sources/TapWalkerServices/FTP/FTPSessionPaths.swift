import TapWalkerCore

/// Paths as the client names them, resolved inside the store, and the working directory.
extension FTPSession {
    static func text(_ path: [UInt8]) -> String { String(decoding: path, as: UTF8.self) }

    /// "\"/a \"\"b\"\"\"": PWD/MKD quote the name and double quotes inside it (RFC 959 appendix II).
    static func quoted(_ path: [UInt8]) -> String {
        var out: [UInt8] = [34]
        for b in path { out.append(b); if b == 34 { out.append(34) } }
        out.append(34)
        return String(decoding: out, as: UTF8.self)
    }

    /// The argument as a store path, or nil after replying why not.
    func resolve(_ arg: [UInt8]) throws(TapWalkerError) -> [UInt8]? {
        guard !arg.isEmpty else { try reply(501, "a path is needed"); return nil }
        do throws(TapWalkerError) {
            let path = try StorePath.resolve(arg, in: directory)
            if (try? FTPDestination.parse(arg)) != nil {
                try reply(550, "\(ASCII.printable(arg)) is a programming destination, not a file; only STOR writes to it")
                return nil
            }
            return path
        } catch {
            log("refused path '\(ASCII.printable(arg))': \(error.message)")
            try reply(550, error.message)
            return nil
        }
    }

    /// A path that exists, with its facts, or nil after replying why not.
    func existing(_ arg: [UInt8]) throws(TapWalkerError) -> ([UInt8], FileInfo)? {
        guard let path = try resolve(arg) else { return nil }
        do throws(TapWalkerError) {
            return (path, try server.store.info(FTPSession.text(path)))
        } catch {
            try reply(550, error.message)
            return nil
        }
    }

    /// A store operation on one path that answers `code` with the returned text, or 550.
    func simple(_ arg: [UInt8], _ code: Int, _ body: (String) throws(TapWalkerError) -> String) throws(TapWalkerError) {
        guard let path = try resolve(arg) else { return }
        let text: String
        do throws(TapWalkerError) {
            text = try body(FTPSession.text(path))
        } catch {
            try reply(550, error.message)
            return
        }
        log(text)
        try reply(code, text)
    }

    func changeDirectory(_ arg: [UInt8]) throws(TapWalkerError) {
        guard let (path, info) = try existing(arg) else { return }
        guard info.isDirectory else { try reply(550, "\(FTPSession.text(path)) is not a directory"); return }
        directory = path
        try reply(250, "the current directory is \(FTPSession.text(path))")
    }
}
