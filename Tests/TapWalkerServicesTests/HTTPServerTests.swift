import Testing
import TapWalkerCore
import TapWalkerServices

private let basic = "Authorization: Basic YWRtaW46c2VjcmV0\r\n"  // admin:secret

private func get(_ path: String, _ headers: String = basic, close: Bool = false) -> String {
    "GET \(path) HTTP/1.1\r\nHost: x\r\n\(headers)\(close ? "Connection: close\r\n" : "")\r\n"
}

@Suite("HTTP server protocol over scripted connections")
struct HTTPServerTests {
    @Test("keep-alive: two requests on one connection get two answers; the page is served")
    func keepAlive() {
        let h = HTTPHarness()
        let out = h.exchange([get("/", ""), get("/api/session", "")])
        #expect(HTTPHarness.statuses(out) == [200, 200])
        #expect(out.contains("<!doctype html>") && out.contains("\"loggedIn\":false"))
        #expect(!out.contains("Connection: close"))
    }

    @Test("an oversized request line gets 414, a long header line 431, too many headers 431; each closes")
    func headLimits() {
        var o = HTTPServerOptions()
        o.maximumRequestLine = 100
        o.maximumHeaderLine = 80
        o.maximumHeaders = 5
        let h = HTTPHarness(options: o)
        let longLine = h.exchange("GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\n\r\n" + get("/"))
        #expect(HTTPHarness.statuses(longLine) == [414] && longLine.contains("{\"ok\":false,\"error\":"))
        let longHeader = h.exchange("GET / HTTP/1.1\r\nX-A: " + String(repeating: "b", count: 100) + "\r\n\r\n")
        #expect(HTTPHarness.statuses(longHeader) == [431])
        var many = "GET / HTTP/1.1\r\n"
        for i in 0..<6 { many += "X-\(i): y\r\n" }
        let tooMany = h.exchange(many + "\r\n")
        #expect(HTTPHarness.statuses(tooMany) == [431] && tooMany.contains("more than 5 header lines"))
        let fine = h.exchange("GET / HTTP/1.1\r\nX-0: y\r\nX-1: y\r\nX-2: y\r\nX-3: y\r\nX-4: y\r\n\r\n")
        #expect(HTTPHarness.statuses(fine) == [200])
        #expect(HTTPHarness.statuses(h.exchange("GET / HTTP/2.0\r\n\r\n")) == [505])
    }

    @Test("a body past the route's limit: announced gets 413 unread; chunked is cut at the limit with 413")
    func bodyLimit() {
        var o = HTTPServerOptions()
        o.flashLimit = 10
        let h = HTTPHarness(options: o)
        let announced = h.exchange("PUT /api/files/a.bin HTTP/1.1\r\n\(basic)Content-Length: 11\r\n\r\n01234567890")
        #expect(HTTPHarness.statuses(announced) == [413])
        #expect(h.store.files["/a.bin"] == nil)
        let chunked = h.exchange("PUT /api/files/a.bin HTTP/1.1\r\n\(basic)Transfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n6\r\n678901\r\n0\r\n\r\n")
        #expect(HTTPHarness.statuses(chunked) == [413])
        #expect(h.store.files["/a.bin"] == nil, "the partial upload is removed")
        let exact = h.exchange("PUT /api/files/a.bin HTTP/1.1\r\n\(basic)Content-Length: 10\r\n\r\n0123456789")
        #expect(HTTPHarness.statuses(exact) == [201] && h.store.files["/a.bin"] == Array("0123456789".utf8))
    }

    @Test("chunked uploads are decoded (extensions ignored, trailers skipped), then the next request follows")
    func chunkedBody() {
        let h = HTTPHarness()
        let out = h.exchange([
            "PUT /api/files/c.bit HTTP/1.1\r\n\(basic)Transfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\n",
            "3\r\nefg\r\n0\r\nX-Trailer: t\r\n\r\n",
            get("/api/files/c.bit"),
        ])
        #expect(HTTPHarness.statuses(out) == [201, 200])
        #expect(h.store.files["/c.bit"] == Array("abcdefg".utf8))
        #expect(out.hasSuffix("\r\n\r\nabcdefg") && out.contains("Content-Length: 7"))
        let both = h.exchange("PUT /api/files/d HTTP/1.1\r\n\(basic)Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n")
        #expect(HTTPHarness.statuses(both) == [400])
    }

