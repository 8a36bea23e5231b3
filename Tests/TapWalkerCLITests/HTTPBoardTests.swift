import Foundation
import Testing

// The board routes of `tapwalker serve --http` on the simulated board, driven by curl (and by
// Python for what curl cannot do: a client that drops mid-upload, an FTP upload held open, the
// event stream read while a job runs). Every answer is checked against the board's real state:
// GET /api/board after each job, the flash read back through the API and compared with the file,
// the SD card image compared byte for byte.

private let curl = toolPath("curl")
private let blink = Examples.path("blink-85f.bit")
private let blinkBytes = [UInt8](FileManager.default.contents(atPath: Examples.path("blink-85f.bit")) ?? Data())

/// `serve --http` and `--ftp` on one board, a store, a password and a 4 MB SD card image.
private final class HTTPBoardFixture {
    let dir: TempDir
    let server: ServerProcess
    let base: String
    let ftpPort: Int
    static let cardSize = 4 << 20

    init(_ dir: TempDir) {
        self.dir = dir
        try? FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
        dir.write("pw.txt", Array("\(password)\n".utf8))
        dir.write("card.img", [UInt8](repeating: 0xEE, count: HTTPBoardFixture.cardSize))
        server = ServerProcess(["serve", "--http", "0", "--ftp", "0", "--listen", "127.0.0.1", "--root", dir.path("store"),
                                "--cable", "sim:flash-image=\(dir.path("flash.img"))", "--user", "ulx3s",
                                "--password-file", dir.path("pw.txt"), "--sd", dir.path("card.img")])
        base = "http://127.0.0.1:\(server.port("http"))"
        ftpPort = server.port("ftp")
    }

    /// curl with Basic login; `-w` appends the status code on its own line.
    func call(_ args: [String]) -> (code: Int, body: String) {
        let r = runTool(curl!, ["-sS", "-u", "ulx3s:\(password)", "-w", "\n%{http_code}"] + args)
        let lines = r.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? -1, lines.dropLast().joined(separator: "\n"))
    }

    func board() -> (code: Int, body: String) { call(["\(base)/api/board"]) }
}

private func doneTrue(_ body: String) -> Bool { body.contains("\"done\":true") }

@Suite("serve --http: the board routes", .serialized)
struct HTTPBoardTests {
    @Test("POST /api/flash/boot: the boot check (nothing on a blank flash, then the image written at 0); GET is refused; a cookie needs the CSRF token",
          .enabled(if: curl != nil, "curl is not installed"))
    func bootCheck() throws {
        try withTempDir { dir in
            let f = HTTPBoardFixture(dir)
            let base = f.base
            // Reading the flash stops the design, so the route is not a GET.
            let get = f.call(["\(base)/api/flash/boot"])
            #expect(get.code == 405 && get.body.contains("takes POST"), "\(get.body)")
            let blank = f.call(["-X", "POST", "\(base)/api/flash/boot"])
            #expect(blank.code == 422, "\(blank.body)")
            #expect(blank.body.contains("\"boot\":{\"loads\":false,\"addr\":null") && blank.body.contains("blank (all 0xFF) at 0x000000"), "\(blank.body)")
            let write = f.call(["-T", blink, "\(base)/api/flash?addr=0"])
            #expect(write.code == 200 && write.body.contains("\"boot\":{\"loads\":true,\"addr\":0,"), "\(write.body)")
            let check = f.call(["-X", "POST", "\(base)/api/flash/boot"])
            #expect(check.code == 200, "\(check.body)")
            #expect(check.body.contains("the FPGA would load the primary image at 0x000000") && check.body.contains("\"fallback\":null"), "\(check.body)")
            // A browser session without the CSRF token is refused before the board is touched.
            let jar = dir.path("jar")
            _ = runTool(curl!, ["-sS", "-c", jar, "-d", "user=ulx3s&password=\(password)", "\(base)/api/login"])
            let forged = runTool(curl!, ["-sS", "-b", jar, "-w", "\n%{http_code}", "-X", "POST", "\(base)/api/flash/boot"])
            #expect(forged.output.hasSuffix("\n403"), "\(forged.output)")
            f.server.stop()
        }
    }

