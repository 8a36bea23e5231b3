import Foundation
import Testing

// `http://` inputs through the real binary, real sockets and a real local HTTP server (Python's
// http.server, a script written to a temporary directory). The server binds 127.0.0.1 port 0,
// prints the port it got, serves a fixed set of paths, and exits by itself after 60 s; each test
// also terminates it when done.

/// The server's script. argv[1]: the plain bitstream to serve.
private let serverScript = #"""
import gzip, http.server, os, socket, sys, threading

# Tests run in parallel: this process may have inherited the write ends of other tests' pipes
# (a tapwalker's stdout), which would keep their readers from seeing the end until this server
# exits. Close everything but stdin/stdout/stderr first.
os.closerange(3, 4096)

data = open(sys.argv[1], 'rb').read()
gz = gzip.compress(data)

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def plain(self, body, status=200, extra=()):
        self.send_response(status)
        self.send_header('Content-Length', str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.close_connection = True
        p = self.path
        if p == '/blink.bit':
            self.plain(data)
        elif p == '/blink.bit.gz':
            self.plain(gz)
        elif p == '/chunked.bit':
            self.send_response(200)
            self.send_header('Transfer-Encoding', 'chunked')
            self.send_header('Connection', 'close')
            self.end_headers()
            sizes = [1, 7, 4093, 13, 65537, 3, 999]
            i = k = 0
            while i < len(data):
                n = sizes[k % len(sizes)]
                k += 1
                piece = data[i:i + n]
                i += n
                ext = ';name=value' if k % 3 == 0 else ''
                self.wfile.write(b'%x%s\r\n' % (len(piece), ext.encode()) + piece + b'\r\n')
            self.wfile.write(b'0\r\nX-Trailer: yes\r\n\r\n')
        elif p == '/redirect':
            self.plain(b'moved', 302, [('Location', '/blink.bit')])
        elif p.startswith('/loop'):
            self.plain(b'again', 302, [('Location', '/loop' + str(len(p)))])
        elif p == '/drop.bit':
            self.send_response(200)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self.plain(b'no such thing', 404)

server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
server.daemon_threads = True
# The parent prints "PORT PID" and exits at once; the child serves. (swift-corelibs-foundation
# reports other processes' exits late while a Process it started is still running, so the
# long-lived server must not be that Process.)
pid = os.fork()
if pid:
    print(server.server_address[1], pid, flush=True)
    os._exit(0)
os.setsid()
null = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
threading.Timer(60, lambda: os._exit(0)).start()
server.serve_forever()
"""#

/// A running server; `stop()` terminates it (it also stops by itself after 60 s).
private final class LocalHTTPServer {
    let port: Int
    let pid: Int32

    init(serving file: String, in dir: TempDir, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let script = dir.write("server.py", Array(serverScript.utf8))
        let fields = try startAnnouncingServer([script, file], numbers: 2, waitSeconds: 20, what: "the test HTTP server",
                                               sourceLocation: sourceLocation)
        port = fields[0]
        pid = Int32(fields[1])
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() { kill(pid, SIGTERM) }
}

/// Runs `body` with a fresh server serving blink-25f.bit, and stops the server afterwards.
private func withServer(_ body: (LocalHTTPServer, TempDir) throws -> Void) throws {
    try withTempDir { dir in
        let server = try LocalHTTPServer(serving: Examples.path("blink-25f.bit"), in: dir)
        defer { server.stop() }
        try body(server, dir)
    }
}

@Suite("http:// inputs from a real local server")
struct HTTPInputTests {
    @Test("prog loads a bitstream sent with Content-Length, chunked, after a redirect, and gzipped",
        arguments: ["/blink.bit", "/chunked.bit", "/redirect", "/blink.bit.gz"])
    func progOverHTTP(_ path: String) throws {
        try withServer { server, _ in
            let r = tapwalker("prog", server.url(path), "--json", "--cable", "sim:part=25f")
            #expect(r.exitCode == 0, "\(r.stdout)\(r.stderr)")
            let j = try #require(r.json())
            #expect(j.bool("done") == true)
            #expect(j.string("file") == server.url(path))
        }
    }

    @Test("a redirect loop stops after 3 redirects: exit 2, nothing touched")
    func redirectLoop() throws {
        try withServer { server, _ in
            let r = tapwalker("prog", server.url("/loop"), "--json", "--cable", "sim:part=25f")
            #expect(r.exitCode == 2)
            let j = try #require(r.json())
            #expect(j.string("error")?.contains("too many redirects") == true, "\(r.stdout)")
            #expect(j.bool("sram_touched") == false)
        }
    }

    @Test("404: exit 2 and the status line quoted")
    func notFound() throws {
        try withServer { server, _ in
            let r = tapwalker("prog", server.url("/missing"), "--cable", "sim:part=25f")
            #expect(r.exitCode == 2)
            #expect(r.stderr.contains("server answered 'HTTP/1.1 404 Not Found'"), "\(r.stderr)")
            #expect(r.stderr.contains(server.url("/missing")), "\(r.stderr)")
        }
    }

    /// The connection drops halfway through the body: a truncated input, so the data said no
    /// (exit 1). The bitstream fits the part's largest, so it is read whole before the SRAM is
    /// erased: the drop is found first and the FPGA is never touched.
    @Test("a dropped connection mid-body: exit 1, how many bytes arrived, the SRAM untouched")
    func droppedMidBody() throws {
        try withServer { server, _ in
            let total = exampleBytes("blink-25f.bit").count
            let r = tapwalker("prog", server.url("/drop.bit"), "--json", "--cable", "sim:part=25f")
            #expect(r.exitCode == 1)
            let j = try #require(r.json())
            #expect(j.bool("done") == false)
            #expect(j.bool("sram_touched") == false)
            let error = j.string("error") ?? ""
            #expect(error.contains("closed after \(total / 2) of \(total) bytes"), "\(error)")
        }
    }

    @Test("info over http:// agrees with info on the file")
    func infoAgrees() throws {
        try withServer { server, _ in
            let a = tapwalker("info", Examples.path("blink-25f.bit"), "--json")
            let b = tapwalker("info", server.url("/chunked.bit"), "--json")
            #expect(b.exitCode == 0, "\(b.stderr)")
            let ja = try #require(a.json()), jb = try #require(b.json())
            #expect(jb.bool("ok") == true)
            for key in ["bytes", "frames", "crc_checks", "ebr_writes"] { #expect(jb.int(key) == ja.int(key), "\(key)") }
            #expect(jb.hex("idcode") == ja.hex("idcode"))
            #expect(jb.hex("usercode") == ja.hex("usercode"))
        }
    }

    @Test("flash write: a dropped download writes nothing; a whole one is written and verified")
    func flashWrite() throws {
        try withServer { server, dir in
            let cable = "sim:part=25f,flash-image=\(dir.path("flash.bin"))"
            let bad = tapwalker("flash", "write", server.url("/drop.bit"), "--json", "--cable", cable)
            #expect(bad.exitCode == 1)
            let untouched = (try? Data(contentsOf: URL(fileURLWithPath: dir.path("flash.bin")))).map([UInt8].init) ?? []
            #expect(untouched.allSatisfy { $0 == 0xFF }, "no byte of the flash changed")
            let jb = try #require(bad.json())
            #expect(jb.bool("ok") == false)
            #expect(jb.string("error")?.contains("closed after") == true, "\(bad.stdout)")
            #expect(jb.int("bytes") == nil || jb.int("bytes") == 0, "nothing claimed written: \(bad.stdout)")
            #expect(jb.bool("verified") != true)

            let good = tapwalker("flash", "write", server.url("/blink.bit"), "--json", "--cable", cable)
            #expect(good.exitCode == 0, "\(good.stdout)\(good.stderr)")
            let jg = try #require(good.json())
            #expect(jg.bool("verified") == true)
            #expect(jg.int("bytes") == exampleBytes("blink-25f.bit").count)
            #expect(jg.bool("done") == true)

            let verify = tapwalker("flash", "verify", server.url("/blink.bit.gz"), "--cable", cable)
            #expect(verify.exitCode == 0, "\(verify.stdout)\(verify.stderr)")
        }
    }
}
