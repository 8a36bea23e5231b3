import TapWalkerCore

/// The routes of the web page and its JSON API, and who may use each. The routes that touch the
/// board go through `board` (nil until a board service is given: they answer 503); the file
/// routes go through `store`.
///
/// Authentication: a session cookie (HttpOnly, SameSite=Strict) from POST /api/login, or HTTP
/// Basic on each request. A request with the cookie that changes anything must also carry the
/// session's CSRF token in X-CSRF-Token. Failed passwords are throttled per client address.
public final class HTTPRouter {
    public enum Requirement: Sendable {
        /// Anyone (the page, the session state, the login itself).
        case open
        /// Logged in, or anonymous when anonymous reading is on.
        case read
        /// Logged in with full access.
        case full
    }

    public static let cookieName = "tw_session"

    public let accounts: Accounts
    public let sessions: SessionStore
    public let throttle: LoginThrottle
    public let store: (any FileStore)?
    public let board: (any HTTPBoardActions)?
    /// The device's WiFi settings; nil on the host (its /api/wifi answers 404).
    public let wifi: (any HTTPWiFiSettings)?
    /// The device's own firmware updates; nil on the host (its /api/firmware answers 404).
    public let firmware: (any HTTPFirmwareActions)?
    public let events: HTTPJobEvents
    public let options: HTTPServerOptions
    /// The device's admission by memory (nil on a host): uploads, event streams and board jobs
    /// are refused with 503 when their figure does not fit (`HeapAdmission`).
    public var memory: HeapAdmission?
    /// The page, served from where it lies in the binary.
    let page: StaticString
    let clock: any ServiceClock
    let log: (String, String) -> Void

    public init(
        accounts: Accounts, sessions: SessionStore, throttle: LoginThrottle, store: (any FileStore)?,
        board: (any HTTPBoardActions)?, events: HTTPJobEvents, page: StaticString = HTTPPage.html, options: HTTPServerOptions = HTTPServerOptions(),
        clock: any ServiceClock, wifi: (any HTTPWiFiSettings)? = nil, firmware: (any HTTPFirmwareActions)? = nil,
        log: @escaping (String, String) -> Void
    ) {
        self.firmware = firmware
        self.accounts = accounts
        self.sessions = sessions
        self.throttle = throttle
        self.store = store
        self.board = board
        self.wifi = wifi
        self.events = events
        self.page = page
        self.options = options
        self.clock = clock
        self.log = log
    }

    /// The most body a request to this route may carry.
    public func bodyLimit(_ r: HTTPRequest) -> Int {
        if r.matches("PUT", "/api/fpga") { return options.bitstreamLimit }
        if r.matches("PUT", "/api/flash") { return options.flashLimit }
        if r.matches("PUT", "/api/sd") { return options.sdLimit }
        if r.matches("PUT", HTTPRouter.firmwarePath) { return options.firmwareLimit }
        if r.isMethod("PUT") && HTTPRouter.isFilePath(r.path) { return options.flashLimit }
        return options.smallBodyLimit
    }

    static func isFilePath(_ path: String) -> Bool {
        ASCII.equal(path, "/api/files") || path.utf8.starts(with: "/api/files/".utf8)
    }

