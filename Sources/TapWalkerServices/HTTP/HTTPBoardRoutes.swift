import TapWalkerCore

/// The routes that touch the board, answered through `HTTPBoardActions`. A job while another
/// holds the board gets 409 naming the holder; without a board service every one answers 503.
extension HTTPRouter {
    public struct BoardRoute: Sendable {
        public var path: String
        public var methods: [String]
        public var requirement: Requirement
    }

    /// Written once: the board routes, their methods and who may use them.
    public static let boardRoutes: [BoardRoute] = [
        // GET /api/board only identifies; POST /api/board?flash=1 also reads the flash, which
        // clears the running design. POST /api/flash reads (dumps) it, PUT writes it.
        BoardRoute(path: "/api/board", methods: ["GET", "POST"], requirement: .full),
        // PUT sends the bitstream as the body; POST {"url": …} has the board fetch it.
        BoardRoute(path: "/api/fpga", methods: ["PUT", "POST"], requirement: .full),
        BoardRoute(path: "/api/flash", methods: ["PUT", "POST"], requirement: .full),
        BoardRoute(path: "/api/reload", methods: ["POST"], requirement: .full),
        // POST, not GET: reading the flash clears the SRAM (the design stops, then the FPGA
        // reloads), and a GET must never change the board; with a session it needs the CSRF token.
        BoardRoute(path: "/api/flash/boot", methods: ["POST"], requirement: .full),
        BoardRoute(path: "/api/sd", methods: ["PUT"], requirement: .full),
        BoardRoute(path: "/api/sd/mount", methods: ["POST"], requirement: .full),
        BoardRoute(path: "/api/sd/umount", methods: ["POST"], requirement: .full),
        BoardRoute(path: "/api/program", methods: ["POST"], requirement: .full),
        BoardRoute(path: "/api/events", methods: ["GET"], requirement: .read),
    ]

    func boardRoute(_ x: HTTPExchange) throws(TapWalkerError) {
        let r = x.request
        if r.isPath("/api/events") { return try eventStream(x) }
        guard let board else {
            return try x.response.error(503, "this server has no board: it offers the page and the file store only")
        }
        if r.isPath("/api/board") {
            let readFlash = x.request.query("flash").map { ASCII.equal($0, "1") } ?? false
            if readFlash && r.isSafe {
                return try x.response.error(405, "reading the flash clears the running design, so it is not a GET: POST /api/board?flash=1 (with the X-CSRF-Token when logged in with the cookie)")
            }
            try answer(x, board.describe(holder: x.holder, readFlash: readFlash), publish: false)
        } else if r.matches("PUT", "/api/fpga") {
            try answer(x, board.run(.sram, input: x.body, holder: x.holder, events: events), publish: true)
        } else if r.matches("POST", "/api/fpga") {
            try programURL(x, board, .sram)
        } else if r.matches("PUT", "/api/flash") {
            guard let address = try number(x, "addr") else { return }
            try answer(x, board.run(.flash(address: address), input: x.body, holder: x.holder, events: events), publish: true)
        } else if r.matches("PUT", "/api/sd") {
            guard let address = try number(x, "addr", fromEnd: true) else { return }
            try answer(x, board.run(.sd(address: address), input: x.body, holder: x.holder, events: events), publish: true)
        } else if r.matches("POST", "/api/sd/mount") || r.matches("POST", "/api/sd/umount") {
            let job: HTTPBoardJob = r.isPath("/api/sd/mount") ? .mountSD : .releaseSD
            try answer(x, board.run(job, input: MemorySource([], name: "sd"), holder: x.holder, events: events), publish: false)
        } else if r.matches("POST", "/api/reload") {
            try answer(x, board.run(.reload, input: MemorySource([], name: "reload"), holder: x.holder, events: events), publish: true)
        } else if r.matches("POST", "/api/flash/boot") {
            try answer(x, board.run(.bootCheck, input: MemorySource([], name: "boot check"), holder: x.holder, events: events), publish: true)
        } else if r.matches("POST", "/api/program") {
            try programStoredFile(x, board)
        } else if r.matches("POST", "/api/flash") {
            // With length=N a read (dump); without, a write of the image at the URL in the body.
            if r.query("length") != nil { return try flashDump(x, board) }
            guard let address = try number(x, "addr") else { return }
            try programURL(x, board, .flash(address: address))
        } else {
            try x.response.error(405, "wrong method for \(r.path)")
        }
    }