    @Test("a header name with whitespace before the colon, and any Transfer-Encoding but chunked alone, are 400 (RFC 9112 5.1, 6.3)")
    func smugglingShapes() {
        let h = HTTPHarness()
        for head in ["Transfer-Encoding : chunked\r\n", "Transfer-Encoding: chunked, identity\r\n", "Transfer-Encoding: identity\r\n",
                     "Transfer-Encoding: chunked, gzip\r\n", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                     "Content-Length : 5\r\n", "X-Pad\t: 1\r\n"] {
            let out = h.exchange("PUT /api/files/s HTTP/1.1\r\n\(basic)\(head)\r\n0\r\n\r\n")
            #expect(HTTPHarness.statuses(out) == [400], "\(head): \(out)")
        }
        #expect(h.store.files["/s"] == nil)
    }

    @Test("a client that asks for 100-continue is told to go on before the body is read")
    func expectContinue() {
        let h = HTTPHarness()
        let out = h.exchange("PUT /api/files/e HTTP/1.1\r\n\(basic)Expect: 100-continue\r\nContent-Length: 2\r\n\r\nhi")
        #expect(HTTPHarness.statuses(out) == [100, 201])
    }

    @Test("without a login the API answers 401; wrong Basic passwords 401")
    func missingLogin() {
        let h = HTTPHarness()
        let out = h.exchange(get("/api/files/", ""))
        #expect(HTTPHarness.statuses(out) == [401] && out.contains("{\"ok\":false,\"error\":\"log in first"))
        let wrong = h.exchange(get("/api/files/", "Authorization: Basic YWRtaW46d3Jvbmc=\r\n"))  // admin:wrong
        #expect(HTTPHarness.statuses(wrong) == [401])
        #expect(h.throttle.failures("10.0.0.5") == 1)
    }

    @Test("login sets an HttpOnly SameSite=Strict cookie; unsafe requests with it need the CSRF token (403 without)")
    func cookieAndCSRF() {
        let h = HTTPHarness()
        let out = h.exchange(HTTPHarness.post("/api/login", "user=admin&password=secret"))
        #expect(HTTPHarness.statuses(out) == [200])
        #expect(out.contains("Set-Cookie: tw_session=") && out.contains("; HttpOnly; SameSite=Strict"))
        let (cookie, csrf) = (HTTPHarness.between(out, "Set-Cookie: tw_session=", ";"), HTTPHarness.between(out, "\"csrf\":\"", "\""))
        #expect(cookie.utf8.count == 32 && csrf.utf8.count == 32 && cookie != csrf)
        let c = "Cookie: tw_session=\(cookie)\r\n"
        #expect(HTTPHarness.statuses(h.exchange(get("/api/files/", c))) == [200])
        let put = "PUT /api/files/x HTTP/1.1\r\n\(c)Content-Length: 1\r\n"
        #expect(HTTPHarness.statuses(h.exchange(put + "\r\nx")) == [403])
        #expect(HTTPHarness.statuses(h.exchange(put + "X-CSRF-Token: 0000\r\n\r\nx")) == [403])
        #expect(h.store.files["/x"] == nil)
        #expect(HTTPHarness.statuses(h.exchange(put + "X-CSRF-Token: \(csrf)\r\n\r\nx")) == [201])
        let session = h.exchange(get("/api/session", c))
        #expect(session.contains("\"csrf\":\"\(csrf)\"") && session.contains("\"access\":\"full\""))
        // Logging out ends the session.
        #expect(HTTPHarness.statuses(h.exchange(HTTPHarness.post("/api/logout", "", headers: c + "X-CSRF-Token: \(csrf)\r\n"))) == [200])
        #expect(HTTPHarness.statuses(h.exchange(get("/api/files/", c))) == [401])
    }

