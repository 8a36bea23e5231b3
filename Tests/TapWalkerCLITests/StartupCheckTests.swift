import Foundation
import Testing

// `sim` and `serve` check their files before they listen, and never resize a flash image.

@Suite("sim and serve check their files at startup")
struct StartupCheckTests {
    /// Files that are not an image of the default 16 MB flash: too small, another chip's size, empty.
    static let wrongSizes = [1000, 4 << 20, 0, (16 << 20) + 1]

    @Test("sim refuses a flash image of the wrong size and leaves it byte-identical", arguments: wrongSizes)
    func simRefusesWrongSize(size: Int) throws {
        try withTempDir { dir in
            let content = deterministicNoise(count: size)
            let image = dir.write("flash.bin", content)
            let r = tapwalker(["sim", "--xvc", "0", "--flash-image", image], timeout: 60)
            #expect(r.exitCode == 2, "\(r.stderr)")
            #expect(r.stderr.contains("\(size) bytes") && r.stderr.contains("16777216"), "\(r.stderr)")
            #expect(!r.stderr.contains("listening:"), "refused before listening")
            #expect(fileBytes(image) == content, "the file is unchanged")
            #expect(directoryEntries(dir.url.path) == [Array("flash.bin".utf8)], "nothing was created beside it")
        }
    }

    @Test("serve refuses a simulated flash image of the wrong size and leaves it byte-identical")
    func serveRefusesWrongSize() throws {
        try withTempDir { dir in
            let content = deterministicNoise(count: 4 << 20)
            let image = dir.write("flash.bin", content)
            let r = tapwalker(["serve", "--xvc", "0", "--cable", "sim:flash-image=\(image)"], timeout: 60)
            #expect(r.exitCode == 2, "\(r.stderr)")
            #expect(r.stderr.contains("flash=is25lp032"), "names the chip of that size: \(r.stderr)")
            #expect(!r.stderr.contains("listening:"))
            #expect(fileBytes(image) == content)
            // And a one-shot command with the same cable leaves it alone too.
            let detect = tapwalker("detect", "--json", "--cable", "sim:flash-image=\(image)")
            #expect(detect.exitCode == 2)
            #expect(fileBytes(image) == content)
        }
    }

    @Test("an image of the chip's exact size is used: sim with --flash is25lp032 and a 4 MB file listens")
    func exactSizeIsAccepted() throws {
        try withTempDir { dir in
            let image = dir.write("flash.bin", [UInt8](repeating: 0xFF, count: 4 << 20))
            let sim = ServerProcess(["sim", "--xvc", "0", "--flash", "is25lp032", "--flash-image", image])
            #expect(sim.port("xvc") > 0)
            #expect(sim.stop() == 0)
        }
    }

    @Test("bad --stats, --root, --sd and --password-file are refused before listening, each by name")
    func badPaths() throws {
        try withTempDir { dir in
            let file = dir.write("plain.txt", Array("not a directory".utf8))
            let card = dir.write("card.img", [UInt8](repeating: 0, count: 1000))
            let runs: [([String], String)] = [
                (["sim", "--xvc", "0", "--stats", dir.path("missing/stats.json")], "--stats"),
                (["sim", "--xvc", "0", "--stats", dir.url.path], "--stats"),
                (["serve", "--ftp", "0", "--anonymous-read", "--root", dir.path("missing")], "--root"),
                (["serve", "--ftp", "0", "--anonymous-read", "--root", file], "--root"),
                (["serve", "--ftp", "0", "--anonymous-read", "--root", dir.url.path, "--sd", card], "--sd"),
                (["serve", "--ftp", "0", "--anonymous-read", "--root", dir.url.path, "--sd", dir.path("missing.img")], "--sd"),
                (["serve", "--ftp", "0", "--anonymous-read", "--root", dir.url.path, "--sd", dir.url.path], "--sd"),
                (["serve", "--ftp", "0", "--root", dir.url.path, "--user", "u", "--password-file", dir.path("missing")], "--password-file"),
            ]
            for (arguments, option) in runs {
                let r = tapwalker(arguments, timeout: 60)
                #expect(r.exitCode == 2, "\(arguments): \(r.stderr)")
                #expect(r.stderr.contains(option), "\(arguments): \(r.stderr)")
                #expect(!r.stderr.contains("listening:"), "\(arguments)")
            }
            #expect(fileBytes(card) == [UInt8](repeating: 0, count: 1000))
        }
    }
}