    /// Answers one request. Throws only when the connection failed or the body broke its limit.
    public func handle(_ x: HTTPExchange) throws(TapWalkerError) {
        let r = x.request
        let path = r.path
        if !path.utf8.starts(with: "/api/".utf8) {
            guard r.isSafe else { return try x.response.error(405, "only GET here") }
            guard r.isPath("/") || r.isPath("/index.html") else { return try x.response.error(404, "no such page: \(path)") }
            try x.response.start(
                status: 200, contentType: "text/html; charset=utf-8", framing: .length(page.utf8CodeUnitCount),
                headers: [
                    "Cache-Control: no-cache", "X-Frame-Options: DENY",
                    "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'",
                ])
            return try x.response.write(UnsafeRawBufferPointer(start: page.utf8Start, count: page.utf8CodeUnitCount))
        }
        if r.matches("GET", "/api/session") { return try sessionState(x) }
        if r.matches("POST", "/api/login") { return try login(x) }
        if r.matches("POST", "/api/logout") {
            guard try admit(x, .read) else { return }
            return try logout(x)
        }
        if HTTPRouter.isFilePath(path) {
            let requirement: Requirement = r.isSafe ? .read : .full
            guard try admit(x, requirement) else { return }
            // A transfer's buffer and file; a listing, a delete or a rename hold no more than a request.
            guard r.isMethod("PUT") || (r.isMethod("GET") && path.utf8.last != UInt8(ascii: "/")) else { return try files(x) }
            return try withMemory(x, .httpUpload) { () throws(TapWalkerError) in try files(x) }
        }
        if HTTPRouter.isWiFiPath(path) { return try wifiRoute(x) }
        if r.isPath(HTTPRouter.firmwarePath) { return try firmwareRoute(x) }
        if let route = HTTPRouter.boardRoutes.first(where: { r.isPath($0.path) }) {
            guard route.methods.contains(where: { r.isMethod($0) }) else {
                // A GET never changes the board (an image tag on any page could send one).
                let why = r.isSafe ? ": it changes the board (reading the flash clears the running design), so it is never a GET; send the X-CSRF-Token with a cookie login" : ""
                return try x.response.error(405, "\(path) takes \(route.methods.joined(separator: " or "))\(why)")
            }
            guard try admit(x, route.requirement) else { return }
            return try withMemory(x, HTTPRouter.work(r)) { () throws(TapWalkerError) in try boardRoute(x) }
        }
        if r.isPath("/api/session") || r.isPath("/api/login") || r.isPath("/api/logout") {
            return try x.response.error(405, "wrong method for \(path)")
        }
        try x.response.error(404, "no such API: \(path)")
    }

    // MARK: - Memory

    /// Runs `body` when the device has memory for `work` (`HeapAdmission`; always on a host),
    /// else answers 503 with why and when to try again, before anything is allocated or touched.
    func withMemory(_ x: HTTPExchange, _ work: HeapWork, _ body: () throws(TapWalkerError) -> Void) throws(TapWalkerError) {
        guard let memory else { return try body() }
        switch memory.admit(work, peer: x.peer) {
        case .failure(let refusal):
            log(x.peer, "refused \(x.request.method) \(x.request.path): \(refusal.message)")
            try x.response.error(503, "\(refusal.message); nothing was done, try again in \(HeapRefusal.retrySeconds) s",
                                 headers: ["Retry-After: \(HeapRefusal.retrySeconds)"])
        case .success(let ticket):
            defer { memory.finish(ticket) }
            try body()
        }
    }

    /// The kind of work a board route is: an event stream, an SRAM load, or a job that may
    /// reach the flash (every other one: reading it, writing it or the SD card, the boot check).
    static func work(_ r: HTTPRequest) -> HeapWork {
        if r.isPath("/api/events") { return .eventStream }
        if r.isPath("/api/fpga") || (r.isPath("/api/program") && (r.query("dest").map { ASCII.equal($0, "fpga") } ?? false)) {
            return .sramJob
        }
        return .flashJob
    }

    // MARK: - Who is asking

    /// Works out `x.identity` and whether it may use a route that needs `requirement`; when not,
    /// the answer (401, 403, 429) has been sent and false is returned.
    func admit(_ x: HTTPExchange, _ requirement: Requirement) throws(TapWalkerError) -> Bool {
        let r = x.request
        // Credentials a browser adds by itself (the cookie, remembered Basic) must not act for
        // another site's page: such a request is refused whatever it asks.
        if r.isCrossOrigin, r.authorization != nil || r.cookie(HTTPRouter.cookieName) != nil {
            try x.response.error(403, "a request from another site's page (Origin \(ASCII.printable(r.origin ?? []))) is not accepted with this server's login")
            return false
        }
        if let auth = r.authorization {
            guard let (user, password) = HTTPBasicAuthorization.decode(auth) else {
                try x.response.error(401, "only HTTP Basic authorization is understood")
                return false
            }
            guard let access = try checkPassword(x, user: user, password: password) else { return false }
            x.identity = .basic(user: String(decoding: user, as: UTF8.self), access: access)
        } else if let token = r.cookie(HTTPRouter.cookieName), let session = sessions.find(token) {
            x.identity = .session(session)
            if !r.isSafe {
                guard let given = r.csrfToken, Accounts.constantTimeEqual(given, Array(session.csrf.utf8)) else {
                    try x.response.error(403, "missing or wrong X-CSRF-Token (GET /api/session gives it)")
                    return false
                }
            }
        } else {
            x.identity = accounts.anonymousRead ? .anonymous : .nobody
        }
        switch (requirement, x.identity.access) {
        case (.open, _): return true
        case (_, nil):
            try x.response.error(401, "log in first (POST /api/login, or HTTP Basic)")
            return false
        case (.full, .readOnly):
            try x.response.error(x.identity.loggedIn ? 403 : 401, "read-only access: log in as the configured user to change anything")
            return false
        default: return true
        }
    }