    @Test("failed logins are throttled per address, across connections; another address is not")
    func throttling() {
        let h = HTTPHarness()
        let bad = HTTPHarness.post("/api/login", "user=admin&password=guess")
        #expect(HTTPHarness.statuses(h.exchange(bad, peer: "10.0.0.9:1000")) == [401])
        // A second connection from the same address, even with the right password, waits.
        let second = h.exchange(HTTPHarness.post("/api/login", "user=admin&password=secret"), peer: "10.0.0.9:1001")
        #expect(HTTPHarness.statuses(second) == [429] && second.contains("Retry-After: 1"))
        #expect(HTTPHarness.statuses(h.exchange(HTTPHarness.post("/api/login", "user=admin&password=secret"), peer: "10.0.0.10:1000")) == [200])
        h.clock.now += 1_000_000
        #expect(HTTPHarness.statuses(h.exchange(bad, peer: "10.0.0.9:1002")) == [401])
        #expect(HTTPHarness.statuses(h.exchange(bad, peer: "10.0.0.9:1003")) == [429])
        h.clock.now += 1_999_999
        #expect(HTTPHarness.statuses(h.exchange(bad, peer: "10.0.0.9:1004")) == [429], "the second failure waits 2 s")
        h.clock.now += 1
        #expect(HTTPHarness.statuses(h.exchange(HTTPHarness.post("/api/login", "user=admin&password=secret"), peer: "10.0.0.9:1005")) == [200])
        #expect(h.throttle.failures("10.0.0.9") == 0)
    }

    @Test("anonymous read: listing and download without a login; writes need the user")
    func anonymousRead() {
        let h = HTTPHarness(anonymousRead: true)
        h.store.files["/a.bit"] = [1, 2, 3]
        #expect(HTTPHarness.statuses(h.exchange(get("/api/files/a.bit", ""))) == [200])
        #expect(HTTPHarness.statuses(h.exchange("DELETE /api/files/a.bit HTTP/1.1\r\n\r\n")) == [401])
        let anon = h.exchange(HTTPHarness.post("/api/login", "user=anonymous&password=x"))
        let cookie = HTTPHarness.between(anon, "Set-Cookie: tw_session=", ";")
        let csrf = HTTPHarness.between(anon, "\"csrf\":\"", "\"")
        let del = h.exchange("DELETE /api/files/a.bit HTTP/1.1\r\nCookie: tw_session=\(cookie)\r\nX-CSRF-Token: \(csrf)\r\n\r\n")
        #expect(HTTPHarness.statuses(del) == [403] && h.store.files["/a.bit"] != nil)
    }

    @Test("connections not logged in: a small limit of their own, and a deadline trickled bytes do not extend")
    func preLogin() {
        var o = HTTPServerOptions()
        o.maximumPreLoginClients = 0
        let full = HTTPHarness(options: o)
        let refused = full.exchange(get("/"))
        #expect(HTTPHarness.statuses(refused) == [503] && refused.contains("not logged in"))

        var t = HTTPServerOptions()
        t.preLoginMilliseconds = 10_000
        t.idleTimeoutMilliseconds = 5_000
        let h = HTTPHarness(options: t)
        // One byte a second, each well within the idle timeout: the request is never finished in 10 s.
        let slow = TricklingConnection(Array(get("/api/session", "X-Pad: \(String(repeating: "p", count: 40))\r\n").utf8), clock: h.clock, microsecondsPerByte: 1_000_000)
        h.server.serve(slow, peer: "10.0.0.7:1")
        let out = String(decoding: slow.sent, as: UTF8.self)
        #expect(HTTPHarness.statuses(out) == [408])
        #expect(h.clock.now <= 11_000_000)
        #expect(h.server.counts.all == 0 && h.server.counts.preLogin == 0)
        // A silent connection with a long idle timeout: its receive is given only the 10 s left
        // before the deadline, and it is answered 408.
        var long = HTTPServerOptions()
        long.preLoginMilliseconds = 10_000
        let h3 = HTTPHarness(options: long)
        let silent = TricklingConnection([], clock: h3.clock, microsecondsPerByte: 0)
        silent.silentAtEnd = true
        h3.server.serve(silent, peer: "10.0.0.7:3")
        #expect(HTTPHarness.statuses(String(decoding: silent.sent, as: UTF8.self)) == [408])
        #expect(h3.clock.now == 10_000_000, "waited until the deadline, not the 60 s idle timeout")
        // Logged in (Basic), the same trickle is only bound by the head timeout of 20 s: it completes.
        let h2 = HTTPHarness(options: t)
        let ok = TricklingConnection(Array(get("/api/session").utf8), clock: h2.clock, microsecondsPerByte: 100_000)
        h2.server.serve(ok, peer: "10.0.0.7:2")
        #expect(HTTPHarness.statuses(String(decoding: ok.sent, as: UTF8.self)) == [200])
    }

