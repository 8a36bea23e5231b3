import Foundation
import Testing

// `tapwalker serve` fetching inputs itself: POST /api/fpga and /api/flash?addr=A with {"url": …}
// driven by curl, and FTP's SITE PROG/FLASH URL by Python's ftplib, against the local http and
// https server of end-to-end/url-server (its CA given with --ca-file).

private let curl = toolPath("curl")

@Suite("serve: inputs from a URL over HTTP and FTP")
struct ServeURLTests {
    @Test("POST {\"url\"} and SITE PROG/FLASH URL load from https with --ca-file; a redirect loop, a redirect to ftp:// and a 404 are refused before the board",
          .enabled(if: curl != nil && python != nil, "curl or python3 is not installed"))
    func serveFetches() throws {
        try withTempDir { dir in
            let server = try URLTestServer(serving: Examples.path("blink-25f.bit"), in: dir)
            defer { server.stop() }
            try FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
            dir.write("pw.txt", Array("secret\n".utf8))
            let flashImage = dir.path("flash.bin")
            let serve = ServerProcess(["serve", "--http", "0", "--ftp", "0", "--listen", "127.0.0.1", "--root", dir.path("store"),
                                       "--cable", "sim:part=25f,flash-image=\(flashImage)", "--user", "ulx3s",
                                       "--password-file", dir.path("pw.txt"), "--ca-file", server.caFile])
            let base = "http://127.0.0.1:\(serve.port("http"))"
            let bytes = exampleBytes("blink-25f.bit").count
            func post(_ path: String, _ url: String) -> (code: Int, body: String) {
                let r = runTool(curl!, ["-sS", "-u", "ulx3s:secret", "-w", "\n%{http_code}", "-H", "Content-Type: application/json",
                                        "--data-binary", "{\"url\": \"\(url)\"}", base + path])
                let lines = r.output.split(separator: "\n", omittingEmptySubsequences: false)
                return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
            }

            let sram = post("/api/fpga", server.https("/blink.bit.gz"))
            #expect(sram.code == 200 && sram.body.contains("\"done\":true") && sram.body.contains("\"bytes\":\(bytes)"), "\(sram)")
            let flash = post("/api/flash?addr=0x100000", server.http("/to-https"))
            #expect(flash.code == 200 && flash.body.contains("\"verified\":true"), "\(flash)")
            for (path, words) in [("/loop", "too many redirects (more than 3)"), ("/to-ftp", "only http:// and https://")] {
                let r = post("/api/fpga", server.https(path))
                #expect(r.code == 422 && r.body.contains(words) && r.body.contains("the board was left as it was"), "\(path): \(r)")
            }
            // Not JSON with a URL: 400, and nothing fetched.
            let bad = post("/api/fpga", "ftp://127.0.0.1/x.bit")
            #expect(bad.code == 400, "\(bad)")

            let script = ftplibPrelude(serve.port("ftp"), pass: "secret") + """
                ftp = login()
                print('FLASH', ftp.sendcmd('SITE FLASH \(server.https("/redirect")) 0x200000').replace('\\r\\n', ' | '))
                print('PROG', ftp.sendcmd('SITE PROG \(server.https("/blink.bit"))').replace('\\r\\n', ' | '))
                try:
                    ftp.sendcmd('SITE PROG \(server.http("/missing.bit"))')
                except ftplib.error_perm as e:
                    print('MISSING', e)
                print('STATUS', ftp.sendcmd('SITE STATUS').splitlines()[-1])
                ftp.quit()
                """
            let r = runPython(script)
            #expect(r.status == 0, "\(r.output)")
            #expect(r.output.contains("PROG 250") && r.output.contains("bytes in") && r.output.contains("DONE (LFE5U-25F"), "\(r.output)")
            #expect(r.output.contains("FLASH 250") && r.output.contains("verified"), "\(r.output)")
            #expect(r.output.contains("MISSING 550") && r.output.contains("404") && r.output.contains("the board was left as it was"), "\(r.output)")
            // After the refused URL the design loaded by SITE PROG still runs.
            #expect(r.output.contains("STATUS 250 DONE"), "\(r.output)")
            #expect(serve.stop() == 0)
            // The simulated flash is written back to its image when the server stops.
            let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: flashImage)))
            for address in [0x100000, 0x200000] {
                #expect(image.count >= address + bytes && Array(image[address..<(address + bytes)]) == exampleBytes("blink-25f.bit"), "at \(address)")
            }
        }
    }
    @Test("the page's \"Or from URL\" field in headless Chromium: an https URL loads DONE, a redirect loop is refused with the board left as it was",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") && python != nil
                   && runTool(python!, ["-c", "import selenium"]).status == 0, "chromium, chromium-driver or selenium is not installed"))
    func pageField() throws {
        try withTempDir { dir in
            let server = try URLTestServer(serving: Examples.path("blink-85f.bit"), in: dir)
            defer { server.stop() }
            try FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
            dir.write("pw.txt", Array("secret\n".utf8))
            let serve = ServerProcess(["serve", "--http", "0", "--listen", "127.0.0.1", "--root", dir.path("store"), "--cable", "sim",
                                       "--user", "ulx3s", "--password-file", dir.path("pw.txt"), "--ca-file", server.caFile])
            let script = Paths.packageRoot.appendingPathComponent("web/browser-url-test.py").path
            let shots = Paths.packageRoot.appendingPathComponent(".build/screenshots").path
            let r = runTool(python!, [script, "http://127.0.0.1:\(serve.port("http"))", "ulx3s", "secret",
                                      server.https("/blink.bit.gz"), server.http("/loop"), shots])
            #expect(r.status == 0 && r.output.contains("URL FIELD OK"), "\(r.output)\n\(serve.log)")
            #expect(serve.log.contains("POST /api/fpga"), "\(serve.log)")
            #expect(serve.stop() == 0)
        }
    }
}