    /// The access `user`/`password` gets, nil after answering 429 (too soon after a failure from
    /// this address) or 401 (wrong).
    func checkPassword(_ x: HTTPExchange, user: [UInt8], password: [UInt8]) throws(TapWalkerError) -> Accounts.Access? {
        let address = FTPServer.host(of: x.peer)
        let wait = throttle.wait(for: address)
        if wait > 0 {
            let seconds = (wait + 999_999) / 1_000_000
            try x.response.error(429, "too many failed logins from \(address); try again in \(seconds) s", headers: ["Retry-After: \(seconds)"])
            return nil
        }
        let overall = throttle.takeCheck(address)
        if overall > 0 {
            let seconds = (overall + 999_999) / 1_000_000
            log(x.peer, "login refused unchecked: the server's budget of password checks is spent")
            try x.response.error(429, "too many login attempts on this server just now (from any address); try again in \(seconds) s", headers: ["Retry-After: \(seconds)"])
            return nil
        }
        guard let access = accounts.check(name: user, password: password) else {
            throttle.recordFailure(address)
            log(x.peer, "failed login as \(ASCII.printable(user))")
            try x.response.error(401, "wrong user or password")
            return nil
        }
        throttle.recordSuccess(address)
        return access
    }

    // MARK: - Session routes

    func sessionState(_ x: HTTPExchange) throws(TapWalkerError) {
        _ = try admit(x, .open)
        let id = x.identity
        var csrf = "null"
        if case .session(let s) = id { csrf = HTTPJSON.string(s.csrf) }
        let access: String
        switch id.access {
        case nil: access = "null"
        case .readOnly: access = "\"read\""
        case .full: access = "\"full\""
        }
        let user = id.user.map { HTTPJSON.string($0) } ?? "null"
        try x.response.json(200, "{\"ok\":true,\"loggedIn\":\(HTTPJSON.bool(id.loggedIn)),\"user\":\(user),\"access\":\(access),\"csrf\":\(csrf),\"device\":\(HTTPJSON.bool(options.onDevice)),\"board\":\(HTTPJSON.bool(board != nil)),\"files\":\(HTTPJSON.bool(store != nil)),\"wifi\":\(HTTPJSON.bool(wifi != nil)),\"firmware\":\(HTTPJSON.bool(firmware != nil))}")
    }

    /// POST /api/login with a form body: user=NAME&password=SECRET.
    func login(_ x: HTTPExchange) throws(TapWalkerError) {
        let form = try x.body.readSmall()
        guard let pairs = HTTPRequest.parseForm(form[...]),
            let user = HTTPRequest.value("user", in: pairs),
            let password = HTTPRequest.value("password", in: pairs)
        else { return try x.response.error(400, "send user=NAME&password=SECRET as a form") }
        guard let access = try checkPassword(x, user: Array(user.utf8), password: Array(password.utf8)) else { return }
        let session = sessions.create(user: user, access: access)
        x.identity = .session(session)
        log(x.peer, "logged in as \(user)")
        try x.response.json(
            200, "{\"ok\":true,\"user\":\(HTTPJSON.string(user)),\"access\":\(access == .full ? "\"full\"" : "\"read\""),\"csrf\":\(HTTPJSON.string(session.csrf))}",
            headers: ["Set-Cookie: \(HTTPRouter.cookieName)=\(session.token); Path=/; HttpOnly; SameSite=Strict"])
    }

    func logout(_ x: HTTPExchange) throws(TapWalkerError) {
        if case .session(let s) = x.identity { sessions.remove(s.token) }
        try x.response.json(200, "{\"ok\":true}", headers: ["Set-Cookie: \(HTTPRouter.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"])
    }
}