    /// A number from the query: decimal or 0x hex (K and M suffixes too); nil after a 400.
    /// `fromEnd`: a negative one counts from the end (the SD card's, as everywhere else).
    func number(_ x: HTTPExchange, _ name: String, fromEnd: Bool = false) throws(TapWalkerError) -> Int? {
        let text = x.request.query(name)
        let negative = fromEnd && text?.utf8.first == UInt8(ascii: "-")
        guard let text, let n = ASCII.parseInteger(negative ? String(decoding: Array(text.utf8.dropFirst()), as: UTF8.self) : text), n >= 0, !(negative && n == 0) else {
            try x.response.error(400, "\(x.request.path) needs \(name)=N (decimal or 0x hex\(fromEnd ? "; negative: from the end" : ""))")
            return nil
        }
        return negative ? -n : n
    }

    /// POST /api/program?file=PATH&dest=fpga|flash|sd[&addr=A]: a stored file to the board.
    func programStoredFile(_ x: HTTPExchange, _ board: any HTTPBoardActions) throws(TapWalkerError) {
        guard let store else { return try x.response.error(503, "no file store on this server") }
        guard let file = x.request.query("file") else { return try x.response.error(400, "program needs file=PATH") }
        let job: HTTPBoardJob
        let dest = x.request.query("dest") ?? "fpga"
        if ASCII.equal(dest, "fpga") {
            job = .sram
        } else if ASCII.equal(dest, "flash") {
            guard let a = try number(x, "addr") else { return }
            job = .flash(address: a)
        } else if ASCII.equal(dest, "sd") {
            guard let a = try number(x, "addr", fromEnd: true) else { return }
            job = .sd(address: a)
        } else {
            return try x.response.error(400, "dest is fpga, flash or sd")
        }
        let source: any ByteSource
        do throws(TapWalkerError) { source = try BoardService.openStored(file, in: store) } catch {
            return try x.response.error(error.kind == .usage ? 400 : 404, error.message)
        }
        try answer(x, board.run(job, input: source, holder: x.holder, events: events), publish: true)
    }

    /// POST /api/fpga or /api/flash?addr=A with {"url": "http(s)://…"}: the board fetches the
    /// input itself. A URL that cannot be opened (no such file, no connection, an untrusted
    /// certificate, a redirect loop) is answered before the board is touched: 400 for a URL that
    /// is not one, 422 for what the server or the download said.
    func programURL(_ x: HTTPExchange, _ board: any HTTPBoardActions, _ job: HTTPBoardJob) throws(TapWalkerError) {
        let body = try x.body.readSmall()
        guard let fields = HTTPJSONObject.strings(body), let url = fields.first(where: { ASCII.equal($0.name, "url") })?.value,
              HTTPURL.looksLikeURL(String(decoding: url, as: UTF8.self)) else {
            return try x.response.error(400, "send {\"url\": \"http://…\" or \"https://…\"} as a JSON object\(x.request.isPath("/api/flash") ? ", or length=N to read the flash" : "")")
        }
        let source: any ByteSource
        do throws(TapWalkerError) { source = try board.openURL(String(decoding: url, as: UTF8.self)) } catch {
            log(x.peer, "\(x.request.method) \(x.request.path): \(error.message)")
            return try x.response.error(error.kind == .usage ? 400 : 422, error.message)
        }
        try answer(x, board.run(job, input: source, holder: x.holder, events: events), publish: true)
    }

