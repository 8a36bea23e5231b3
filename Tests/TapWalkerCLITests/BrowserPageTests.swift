import Foundation
import Testing

// The page in headless Chromium (Debian's chromium and chromium-driver, Selenium from PyPI; the
// test command installs them): web/browser-test.py logs in, drops a bitstream for the FPGA and
// sees DONE, sees a wrong-part bitstream refused before sending, writes the bitstream to flash and
// downloads a dump of it that matches byte for byte, uploads, downloads, programs and deletes a
// stored file, deletes and downloads files named with #, ? and % (each acts on its own file), sees the board busy while an FTP upload holds it and the page recover afterwards,
// and writes screenshots at desktop and phone width under .build/screenshots/.

private let chromeReady: Bool = {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
          FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
          let python else { return false }
    return runTool(python, ["-c", "import selenium"]).status == 0
}()

@Suite("the page in a browser")
struct BrowserPageTests {
    @Test("headless Chromium: log in, a wrong-part bitstream refused, DONE, flash write and dump, the file store, busy while FTP holds the board; screenshots",
          .enabled(if: chromeReady, "chromium, chromium-driver or selenium is not installed"))
    func dropBitstream() throws {
        try withTempDir { dir in
            try? FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
            dir.write("pw.txt", Array("\(password)\n".utf8))
            let server = ServerProcess(["serve", "--http", "0", "--ftp", "0", "--listen", "127.0.0.1", "--root", dir.path("store"),
                                        "--cable", "sim", "--user", "ulx3s", "--password-file", dir.path("pw.txt")])
            let base = "http://127.0.0.1:\(server.port("http"))"
            let shots = Paths.packageRoot.appendingPathComponent(".build/screenshots").path
            let screenshots = ["login-desktop.png", "done-desktop.png", "done-phone.png", "flash-desktop.png", "flash-phone.png",
                               "busy-desktop.png", "busy-phone.png"]
            for name in screenshots { try? FileManager.default.removeItem(atPath: shots + "/" + name) }
            let blinkSize = (try? FileManager.default.attributesOfItem(atPath: Examples.path("blink-85f.bit"))[.size] as? Int) ?? -1
            let script = Paths.packageRoot.appendingPathComponent("web/browser-test.py").path
            let r = runTool(python!, [script, base, "\(server.port("ftp"))", "ulx3s", password, Examples.path("blink-85f.bit"),
                                      Examples.path("blink-12f.bit"), shots, dir.path("downloads")])
            #expect(r.status == 0 && r.output.contains("PAGE OK"), "\(r.output)\n\(server.log)")
            #expect(r.output.contains("wrong part: This bitstream is for 0x21111043"), "\(r.output)")
            #expect(r.output.contains("flash result: flash@0x200000: \(blinkSize) bytes in "), "\(r.output)")
            #expect(r.output.contains("flash dump: \(blinkSize) bytes, the same as blink-85f.bit"), "\(r.output)")
            #expect(r.output.contains("boot check: Boots from flash | nothing: blank (all 0xFF) at 0x000000 | Golden image | none"), "\(r.output)")
            #expect(r.output.contains("awkward names: each Delete and Download acted on its own file"), "\(r.output)")
            #expect(r.output.contains("stored file downloaded: \(blinkSize) bytes, the same"), "\(r.output)")
            #expect(r.output.contains("deleted: No files."), "\(r.output)")
            #expect(r.output.contains("busy: The board is busy: FTP client 127.0.0.1:"), "\(r.output)")
            #expect(r.output.contains("FTP 226"), "\(r.output)")
            for name in screenshots {
                #expect(FileManager.default.fileExists(atPath: shots + "/" + name), "\(name)")
            }
            #expect(server.log.contains("PUT /api/fpga: 200"), "\(server.log)")
            #expect(server.log.contains("POST /api/program"), "\(server.log)")
            server.stop()
        }
    }
}
