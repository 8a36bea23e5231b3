import Foundation
import Testing

// The page in headless Chromium (Debian's chromium and chromium-driver, Selenium from PyPI; the
// test command installs them): web/browser-test.py logs in, drops a bitstream for the FPGA and
// sees DONE, sees a wrong-part bitstream refused before sending, and writes screenshots at desktop
// and phone width under .build/screenshots/.

private let chromeReady: Bool = {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
          FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
          let python else { return false }
    return runTool(python, ["-c", "import selenium"]).status == 0
}()

@Suite("the page in a browser")
struct BrowserPageTests {
    @Test("headless Chromium: log in, a wrong-part bitstream refused on the page, a bitstream dropped for the FPGA reaches DONE; screenshots",
          .enabled(if: chromeReady, "chromium, chromium-driver or selenium is not installed"))
    func dropBitstream() throws {
        try withTempDir { dir in
            try? FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
            dir.write("pw.txt", Array("\(password)\n".utf8))
            let server = ServerProcess(["serve", "--http", "0", "--listen", "127.0.0.1", "--root", dir.path("store"),
                                        "--cable", "sim", "--user", "ulx3s", "--password-file", dir.path("pw.txt")])
            let base = "http://127.0.0.1:\(server.port("http"))"
            let shots = Paths.packageRoot.appendingPathComponent(".build/screenshots").path
            for name in ["login-desktop.png", "done-desktop.png", "done-phone.png"] { try? FileManager.default.removeItem(atPath: shots + "/" + name) }
            let script = Paths.packageRoot.appendingPathComponent("web/browser-test.py").path
            let r = runTool(python!, [script, base, "ulx3s", password, Paths.example("blink-85f.bit"),
                                      Paths.example("blink-12f.bit"), shots])
            #expect(r.status == 0 && r.output.contains("PAGE OK"), "\(r.output)\n\(server.log)")
            #expect(r.output.contains("wrong part: This bitstream is for 0x21111043"), "\(r.output)")
            for name in ["login-desktop.png", "done-desktop.png", "done-phone.png"] {
                #expect(FileManager.default.fileExists(atPath: shots + "/" + name), "\(name)")
            }
            #expect(server.log.contains("PUT /api/fpga: 200"), "\(server.log)")
            server.stop()
        }
    }
}
