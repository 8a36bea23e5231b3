import Testing
import TapWalkerCore

// HTTPURL and HTTPSource without sockets: an in-memory NetworkConnection replays a canned answer
// in small pieces (so every line and chunk boundary lands mid-read) and records the request.

/// Hands out one connection per request, in order, each answering 5 bytes per receive.
private final class Network {
    var answers: [[UInt8]]
    var made: [ScriptedConnection] = []
    init(_ answers: [String]) { self.answers = answers.map { Array($0.utf8) } }
    init(bytes: [[UInt8]]) { self.answers = bytes }
    func next() -> any NetworkConnection {
        let c = ScriptedConnection(answers.isEmpty ? [] : answers.removeFirst(), piece: 5)
        made.append(c)
        return c
    }
}

private func readAll(_ s: HTTPSource) throws(TapWalkerError) -> [UInt8] {
    var all: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 7)
    while true {
        let n = try chunk.withMutableBytes { (p) throws(TapWalkerError) in try s.read(into: p) }
        if n == 0 { return all }
        all += chunk[0..<n]
    }
}

private func error(_ body: () throws(TapWalkerError) -> Void) -> TapWalkerError? {
    do throws(TapWalkerError) { try body(); return nil } catch { return error }
}

@Suite("HTTPURL")
struct HTTPURLTests {
    @Test func parsesHostPortPath() throws {
        let u = try HTTPURL.parse("HTTP://Example.org:8080/a/b.bit?x=1#frag")
        #expect(u.host == "Example.org" && u.port == 8080 && u.path == "/a/b.bit?x=1")
        #expect(u.hostHeader == "Example.org:8080")
        let v = try HTTPURL.parse("http://10.0.0.2")
        #expect(v.port == 80 && v.path == "/" && v.hostHeader == "10.0.0.2")
        let w = try HTTPURL.parse("http://[::1]:81/x")
        #expect(w.host == "::1" && w.port == 81 && w.hostHeader == "[::1]:81")
    }

    @Test func refusesBadURLs() {
        let https = error { () throws(TapWalkerError) in _ = try HTTPURL.parse("https://example.org/x.bit") }
        #expect(https?.kind == .usage)
        #expect(https?.message.contains("HTTPS is not supported") == true)
        for bad in ["http://", "http://:80/x", "http://h:0/", "http://h:70000/", "http://h:8x/", "http://u@h/", "http://h/a b", "ftp://h/x"] {
            #expect(error { () throws(TapWalkerError) in _ = try HTTPURL.parse(bad) }?.kind == .usage, "\(bad)")
        }
        #expect(HTTPURL.looksLikeURL("hTtP://x") && HTTPURL.looksLikeURL("https://x"))
        #expect(!HTTPURL.looksLikeURL("http.bit") && !HTTPURL.looksLikeURL("-"))
    }
}

@Suite("HTTPSource over an in-memory connection")
struct HTTPSourceTests {
    @Test func sendsTheRequestAndReadsContentLength() throws {
        let net = Network(["HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: b\r\n\r\nhello world"])
        let s = try HTTPSource(url: "http://h:8080/f.bit") { net.next() }
        #expect(s.totalBytes == 11 && s.name == "http://h:8080/f.bit")
        #expect(try readAll(s) == Array("hello world".utf8))
        let request = String(decoding: net.made[0].sent, as: UTF8.self)
        #expect(request.hasPrefix("GET /f.bit HTTP/1.1\r\n"))
        #expect(request.contains("\r\nHost: h:8080\r\n") && request.contains("\r\nConnection: close\r\n") && request.contains("\r\nUser-Agent: tapwalker\r\n"))
        #expect(request.hasSuffix("\r\n\r\n"))
        #expect(net.made[0].connectedTo?.0 == "h" && net.made[0].connectedTo?.1 == 8080)
    }

    @Test func chunkedWithHexSizesExtensionsAndTrailers() throws {
        let body = "A\r\n0123456789\r\n1f;name=\"v\";x\r\n" + String(repeating: "z", count: 31) + "\r\n"
            + "3 ; ext\r\nabc\r\n0;last\r\nTrailer-One: 1\r\nTrailer-Two: 2\r\n\r\n"
        let net = Network(["HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, Chunked\r\n\r\n" + body])
        let s = try HTTPSource(url: "http://h/x") { net.next() }
        #expect(s.totalBytes == nil)
        #expect(try readAll(s) == Array(("0123456789" + String(repeating: "z", count: 31) + "abc").utf8))
    }

