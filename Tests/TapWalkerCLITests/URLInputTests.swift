import Foundation
import Testing

// http:// and https:// inputs through the real binary (libcurl), against end-to-end/url-server/url_server.py:
// a real local http and https server whose certificate is signed by a CA made for the test with
// openssl, which the system does not trust.

/// The running server; `stop()` terminates it (it also stops by itself after 300 s).
final class URLTestServer {
    let httpPort: Int
    let httpsPort: Int
    let pid: Int32
    /// The test CA's certificate (PEM).
    let caFile: String

    init(serving file: String, in dir: TempDir, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fields = try startAnnouncingServer(
            [Paths.packageRoot.appendingPathComponent("end-to-end/url-server/url_server.py").path, file, dir.path(".")],
            numbers: 3, waitSeconds: 30, what: "the URL test server", sourceLocation: sourceLocation)
        httpPort = fields[0]
        httpsPort = fields[1]
        pid = Int32(fields[2])
        caFile = dir.path("ca.pem")
    }

    func http(_ path: String) -> String { "http://127.0.0.1:\(httpPort)\(path)" }
    func https(_ path: String) -> String { "https://localhost:\(httpsPort)\(path)" }

    func stop() { kill(pid, SIGTERM) }
}

private func withServer(_ body: (URLTestServer, TempDir) throws -> Void) throws {
    try withTempDir { dir in
        let server = try URLTestServer(serving: Examples.path("blink-25f.bit"), in: dir)
        defer { server.stop() }
        try body(server, dir)
    }
}

private let cable = ["--cable", "sim:part=25f"]

@Suite("http:// and https:// inputs through libcurl, against a local server")
struct URLInputTests {
    @Test("https with the test CA given loads plain and gzipped bitstreams, and follows redirects, http to https too")
    func httpsWithCA() throws {
        try withServer { server, _ in
            for url in [server.https("/blink.bit"), server.https("/blink.bit.gz"), server.https("/redirect"), server.http("/to-https")] {
                let r = tapwalker(["prog", url, "--json", "--ca-file", server.caFile] + cable)
                #expect(r.exitCode == 0, "\(url): \(r.stdout)\(r.stderr)")
                let j = try #require(r.json())
                #expect(j.bool("done") == true)
                #expect(j.int("bytes") == exampleBytes("blink-25f.bit").count, "\(url)")
            }
        }
    }

    @Test("https without the CA: refused before the board is touched, naming the certificate and --ca-file")
    func httpsWithoutCA() throws {
        try withServer { server, _ in
            let r = tapwalker(["prog", server.https("/blink.bit"), "--json"] + cable)
            #expect(r.exitCode == 2)
            let j = try #require(r.json())
            let error = j.string("error") ?? ""
            #expect(error.contains("certificate is not trusted") && error.contains("--ca-file"), "\(error)")
            #expect(j.bool("sram_touched") == false)
            #expect(j.string("idcode") == nil, "the cable was not even opened")
        }
    }

    @Test("a redirect loop is refused after 3 redirects; a redirect to ftp:// is refused")
    func redirectsRefused() throws {
        try withServer { server, _ in
            let loop = tapwalker(["prog", server.https("/loop"), "--json", "--ca-file", server.caFile] + cable)
            #expect(loop.exitCode == 2)
            #expect(loop.json()?.string("error")?.contains("too many redirects (more than 3)") == true, "\(loop.stdout)")
            #expect(loop.json()?.bool("sram_touched") == false)
            let ftp = tapwalker(["prog", server.http("/to-ftp"), "--json"] + cable)
            #expect(ftp.exitCode == 2)
            #expect(ftp.json()?.string("error")?.contains("redirects to 'ftp://127.0.0.1/blink.bit'; only http:// and https://") == true, "\(ftp.stdout)")
        }
    }

    /// The server sends half the body and then nothing, keeping the connection open: after 30 s
    /// without a byte the download is cut short, which is exit 1, and the message says the board
    /// was left as it was (the bitstream fits the read-ahead, so nothing was erased yet).
    @Test("a server that stalls mid-body: exit 1 after the wait, the board left as it was")
    func stall() throws {
        try withServer { server, _ in
            let r = tapwalker(["prog", server.https("/stall.bit"), "--json", "--ca-file", server.caFile] + cable)
            #expect(r.exitCode == 1)
            let j = try #require(r.json())
            let error = j.string("error") ?? ""
            #expect(error.contains("sent nothing for 30 s"), "\(error)")
            #expect(error.contains("after 291184 of 582369 bytes"), "\(error)")
            #expect(error.contains("nothing was written, the board was left as it was"), "\(error)")
            #expect(j.bool("sram_touched") == false)
        }
    }

    @Test("a server that sends more than its Content-Length: exactly the announced bytes are taken")
    func moreThanAnnounced() throws {
        try withServer { server, _ in
            let excess = tapwalker(["prog", server.http("/excess.bit"), "--json"] + cable)
            #expect(excess.exitCode == 0, "\(excess.stdout)")
            #expect(excess.json()?.int("bytes") == exampleBytes("blink-25f.bit").count, "the 256 KB after it were not read")
            // Announcing half and sending all: the announced half is a truncated bitstream, refused.
            let short = tapwalker(["prog", server.https("/short.bit"), "--json", "--ca-file", server.caFile] + cable)
            #expect(short.exitCode == 1)
            #expect(short.json()?.string("error")?.contains("truncated") == true, "\(short.stdout)")
            #expect(short.json()?.bool("sram_touched") == false)
        }
    }

    @Test("a download larger than the part's largest bitstream is refused before the board is touched")
    func tooLarge() throws {
        try withServer { server, _ in
            let r = tapwalker(["prog", server.http("/huge.bit"), "--json"] + cable)
            #expect(r.exitCode == 1)
            let j = try #require(r.json())
            #expect(j.string("error")?.contains("more than any LFE5U-25F bitstream holds; nothing was written") == true, "\(r.stdout)")
            #expect(j.bool("sram_touched") == false)
        }
    }

    @Test("flash write from https writes and verifies; a CA file that is not PEM is bad usage")
    func flashAndBadCAFile() throws {
        try withServer { server, dir in
            let flash = "sim:part=25f,flash-image=\(dir.path("flash.bin"))"
            let w = tapwalker("flash", "write", server.https("/blink.bit.gz"), "--addr", "0", "--ca-file", server.caFile, "--json", "--cable", flash)
            #expect(w.exitCode == 0, "\(w.stdout)\(w.stderr)")
            #expect(w.json()?.bool("verified") == true)
            let bad = tapwalker(["prog", server.https("/blink.bit"), "--ca-file", dir.write("not.pem", Array("hello".utf8))] + cable)
            #expect(bad.exitCode == 2)
            #expect(bad.stderr.contains("no PEM certificate"), "\(bad.stderr)")
        }
    }
}
