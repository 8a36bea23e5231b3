import Foundation
import Testing

// Connections that never log in, from several addresses at once, cannot keep a user out: a user
// from another address logs in every time while the flood runs (end-to-end/flood/prelogin_flood.py).
// Event streams neither (end-to-end/flood/event_streams.py).

/// Runs the flood against `kind` ("ftp", "http") on `port` for `seconds`; returns its RESULT line.
private func flood(_ kind: String, port: Int, seconds: Int) -> String {
    let script = Paths.packageRoot.appendingPathComponent("end-to-end/flood/prelogin_flood.py").path
    let run = runTool(python!, [script, kind, String(port), String(seconds)], timeout: Double(seconds) + 60)
    #expect(run.status == 0, "\(run.output)")
    return run.output
}

/// "RESULT http logins 10 of 10, slowest 0.01 s, flood connections 3391" → (10, 10, 3391).
private func logins(_ output: String) -> (ok: Int, tries: Int, flood: Int) {
    let line = output.components(separatedBy: "RESULT").last ?? ""
    let words = line.replacingOccurrences(of: ",", with: " ").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    func after(_ w: String) -> Int { words.firstIndex(of: w).flatMap { $0 + 1 < words.count ? Int(words[$0 + 1]) : nil } ?? -1 }
    return (after("logins"), after("of"), after("connections"))
}

@Suite("pre-login floods", .serialized)
struct PreLoginFloodTests {
    @Test("a user from another address logs in over FTP and HTTP every time while 12 idle connections from 4 addresses churn",
          .enabled(if: python != nil, "python3 is not installed"))
    func userGetsInDuringFlood() throws {
        try withTempDir { dir in
            try? FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
            dir.write("pw.txt", Array("secret\n".utf8))
            let server = ServerProcess(["serve", "--http", "0", "--ftp", "0", "--listen", "127.0.0.1", "--root", dir.path("store"),
                                        "--cable", "sim", "--user", "ulx3s", "--password-file", dir.path("pw.txt")])
            for kind in ["ftp", "http"] {
                let output = flood(kind, port: server.port(kind), seconds: 8)
                let result = logins(output)
                #expect(result.tries >= 5 && result.ok == result.tries, "\(kind): \(output)")
                // The flood really ran: far more connections than there are places.
                #expect(result.flood > 50, "\(kind): \(output)")
            }
            #expect(server.log.contains("closed: waiting to log in, its place given to 127.0.0."), "\(server.log.suffix(2000))")
            server.stop()
        }
    }

    @Test("event streams: a login's tabs take no pre-login place, a third stream is 429, a closed one frees its place at once; anonymous readers too",
          .enabled(if: python != nil, "python3 is not installed"))
    func eventStreams() throws {
        for mode in ["login", "anonymous"] {
            try withTempDir { dir in
                try? FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
                dir.write("pw.txt", Array("secret\n".utf8))
                let server = ServerProcess(["serve", "--http", "0", "--listen", "127.0.0.1", "--root", dir.path("store"), "--cable", "sim",
                                            "--user", "ulx3s", "--password-file", dir.path("pw.txt"), "--anonymous-read"])
                let script = Paths.packageRoot.appendingPathComponent("end-to-end/flood/event_streams.py").path
                let run = runTool(python!, [script, String(server.port("http")), mode], timeout: 60)
                #expect(run.status == 0, "\(mode): \(run.output)")
                #expect(run.output.contains("STREAMS 200 200 429"), "\(mode): \(run.output)")
                #expect(run.output.contains("STRANGERS 200 200\n"), "\(mode): \(run.output)")
                #expect(run.output.contains("LOGIN 200"), "\(mode): \(run.output)")
                // At once: the server notices the closed stream within its poll (0.2 s), not at
                // its next write.
                let reopened = run.output.components(separatedBy: "REOPENED 200 after ").last.flatMap { Double($0.prefix(3)) }
                #expect(reopened != nil && reopened! < 2, "\(mode): \(run.output)")
                server.stop()
            }
        }
    }

    @Test("guesses from 70 addresses are checked no faster than the overall budget (10, then 2 a second); the user who logged in before still logs in",
          .enabled(if: python != nil, "python3 is not installed"))
    func guessesOverManyAddresses() throws {
        try withTempDir { dir in
            try? FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: true)
            dir.write("pw.txt", Array("secret\n".utf8))
            let server = ServerProcess(["serve", "--http", "0", "--listen", "127.0.0.1", "--root", dir.path("store"), "--cable", "sim",
                                        "--user", "ulx3s", "--password-file", dir.path("pw.txt")])
            let script = Paths.packageRoot.appendingPathComponent("end-to-end/flood/guess_flood.py").path
            let run = runTool(python!, [script, String(server.port("http")), "8"], timeout: 90)
            #expect(run.status == 0, "\(run.output)")
            let words = (run.output.components(separatedBy: "GUESSES").last ?? "").split(separator: " ").map(String.init)
            func after(_ w: String) -> Double? { words.firstIndex(of: w).flatMap { $0 + 1 < words.count ? Double(words[$0 + 1]) : nil } }
            let checked = try #require(after("checked"), "\(run.output)")
            let refused = try #require(after("refused"), "\(run.output)")
            let seconds = try #require(after("in"), "\(run.output)")
            // The budget: 10 at once, then one per half second, whatever the addresses.
            #expect(checked <= 10 + 2 * seconds + 1, "\(run.output)")
            #expect(refused > 100, "the flood really ran: \(run.output)")
            let userLine = run.output.split(separator: "\n").first(where: { $0.hasPrefix("USER ") && !$0.hasPrefix("USER SAW") }) ?? ""
            let user = userLine.dropFirst(5).split(separator: " ")  // "12 of 12"
            #expect(user.count >= 3 && user[0] == user[2] && (Int(user[0]) ?? 0) >= 3, "\(run.output)")
            #expect(server.log.contains("login refused unchecked: the server's budget of password checks is spent"))
            server.stop()
        }
    }
}