    @Test("curl: board info; SRAM load (plain and gzip) then DONE; wrong part refused with the design still DONE; flash write and dump compared; reload; SD write; bad addresses; limits; logins and CSRF",
          .enabled(if: curl != nil, "curl is not installed"))
    func routes() throws {
        try withTempDir { dir in
            let f = HTTPBoardFixture(dir)
            let base = f.base

            // Board info before anything: the simulated LFE5U-85F, not configured.
            let first = f.board()
            #expect(first.code == 200, "\(first.body)")
            #expect(first.body.contains("\"part\":\"LFE5U-85F\"") && first.body.contains("\"idcode\":\(0x4111_3043)"), "\(first.body)")
            #expect(first.body.contains("\"done\":false"), "\(first.body)")

            // SRAM load of a real bitstream: the --json fields, then the board shows DONE.
            let load = f.call(["-T", blink, "\(base)/api/fpga"])
            #expect(load.code == 200, "\(load.body)")
            #expect(load.body.contains("\"ok\":true") && load.body.contains("\"bytes\":1927725") && load.body.contains("\"sram_touched\":true"), "\(load.body)")
            #expect(load.body.contains("\"message\":\"fpga: 1927725 bytes in "), "\(load.body)")
            #expect(doneTrue(f.board().body))

            // The same bitstream gzipped: inflated on the way to the FPGA.
            let gz = dir.path("blink.bit.gz")
            #expect(runTool("/bin/sh", ["-c", "gzip -c '\(blink)' > '\(gz)'"]).status == 0)
            let gzLoad = f.call(["-T", gz, "\(base)/api/fpga"])
            #expect(gzLoad.code == 200 && gzLoad.body.contains("\"bytes\":1927725") && doneTrue(gzLoad.body), "\(gzLoad.body)")

            // A bitstream for another part: refused with the board service's message, design still DONE.
            let wrong = f.call(["-T", Examples.path("blink-12f.bit"), "\(base)/api/fpga"])
            #expect(wrong.code == 422, "\(wrong.body)")
            #expect(wrong.body.contains("\"ok\":false") && wrong.body.contains("\"sram_touched\":false") && wrong.body.contains("LFE5U-12F"), "\(wrong.body)")
            #expect(doneTrue(f.board().body), "the design loaded before survives a refused bitstream")

            // Flash at 0x200000, then a dump compared byte for byte with the file.
            let write = f.call(["-T", blink, "\(base)/api/flash?addr=0x200000"])
            #expect(write.code == 200, "\(write.body)")
            #expect(write.body.contains("\"addr\":2097152") && write.body.contains("\"verified\":true") && write.body.contains("\"chip\":"), "\(write.body)")
            let dump = dir.path("dump.bin")
            let read = f.call(["-X", "POST", "-o", dump, "\(base)/api/flash?addr=0x200000&length=\(blinkBytes.count)"])
            #expect(read.code == 200)
            #expect(FileManager.default.contents(atPath: dump) == Data(blinkBytes))
            // The chip is known now from that job.
            #expect(f.board().body.contains("\"flash\":\"") , "\(f.board().body)")

            // The boot image at 0, then a reload boots it: DONE.
            let boot = f.call(["-T", blink, "\(base)/api/flash?addr=0"])
            #expect(boot.code == 200 && boot.body.contains("\"reloaded\":true") && doneTrue(boot.body), "\(boot.body)")
            let reload = f.call(["-X", "POST", "\(base)/api/reload"])
            #expect(reload.code == 200 && doneTrue(reload.body) && reload.body.contains("FPGA reloaded from flash: DONE"), "\(reload.body)")
            let info = f.call(["-X", "POST", "\(base)/api/board?flash=1"])
            #expect(info.code == 200 && info.body.contains("\"protection\":\"none\"") && doneTrue(info.body), "\(info.body)")

            // SD card at 512 and from the end.
            let payload = (0..<3000).map { UInt8($0 % 251) }
            let sdFile = dir.write("head.img", payload)
            let sd = f.call(["-T", sdFile, "\(base)/api/sd?addr=512"])
            #expect(sd.code == 200 && sd.body.contains("\"ok\":true"), "\(sd.body)")
            let card = [UInt8](FileManager.default.contents(atPath: dir.path("card.img")) ?? Data())
            #expect(card.count == HTTPBoardFixture.cardSize)
            if card.count == HTTPBoardFixture.cardSize {
                #expect(Array(card[512..<(512 + payload.count)]) == payload)
                #expect(card[511] == 0xEE && card[512 + payload.count] == 0xEE)
            }

            // From the end of the card, as sd@-N everywhere else.
            let tail = [UInt8](repeating: 0x5A, count: 512)
            let tailFile = dir.write("tail.img", tail)
            let fromEnd = f.call(["-T", tailFile, "\(base)/api/sd?addr=-512"])
            #expect(fromEnd.code == 200 && fromEnd.body.contains("\"ok\":true"), "\(fromEnd.body)")
            let card2 = [UInt8](FileManager.default.contents(atPath: dir.path("card.img")) ?? Data())
            #expect(card2.count == HTTPBoardFixture.cardSize && Array(card2.suffix(512)) == tail)

            // A stored file programmed into the FPGA.
            _ = f.call(["-T", blink, "\(base)/api/files/b.bit"])
            let stored = f.call(["-X", "POST", "\(base)/api/program?file=/b.bit&dest=fpga"])
            #expect(stored.code == 200 && doneTrue(stored.body), "\(stored.body)")

            // Bad addresses.
            let badAddr = f.call(["-T", blink, "\(base)/api/flash?addr=zz"])
            #expect(badAddr.code == 400 && badAddr.body.contains("addr=N"), "\(badAddr.body)")
            let past = f.call(["-X", "POST", "\(base)/api/flash?addr=0x1000000&length=16"])
            #expect(past.code == 422 && past.body.contains("does not fit"), "\(past.body)")
            let noLength = f.call(["-X", "POST", "\(base)/api/flash?addr=0"])
            #expect(noLength.code == 400 && noLength.body.contains("length=N"), "\(noLength.body)")
            let badSD = f.call(["-T", sdFile, "\(base)/api/sd?addr=-1x"])
            #expect(badSD.code == 400, "\(badSD.body)")

            // A body announced past the limit is refused before anything is read.
            let big = f.call(["-X", "PUT", "-H", "Content-Length: 17000000", "-H", "Expect:", "--data-binary", "x",
                              "--max-time", "10", "\(base)/api/fpga"])
            #expect(big.code == 413, "\(big.body)")

            // No login: 401; a cookie login with a wrong CSRF token: 403; the right token works.
            let anonymous = runTool(curl!, ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "\(base)/api/board"])
            #expect(anonymous.output == "401", "\(anonymous.output)")
            let anonymousLoad = runTool(curl!, ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", blink, "\(base)/api/fpga"])
            #expect(anonymousLoad.output == "401", "\(anonymousLoad.output)")
            let jar = dir.path("jar")
            let login = runTool(curl!, ["-sS", "-c", jar, "-d", "user=ulx3s&password=\(password)", "\(base)/api/login"])
            let token = login.output.components(separatedBy: "\"csrf\":\"").last?.components(separatedBy: "\"").first ?? ""
            #expect(!token.isEmpty, "\(login.output)")
            let forged = runTool(curl!, ["-sS", "-b", jar, "-H", "X-CSRF-Token: wrong", "-w", "\n%{http_code}", "-X", "POST", "\(base)/api/reload"])
            #expect(forged.output.hasSuffix("\n403"), "\(forged.output)")
            let good = runTool(curl!, ["-sS", "-b", jar, "-H", "X-CSRF-Token: \(token)", "-w", "\n%{http_code}", "-X", "POST", "\(base)/api/reload"])
            #expect(good.output.hasSuffix("\n200") && doneTrue(good.output), "\(good.output)")
            f.server.stop()
        }
    }