    @Test("files: list, upload, download, rename, mkdir, delete; paths above the root are refused")
    func fileRoutes() {
        let h = HTTPHarness()
        h.store.files["/blink.bit"] = Array("BITS".utf8)
        let list = h.exchange(get("/api/files/"))
        #expect(list.contains("{\"ok\":true,\"path\":\"/\",\"entries\":[{\"name\":\"blink.bit\",\"dir\":false,\"size\":4,\"modified\":0}]}"))
        let down = h.exchange(get("/api/files/blink.bit"))
        #expect(down.contains("Content-Disposition: attachment; filename=\"blink.bit\"") && down.hasSuffix("\r\n\r\nBITS"))
        #expect(HTTPHarness.statuses(h.exchange("POST /api/files/sub?op=mkdir HTTP/1.1\r\n\(basic)\r\n")) == [201])
        #expect(h.store.directories.contains("/sub"))
        #expect(HTTPHarness.statuses(h.exchange("POST /api/files/blink.bit?op=rename&to=/sub/b%20c.bit HTTP/1.1\r\n\(basic)\r\n")) == [200])
        #expect(h.store.files["/sub/b c.bit"] == Array("BITS".utf8))
        #expect(HTTPHarness.statuses(h.exchange("DELETE /api/files/sub/b%20c.bit HTTP/1.1\r\n\(basic)\r\n")) == [200])
        #expect(h.store.files.isEmpty)
        #expect(HTTPHarness.statuses(h.exchange(get("/api/files/nothing"))) == [404])
        let escape = h.exchange(get("/api/files/../etc/passwd"))
        #expect(HTTPHarness.statuses(escape) == [403] && escape.contains("leads outside"))
        let escape2 = h.exchange(get("/api/files/a/%2e%2e/%2e%2e/x"))
        #expect(HTTPHarness.statuses(escape2) == [403])
        #expect(HTTPHarness.statuses(h.exchange("POST /api/files/x?op=rename&to=../../y HTTP/1.1\r\n\(basic)\r\n")) == [403])
        #expect(HTTPHarness.statuses(h.exchange(get("/api/files/a%00b"))) == [400])
    }

    @Test("board routes without a board service answer 503")
    func notWired() {
        let h = HTTPHarness()
        let out = h.exchange(get("/api/board"))
        #expect(HTTPHarness.statuses(out) == [503] && out.contains("this server has no board"))
        #expect(HTTPHarness.statuses(h.exchange(get("/api/board", ""))) == [401])
    }