    @Test func chunkedCutShortSaysHowManyBytesArrived() {
        let net = Network(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nonly-part"])
        let e = error { () throws(TapWalkerError) in let s = try HTTPSource(url: "http://h/x") { net.next() }; _ = try readAll(s) }
        #expect(e?.kind == .data)
        #expect(e?.message.contains("after 14 bytes, before the last chunk") == true, "\(e?.message ?? "")")
    }

    @Test func badChunkSizeLine() {
        let net = Network(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"])
        let e = error { () throws(TapWalkerError) in let s = try HTTPSource(url: "http://h/x") { net.next() }; _ = try readAll(s) }
        #expect(e?.kind == .input && e?.message.contains("bad chunk size") == true)
    }

    @Test("a server that drips a byte a second fails the transfer's overall bound, though no single wait runs out")
    func drippingServerHitsTheOverallDeadline() {
        final class Drip: NetworkConnection {
            let bytes = Array(("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + String(repeating: "x", count: 100_000)).utf8)
            var position = 0
            var now: UInt64 = 0
            func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {}
            func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) {}
            func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int {
                #expect(timeoutMilliseconds > 0)
                now += 1_000_000  // a second per byte, well within the 30 s wait
                buffer[0] = bytes[position]
                position += 1
                return 1
            }
            func close() {}
        }
        let drip = Drip()
        let e = error { () throws(TapWalkerError) in
            let s = try HTTPSource(url: "http://h/x", clock: { drip.now },
                                   deadline: .init(graceMilliseconds: 60_000, minimumBytesPerSecond: 1024)) { drip }
            _ = try readAll(s)
        }
        #expect(e?.message.contains("slower than 1024 bytes a second on average after the first 60 s; gave up") == true, "\(e?.message ?? "")")
        #expect(drip.now <= 62_000_000, "ended at the bound, not after 100000 s")
    }

    @Test func contentLengthCutShort() {
        let net = Network(["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"])
        let e = error { () throws(TapWalkerError) in let s = try HTTPSource(url: "http://h/x") { net.next() }; _ = try readAll(s) }
        #expect(e?.kind == .data)
        #expect(e?.message.contains("closed after 10 of 100 bytes") == true, "\(e?.message ?? "")")
    }

    @Test func bodyUntilCloseWithoutLength() throws {
        let net = Network(["HTTP/1.0 200 OK\r\n\r\nall of it"])
        let s = try HTTPSource(url: "http://h/x") { net.next() }
        #expect(try readAll(s) == Array("all of it".utf8))
    }

    @Test func headerLineTooLongAndTooManyHeaders() {
        let long = Network(["HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "a", count: 9000) + "\r\n\r\n"])
        let e1 = error { () throws(TapWalkerError) in _ = try HTTPSource(url: "http://h/x") { long.next() } }
        #expect(e1?.kind == .input && e1?.message.contains("longer than 8192 bytes") == true, "\(e1?.message ?? "")")
        var many = "HTTP/1.1 200 OK\r\n"
        for i in 0..<101 { many += "X-\(i): v\r\n" }
        let net = Network([many + "\r\n"])
        let e2 = error { () throws(TapWalkerError) in _ = try HTTPSource(url: "http://h/x") { net.next() } }
        #expect(e2?.kind == .input && e2?.message.contains("more than 100 header lines") == true)
        var hundred = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
        for i in 0..<99 { hundred += "X-\(i): v\r\n" }
        let ok = Network([hundred + "\r\nok"])
        #expect(error { () throws(TapWalkerError) in _ = try HTTPSource(url: "http://h/x") { ok.next() } } == nil)
    }

    @Test func redirectsAbsoluteURLAndPath() throws {
        let net = Network([
            "HTTP/1.1 301 Moved\r\nLocation: http://other:81/b\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 307 Temporary\r\nLocation: /c?q=1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
        ])
        let s = try HTTPSource(url: "http://h/a") { net.next() }
        #expect(try readAll(s) == Array("hi".utf8))
        #expect(s.finalURL.text == "http://other:81/c?q=1")
        #expect(net.made.count == 3 && net.made[0].closed && net.made[1].closed)
        #expect(String(decoding: net.made[2].sent, as: UTF8.self).hasPrefix("GET /c?q=1 HTTP/1.1\r\nHost: other:81\r\n"))
    }

    @Test func redirectProblems() {
        let missing = Network(["HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n"])
        let e1 = error { () throws(TapWalkerError) in _ = try HTTPSource(url: "http://h/a") { missing.next() } }
        #expect(e1?.kind == .input && e1?.message.contains("'HTTP/1.1 302 Found' without a Location") == true, "\(e1?.message ?? "")")
        let loop = Network(Array(repeating: "HTTP/1.1 302 Found\r\nLocation: /again\r\n\r\n", count: 5))
        let e2 = error { () throws(TapWalkerError) in _ = try HTTPSource(url: "http://h/a") { loop.next() } }
        #expect(e2?.message.contains("too many redirects") == true && loop.made.count == 4)
        let tls = Network(["HTTP/1.1 301 Moved\r\nLocation: https://h/a\r\n\r\n"])
        #expect(error { () throws(TapWalkerError) in _ = try HTTPSource(url: "http://h/a") { tls.next() } }?.message.contains("HTTPS is not supported") == true)
        let relative = Network(["HTTP/1.1 301 Moved\r\nLocation: b.bit\r\n\r\n"])
        #expect(error { () throws(TapWalkerError) in _ = try HTTPSource(url: "http://h/a") { relative.next() } }?.kind == .input)
    }

    @Test func errorStatusIsQuoted() {
        let net = Network(["HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!"])
        let e = error { () throws(TapWalkerError) in _ = try HTTPSource(url: "http://h/missing.bit") { net.next() } }
        #expect(e?.kind == .input)
        #expect(e?.message == "http://h/missing.bit: server answered 'HTTP/1.1 404 Not Found'")
    }

    @Test func continueThenAnswerAndGarbage() throws {
        let net = Network(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"])
        #expect(try readAll(try HTTPSource(url: "http://h/") { net.next() }) == [UInt8(ascii: "x")])
        let junk = Network(["SSH-2.0-OpenSSH\r\n"])
        #expect(error { () throws(TapWalkerError) in _ = try HTTPSource(url: "http://h/") { junk.next() } }?.message.contains("did not answer in HTTP/1.x") == true)
        let empty = Network([""])
        #expect(error { () throws(TapWalkerError) in _ = try HTTPSource(url: "http://h/") { empty.next() } }?.kind == .input)
    }
}
