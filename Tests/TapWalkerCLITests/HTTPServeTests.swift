import Foundation
import Testing

// `tapwalker serve --http` driven by curl over a real socket: the page, login, the file store,
// and a board route on the simulated board (the board routes in detail: HTTPBoardTests).

private let curl = toolPath("curl")

@Suite("serve --http")
struct HTTPServeTests {
    @Test("curl: the page; Basic and cookie logins; upload, list, download and delete in the store; CSRF; an SRAM load",
          .enabled(if: curl != nil, "curl is not installed"))
    func curlClient() throws {
        try withTempDir { dir in
            try? FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
            dir.write("pw.txt", Array("secret\n".utf8))
            let server = ServerProcess(["serve", "--http", "0", "--listen", "127.0.0.1", "--root", dir.path("store"),
                                        "--cable", "sim", "--user", "ulx3s", "--password-file", dir.path("pw.txt")])
            let base = "http://127.0.0.1:\(server.port("http"))"
            let blink = Examples.path("blink-85f.bit")

            let page = runTool(curl!, ["-sS", "-i", "\(base)/"])
            #expect(page.output.contains("HTTP/1.1 200") && page.output.contains("<title>TapWalker</title>"), "\(page.output)")
            #expect(runTool(curl!, ["-sS", "\(base)/api/files/"]).output.contains("\"error\":\"log in first"))

            let up = runTool(curl!, ["-sS", "-u", "ulx3s:secret", "-T", blink, "\(base)/api/files/blink.bit"])
            #expect(up.output.contains("{\"ok\":true,\"path\":\"/blink.bit\",\"bytes\":1927725}"), "\(up.output)")
            #expect(FileManager.default.contentsEqual(atPath: blink, andPath: dir.path("store/blink.bit")))
            let list = runTool(curl!, ["-sS", "-u", "ulx3s:secret", "\(base)/api/files/"])
            #expect(list.output.contains("\"name\":\"blink.bit\",\"dir\":false,\"size\":1927725"), "\(list.output)")
            let out = dir.path("down.bit")
            _ = runTool(curl!, ["-sS", "-u", "ulx3s:secret", "-o", out, "\(base)/api/files/blink.bit"])
            #expect(FileManager.default.contentsEqual(atPath: blink, andPath: out))

            let jar = dir.path("jar")
            let login = runTool(curl!, ["-sS", "-c", jar, "-d", "user=ulx3s&password=secret", "\(base)/api/login"])
            #expect(login.output.contains("\"access\":\"full\""), "\(login.output)")
            let token = login.output.components(separatedBy: "\"csrf\":\"").last?.components(separatedBy: "\"").first ?? ""
            let noToken = runTool(curl!, ["-sS", "-b", jar, "-X", "DELETE", "\(base)/api/files/blink.bit"])
            #expect(noToken.output.contains("X-CSRF-Token"), "\(noToken.output)")
            let delete = runTool(curl!, ["-sS", "-b", jar, "-H", "X-CSRF-Token: \(token)", "-X", "DELETE", "\(base)/api/files/blink.bit"])
            #expect(delete.output == "{\"ok\":true}", "\(delete.output)")
            #expect(!FileManager.default.fileExists(atPath: dir.path("store/blink.bit")))

            let board = runTool(curl!, ["-sS", "-u", "ulx3s:secret", "-T", blink, "\(base)/api/fpga"])
            #expect(board.output.contains("\"ok\":true") && board.output.contains("\"done\":true"), "\(board.output)")
            server.stop()
        }
    }
}