    @Test("nothing that changes the board is a GET or works with the cookie alone: reading the flash clears the running design")
    func boardChangesNeedTokenAndOrigin() {
        let board = FakeBoard()
        let h = HTTPHarness(board: board)
        let out = h.exchange(HTTPHarness.post("/api/login", "user=admin&password=secret"))
        let (cookie, csrf) = (HTTPHarness.between(out, "Set-Cookie: tw_session=", ";"), HTTPHarness.between(out, "\"csrf\":\"", "\""))
        let c = "Cookie: tw_session=\(cookie)\r\n"
        // What an image tag on another site's page would send: refused, the board untouched.
        let info = h.exchange(get("/api/board?flash=1", c))
        #expect(HTTPHarness.statuses(info) == [405] && info.contains("POST /api/board?flash=1"), "\(info)")
        let dump = h.exchange(get("/api/flash?addr=0&length=4", c))
        #expect(HTTPHarness.statuses(dump) == [405] && dump.contains("never a GET"), "\(dump)")
        #expect(HTTPHarness.statuses(h.exchange("POST /api/flash?addr=0&length=4 HTTP/1.1\r\nHost: x\r\n\(c)\r\n")) == [403])
        #expect(HTTPHarness.statuses(h.exchange("POST /api/board?flash=1 HTTP/1.1\r\nHost: x\r\n\(c)\r\n")) == [403])
        // The token with another site's Origin: still refused, for reads too.
        let t = "X-CSRF-Token: \(csrf)\r\n"
        let foreign = h.exchange("POST /api/flash?addr=0&length=4 HTTP/1.1\r\nHost: x\r\n\(c)\(t)Origin: http://evil.example\r\n\r\n")
        #expect(HTTPHarness.statuses(foreign) == [403] && foreign.contains("another site"), "\(foreign)")
        #expect(HTTPHarness.statuses(h.exchange(get("/api/board", c + "Origin: http://evil.example\r\n"))) == [403])
        #expect(board.jobs.isEmpty, "\(board.jobs)")
        // The page itself: same origin, with the token.
        let ok = h.exchange("POST /api/flash?addr=0x10&length=4 HTTP/1.1\r\nHost: x\r\n\(c)\(t)Origin: http://x\r\n\r\n")
        #expect(ok.hasSuffix("\r\n\r\n\u{10}\u{11}\u{12}\u{13}"), "\(ok)")
        #expect(HTTPHarness.statuses(h.exchange("POST /api/board?flash=1 HTTP/1.1\r\nHost: x\r\n\(c)\(t)\r\n")) == [200])
        #expect(HTTPHarness.statuses(h.exchange(get("/api/board", c))) == [200])
        #expect(board.jobs == ["flash read", "flash info"], "\(board.jobs)")
    }

    @Test("board routes through HTTPBoardActions: SRAM upload streams the body; a busy board is 409 naming the holder")
    func boardRoutes() {
        let board = FakeBoard()
        let h = HTTPHarness(board: board)
        let out = h.exchange("PUT /api/fpga HTTP/1.1\r\n\(basic)Content-Length: 2500\r\n\r\n" + String(repeating: "z", count: 2500))
        #expect(HTTPHarness.statuses(out) == [200] && out.contains("{\"ok\":true,\"bytes\":2500}"))
        #expect(board.received.count == 2500 && board.jobs == ["sram"])
        _ = h.exchange("PUT /api/flash?addr=0x100000 HTTP/1.1\r\n\(basic)Content-Length: 1\r\n\r\nq")
        #expect(board.jobs.last == "flash 1048576")
        let dump = h.exchange("POST /api/flash?addr=0x10&length=4 HTTP/1.1\r\n\(basic)\r\n")
        #expect(dump.contains("Content-Length: 4") && dump.hasSuffix("\r\n\r\n\u{10}\u{11}\u{12}\u{13}"))
        #expect(HTTPHarness.statuses(h.exchange("POST /api/flash?addr=x HTTP/1.1\r\n\(basic)\r\n")) == [400])
        board.holder = "XVC client 10.0.0.8:5000"
        let busy = h.exchange("POST /api/reload HTTP/1.1\r\n\(basic)\r\n")
        #expect(HTTPHarness.statuses(busy) == [409])
        #expect(busy.contains("\"holder\":\"XVC client 10.0.0.8:5000\"") && busy.contains("\"ok\":false"))
        #expect(HTTPHarness.statuses(h.exchange(get("/api/board"))) == [409])
        #expect(HTTPHarness.statuses(h.exchange("GET /api/fpga HTTP/1.1\r\n\(basic)\r\n")) == [405])
    }

