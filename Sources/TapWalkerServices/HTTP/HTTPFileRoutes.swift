import TapWalkerCore

/// The file store under /api/files/PATH: GET lists a directory (JSON) or downloads a file, PUT
/// uploads (streamed into the store), DELETE removes a file or an empty directory, POST with
/// op=mkdir makes a directory and op=rename&to=PATH renames. Paths are confined to the store's
/// root by `StorePath` (a ".." above it is refused); the store refuses links that lead out.
extension HTTPRouter {
    func files(_ x: HTTPExchange) throws(TapWalkerError) {
        guard let store else { return try x.response.error(503, "no file store on this server") }
        let r = x.request
        let rest = r.path.utf8.dropFirst("/api/files".utf8.count)
        let path: String
        do throws(TapWalkerError) {
            path = String(decoding: try StorePath.resolve(Array(rest), in: [UInt8(ascii: "/")]), as: UTF8.self)
        } catch {
            return try x.response.error(403, error.message)
        }
        switch r.verb {
        case .get, .head:
            let info: FileInfo
            do throws(TapWalkerError) { info = try store.info(path) } catch { return try x.response.error(404, error.message) }
            if info.isDirectory {
                let entries: [FileInfo]
                do throws(TapWalkerError) { entries = try store.list(path) } catch { return try x.response.error(400, error.message) }
                var json = "{\"ok\":true,\"path\":\(HTTPJSON.string(path)),\"entries\":["
                for (i, e) in entries.enumerated() {
                    if i > 0 { json += "," }
                    json += "{\"name\":\(HTTPJSON.string(e.name)),\"dir\":\(HTTPJSON.bool(e.isDirectory)),\"size\":\(e.size),\"modified\":\(e.modified)}"
                }
                return try x.response.json(200, json + "]}")
            }
            let source: any ByteSource
            do throws(TapWalkerError) { source = try store.openForReading(path, offset: 0) } catch { return try x.response.error(404, error.message) }
            let name = String(decoding: StorePath.lastComponent(Array(path.utf8)).filter { $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }, as: UTF8.self)
            try x.response.start(
                status: 200, contentType: "application/octet-stream", framing: .length(info.size),
                headers: ["Content-Disposition: attachment; filename=\"\(name)\""])
            try copy(source, to: x.response, expected: info.size)
        case .put:
            if ASCII.equal(path, "/") { return try x.response.error(400, "name a file to upload to") }
            let writer: any FileWriter
            do throws(TapWalkerError) { writer = try store.openForWriting(path, append: false) } catch { return try x.response.error(400, error.message) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            var total = 0
            do throws(TapWalkerError) {
                while true {
                    let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in try x.body.read(into: p) }
                    if n == 0 { break }
                    try buffer.withBytes { (p) throws(TapWalkerError) in try writer.write(UnsafeRawBufferPointer(rebasing: p[0..<n])) }
                    total += n
                }
                try writer.close()
            } catch let error where error.kind == .data {
                // The store refused the content (a configuration file that does not parse): the
                // old file is still there, untouched.
                try? writer.close()
                log(x.peer, "refused \(path): \(error.message)")
                return try x.response.error(422, error.message)
            } catch {
                // A partial upload is not left behind looking like a whole file.
                try? writer.close()
                try? store.removeFile(path)
                throw error
            }
            log(x.peer, "stored \(path) (\(total) bytes)")
            try x.response.json(201, "{\"ok\":true,\"path\":\(HTTPJSON.string(path)),\"bytes\":\(total)}")
        case .delete:
            if ASCII.equal(path, "/") { return try x.response.error(403, "the root cannot be removed") }
            do throws(TapWalkerError) {
                let info = try store.info(path)
                if info.isDirectory { try store.removeDirectory(path) } else { try store.removeFile(path) }
            } catch { return try x.response.error(404, error.message) }
            try x.response.json(200, "{\"ok\":true}")
        case .post:
            let op = r.query("op") ?? ""
            if ASCII.equal(op, "mkdir") {
                do throws(TapWalkerError) { try store.makeDirectory(path) } catch { return try x.response.error(400, error.message) }
                try x.response.json(201, "{\"ok\":true,\"path\":\(HTTPJSON.string(path))}")
            } else if ASCII.equal(op, "rename") {
                guard let to = r.query("to") else { return try x.response.error(400, "rename needs to=PATH") }
                let target: String
                do throws(TapWalkerError) {
                    target = String(decoding: try StorePath.resolve(Array(to.utf8), in: [UInt8(ascii: "/")]), as: UTF8.self)
                } catch { return try x.response.error(403, error.message) }
                if ASCII.equal(path, "/") || ASCII.equal(target, "/") { return try x.response.error(403, "the root cannot be renamed") }
                do throws(TapWalkerError) { try store.rename(path, to: target) } catch { return try x.response.error(400, error.message) }
                try x.response.json(200, "{\"ok\":true,\"path\":\(HTTPJSON.string(target))}")
            } else {
                try x.response.error(400, "POST on a file takes op=mkdir or op=rename&to=PATH")
            }
        case .other:
            try x.response.error(405, "files take GET, PUT, DELETE or POST")
        }
    }

    /// Streams `source` into the body; a file that ends before `expected` bytes breaks the
    /// connection rather than the framing.
    func copy(_ source: any ByteSource, to response: HTTPResponse, expected: Int?) throws(TapWalkerError) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var sent = 0
        while true {
            let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in try source.read(into: p) }
            if n == 0 { break }
            if let expected, sent + n > expected { throw TapWalkerError(.data, "\(source.name) grew while it was sent") }
            try buffer.withBytes { (p) throws(TapWalkerError) in try response.write(UnsafeRawBufferPointer(rebasing: p[0..<n])) }
            sent += n
        }
        if let expected, sent != expected { throw TapWalkerError(.data, "\(source.name) shrank while it was sent") }
        try response.finish()
    }
}