    @Test("a client that drops mid-upload leaves the design DONE and the server serving; an FTP upload in progress makes the HTTP jobs 409 naming it; the event stream shows progress then the result",
          .enabled(if: curl != nil && python != nil, "curl or python3 is not installed"))
    func dropsBusyAndEvents() throws {
        try withTempDir { dir in
            let f = HTTPBoardFixture(dir)
            let base = f.base
            #expect(f.call(["-T", blink, "\(base)/api/fpga"]).code == 200)
            let port = base.split(separator: ":").last!
            let auth = Data("ulx3s:\(password)".utf8).base64EncodedString()

            // Half a bitstream, then the connection closes.
            let drop = runPython("""
                import socket
                s = socket.create_connection(('127.0.0.1', \(port)))
                data = open('\(blink)', 'rb').read()
                s.sendall(b'PUT /api/fpga HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Basic \(auth)\\r\\nContent-Length: %d\\r\\n\\r\\n' % len(data))
                s.sendall(data[:700000])
                s.close()
                print('dropped')
                """)
            #expect(drop.output.contains("dropped"), "\(drop.output)")
            #expect(f.server.waitForLog("PUT /api/fpga: 422 after 700000 bytes received"), "\(f.server.log)")
            let after = f.board()
            #expect(after.code == 200 && doneTrue(after.body), "the design loaded first still runs: \(after.body)")
            #expect(f.call(["-T", blink, "\(base)/api/fpga"]).code == 200, "the next upload is served")

            // An FTP upload held open: HTTP jobs and the board info get 409 naming the FTP client.
            let held = runPython("""
                import ftplib, urllib.request, urllib.error
                ftp = ftplib.FTP()
                ftp.connect('127.0.0.1', \(f.ftpPort), timeout=120)
                ftp.login('ulx3s', '\(password)')
                ftp.voidcmd('TYPE I')
                data = ftp.transfercmd('STOR flash@0x300000')
                data.sendall(open('\(blink)', 'rb').read()[:300000])
                def call(method, path, body=None):
                    req = urllib.request.Request('\(base)' + path, data=body, method=method,
                                                 headers={'Authorization': 'Basic \(auth)'})
                    try:
                        with urllib.request.urlopen(req, timeout=60) as r:
                            return r.status, r.read().decode()
                    except urllib.error.HTTPError as e:
                        return e.code, e.read().decode()
                for method, path, body in [('PUT', '/api/fpga', open('\(blink)', 'rb').read()),
                                           ('GET', '/api/board', None), ('POST', '/api/reload', b''),
                                           ('POST', '/api/flash?addr=0&length=16', b'')]:
                    code, text = call(method, path, body)
                    print('HTTP', method, path, code, text)
                data.sendall(open('\(blink)', 'rb').read()[300000:])
                data.close()
                print('FTP', ftp.voidresp())
                ftp.quit()
                print('AFTER', *call('GET', '/api/board'))
                """)
            for route in ["PUT /api/fpga", "GET /api/board", "POST /api/reload", "POST /api/flash?addr=0&length=16"] {
                #expect(held.output.contains("HTTP \(route) 409 {\"ok\":false,\"error\":\"the board is busy: FTP client 127.0.0.1:"), "\(route): \(held.output)")
            }
            #expect(held.output.contains("uploading to flash@0x300000"), "\(held.output)")
            #expect(held.output.contains("FTP 226"), "\(held.output)")
            #expect(held.output.contains("AFTER 200 {\"ok\":true"), "\(held.output)")

            // The event stream during a job: start, progress up to the total, then the result.
            let events = runPython("""
                import threading, urllib.request
                auth = {'Authorization': 'Basic \(auth)'}
                stream = urllib.request.urlopen(urllib.request.Request('\(base)/api/events', headers=auth), timeout=120)
                assert stream.readline().startswith(b': tapwalker events')
                def upload():
                    req = urllib.request.Request('\(base)/api/fpga', data=open('\(blink)', 'rb').read(), method='PUT', headers=auth)
                    urllib.request.urlopen(req, timeout=120).read()
                t = threading.Thread(target=upload)
                t.start()
                last = ''
                while True:
                    line = stream.readline().decode().strip()
                    if line:
                        print(line)
                    if line.startswith('data:') and last == 'event: result':
                        break
                    if line.startswith('event:'):
                        last = line
                t.join()
                """)
            let lines = events.output.split(separator: "\n").map(String.init)
            let start = lines.firstIndex { $0.hasPrefix("data: {\"job\":\"fpga\"") }
            let full = lines.firstIndex { $0.hasPrefix("data: {\"bytes\":1927725,\"total\":1927725,\"rate\":") && $0.contains("\"eta\":0") }
            let result = lines.firstIndex { $0.hasPrefix("data: {\"ok\":true") && $0.contains("\"done\":true") && $0.contains("\"bytes\":1927725") }
            #expect(start != nil && full != nil && result != nil, "\(events.output)")
            if let start, let full, let result { #expect(start < full && full < result, "\(events.output)") }
            f.server.stop()
        }
    }
}