    @Test("POST /api/fpga and /api/flash?addr=A with {\"url\": …} run the job on the download; a URL that fails is 422 before the board")
    func urlRoutes() {
        let board = FakeBoard()
        let h = HTTPHarness(board: board)
        func post(_ path: String, _ body: String, _ headers: String = basic) -> String {
            h.exchange("POST \(path) HTTP/1.1\r\n\(headers)Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        }
        #expect(HTTPHarness.statuses(post("/api/fpga", "{\"url\": \"https://h/blink.bit\"}")) == [200])
        #expect(board.jobs == ["sram"] && String(decoding: board.received, as: UTF8.self) == "from https://h/blink.bit")
        #expect(HTTPHarness.statuses(post("/api/flash?addr=0x200000", "{\"url\":\"http://h/a.bit.gz\"}")) == [200])
        #expect(board.jobs.last == "flash 2097152" && board.urls.last == "http://h/a.bit.gz")
        let missing = post("/api/fpga", "{\"url\":\"http://h/missing.bit\"}")
        #expect(HTTPHarness.statuses(missing) == [422] && missing.contains("the board was left as it was"), "\(missing)")
        #expect(HTTPHarness.statuses(post("/api/flash?addr=0", "{\"url\":\"ftp://h/x.bit\"}")) == [400])
        #expect(HTTPHarness.statuses(post("/api/fpga", "{}")) == [400])
        #expect(board.jobs.count == 2, "no job ran for a refused URL: \(board.jobs)")
        // Writing routes: no login, no job; with a session cookie but no token, no job.
        #expect(HTTPHarness.statuses(post("/api/fpga", "{\"url\":\"http://h/b.bit\"}", "")) == [401])
        let login = h.exchange(HTTPHarness.post("/api/login", "user=admin&password=secret"))
        let cookie = "Cookie: tw_session=\(HTTPHarness.between(login, "Set-Cookie: tw_session=", ";"))\r\n"
        #expect(HTTPHarness.statuses(post("/api/flash?addr=0", "{\"url\":\"http://h/c.bit\"}", cookie)) == [403])
        #expect(board.urls.count == 3 && board.jobs.count == 2, "the URL of a refused request is never fetched: \(board.urls)")
    }

    @Test("events are server-sent: progress with bytes, total, rate and ETA, then the result")
    func eventStream() {
        let board = FakeBoard()
        var o = HTTPServerOptions()
        o.eventStreamMilliseconds = 1000
        let h = HTTPHarness(board: board, options: o)
        h.events.start(job: "sram", holder: "HTTP client 1")
        h.clock.now += 2_000_000
        h.events.progress(bytes: 1000, total: 3000)
        h.events.result("{\"ok\":true}")
        let out = h.exchange(get("/api/events?after=0"))
        #expect(out.contains("Content-Type: text/event-stream") && out.contains("Connection: close"))
        #expect(out.contains("event: progress\nid: 2\ndata: {\"bytes\":1000,\"total\":3000,\"rate\":500,\"eta\":4}\n\n"))
        #expect(out.contains("event: result\nid: 3\ndata: {\"ok\":true}\n\n"))
        #expect(!out.contains("Content-Length"))
    }

    @Test("errors are JSON: unknown API 404, wrong method 405")
    func jsonErrors() {
        let h = HTTPHarness()
        let out = h.exchange(get("/api/nothing"))
        #expect(HTTPHarness.statuses(out) == [404] && out.contains("Content-Type: application/json") && out.contains("{\"ok\":false,\"error\":\"no such API: /api/nothing\"}"))
        #expect(HTTPHarness.statuses(h.exchange("DELETE / HTTP/1.1\r\n\r\n")) == [405])
    }
}