    /// POST /api/flash?addr=A&length=N: the flash contents as a download, streamed (chunked).
    func flashDump(_ x: HTTPExchange, _ board: any HTTPBoardActions) throws(TapWalkerError) {
        guard let address = try number(x, "addr"), let length = try number(x, "length") else { return }
        let response = x.response
        let name = "flash-" + BoardText.address(address) + ".bin"
        let result = board.readFlash(address: address, length: length, holder: x.holder, events: events) { (bytes) throws(TapWalkerError) in
            if !response.headSent {
                try response.start(
                    status: 200, contentType: "application/octet-stream", framing: .length(length),
                    headers: ["Content-Disposition: attachment; filename=\"\(name)\""])
            }
            try response.write(bytes)
        }
        if response.headSent {
            if case .done = result { return }
            // The status is already sent: only a cut connection tells the client it is incomplete.
            throw TapWalkerError(.device, "flash read failed after the answer started")
        }
        if case .done = result, length == 0 {
            return try response.send(status: 200, contentType: "application/octet-stream", body: [])
        }
        try answer(x, result, publish: false)
    }

    /// The answer to a board job, also published as the "result" event for the page's progress,
    /// and logged with how much of the body had arrived (a job cut short by its client shows here).
    func answer(_ x: HTTPExchange, _ a: HTTPBoardAnswer, publish: Bool) throws(TapWalkerError) {
        let r = x.request
        let received = x.body.bytesRead > 0 ? " after \(x.body.bytesRead) bytes received" : ""
        switch a {
        case .done(let json):
            if publish {
                events.result(json)
                log(x.peer, "\(r.method) \(r.path): 200\(received)")
            }
            try x.response.json(200, json)
        case .busy(let holder):
            log(x.peer, "\(r.method) \(r.path): 409, the board is busy: \(holder)")
            try x.response.json(409, "{\"ok\":false,\"error\":\(HTTPJSON.string("the board is busy: \(holder) is using it")),\"holder\":\(HTTPJSON.string(holder))}")
        case .failed(let status, let json):
            if publish { events.result(json) }
            log(x.peer, "\(r.method) \(r.path): \(status)\(received)")
            try x.response.json(status, json)
        }
    }

    /// GET /api/events[?after=ID]: server-sent events from `events` until the stream's time is up
    /// or the client goes away. Without `after`, only events from now on. A stream never holds a
    /// place among the connections not logged in; each login (anonymous readers together) may
    /// have `maximumEventStreamsPerLogin` open, and a stream's place is free as soon as its client
    /// has gone (it waits on the connection, not on a timer).
    func eventStream(_ x: HTTPExchange) throws(TapWalkerError) {
        let owner = x.streamOwner
        let limit = options.maximumEventStreamsPerLogin
        guard events.openStream(owner, limit: limit) else {
            return try x.response.error(429, "\(x.identity.loggedIn ? "this login has" : "anonymous readers have") \(limit) event streams open already; close a tab or wait", headers: ["Retry-After: 10"])
        }
        defer { events.closeStream(owner) }
        x.onStream?()
        var last = x.request.query("after").flatMap { ASCII.parseInteger($0) } ?? events.lastID
        try x.response.startEvents()
        try x.response.eventComment("tapwalker events")
        let start = clock.microseconds()
        var lastSent = start
        let end = start + UInt64(options.eventStreamMilliseconds) * 1000
        while clock.microseconds() < end {
            let new = events.since(last)
            for e in new {
                try x.response.event(e.name, data: e.data, id: e.id)
                last = e.id
            }
            let now = clock.microseconds()
            if !new.isEmpty { lastSent = now }
            if now &- lastSent > 15_000_000 {
                try x.response.eventComment("idle")
                lastSent = now
            }
            if let waitForPeer = x.waitForPeer {
                if !waitForPeer(Int(options.eventPollMicroseconds / 1000)) { return }
            } else {
                clock.sleep(microseconds: options.eventPollMicroseconds)
            }
        }
    }
}
