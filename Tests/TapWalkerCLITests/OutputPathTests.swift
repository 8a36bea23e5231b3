import Foundation
import Testing

// File names as bytes, `flash read -o -`, and output files that are complete or absent.

@Suite("paths: non-UTF-8 names, -o -, no partial outputs")
struct OutputPathTests {
    @Test("a file name that is not valid UTF-8 programs, and such a flash image and output work")
    func nonUTF8Names() throws {
        try withTempDir { dir in
            // \377 and \351 are not UTF-8 on their own (Latin-1 ÿ and é).
            let r = tapwalkerInShell("""
                cd "$2" || exit 90
                cp "$1" "$(printf 'bl\\351nk-\\377.bit')" || exit 91
                exec "$0" prog --json "$(printf 'bl\\351nk-\\377.bit')" --cable sim:part=25f
                """, Examples.path("blink-25f.bit"), dir.url.path)
            #expect(r.exitCode == 0, "\(r.stderr)")
            let text = String(decoding: r.stdout, as: UTF8.self)
            #expect(text.contains("\"done\":true"), "\(text)")

            // The flash image and the -o output named in bytes: written, read back, verified.
            let image = "$(printf 'fl\\377sh.bin')", out = "$(printf '\\351out.bin')"
            let w = tapwalkerInShell("""
                cd "$2" || exit 90
                "$0" flash write -q "$(printf 'bl\\351nk-\\377.bit')" --cable "sim:part=25f,flash-image=\(image)" || exit 1
                exec "$0" flash read -q --length "$3" -o "\(out)" --cable "sim:part=25f,flash-image=\(image)"
                """, Examples.path("blink-25f.bit"), dir.url.path, String(exampleBytes("blink-25f.bit").count))
            #expect(w.exitCode == 0, "\(w.stderr)")
            let names = directoryEntries(dir.url.path)
            #expect(names.contains(Array("fl".utf8) + [0xFF] + Array("sh.bin".utf8)), "\(names)")
            let readBack = contents(ofPathBytes: Array(dir.url.path.utf8) + [UInt8(ascii: "/"), 0xE9] + Array("out.bin".utf8))
            #expect(readBack == exampleBytes("blink-25f.bit"))
        }
    }

    @Test("flash read -o - writes exactly the flash's bytes to standard output")
    func readToStandardOutput() throws {
        try withTempDir { dir in
            let cable = "sim:part=25f,flash-image=\(dir.path("flash.bin"))"
            let bit = exampleBytes("blink-25f.bit")
            #expect(tapwalker("flash", "write", "-q", Examples.path("blink-25f.bit"), "--addr", "0x10000", "--cable", cable).exitCode == 0)
            let length = bit.count + 0x10000 + 5000
            let r = runRaw(Paths.binary ?? "/nonexistent", ["flash", "read", "--addr", "0", "--length", String(length), "-o", "-", "--cable", cable])
            #expect(r.exitCode == 0, "\(r.stderr)")
            let flash = try #require(fileBytes(dir.path("flash.bin")))
            #expect([UInt8](r.stdout) == Array(flash[0..<length]), "stdout holds the flash's bytes, nothing else")
            #expect(Array([UInt8](r.stdout)[0x10000..<(0x10000 + bit.count)]) == bit)
            #expect(r.stderr.contains("read \(length) bytes"), "the summary goes to stderr: \(r.stderr)")
        }
    }

    @Test("a failed write of the output leaves no partial file and keeps the old one")
    func failedOutputLeavesNothing() throws {
        try withTempDir { dir in
            let cable = "sim:part=25f,flash-image=\(dir.path("flash.bin"))"
            #expect(tapwalker("flash", "write", "-q", Examples.path("blink-25f.bit"), "--cable", cable).exitCode == 0)
            let old = deterministicNoise(count: 3000)
            dir.write("out.bin", old)
            let before = directoryEntries(dir.url.path)
            // A file size limit of 16 blocks makes writing 1 MB fail (EFBIG; SIGXFSZ ignored).
            let r = tapwalkerInShell("""
                trap '' XFSZ
                ulimit -f 16 || exit 90
                exec "$0" flash read --length 1M -o "$1" --cable "$2"
                """, dir.path("out.bin"), cable)
            #expect(r.exitCode == 2, "\(r.stderr)")
            #expect(r.stderr.contains("out.bin"), "\(r.stderr)")
            #expect(directoryEntries(dir.url.path) == before, "no temporary or .partial file is left: \(directoryEntries(dir.url.path).map { String(decoding: $0, as: UTF8.self) })")
            #expect(fileBytes(dir.path("out.bin")) == old, "the old file is intact")
        }
    }

    @Test("a bad -o is refused before the job: the running design keeps running, nothing is created")
    func badOutputNeverTouchesTheBoard() throws {
        try withTempDir { dir in
            let sim = ServerProcess(["sim", "--xvc", "0", "--part", "25f"])
            let cable = "xvc://127.0.0.1:\(sim.port("xvc"))"
            #expect(tapwalker("prog", "-q", Examples.path("blink-25f.bit"), "--cable", cable).exitCode == 0)
            sim.waitForLog("disconnected")
            let connections = sim.log.components(separatedBy: "connected").count
            for output in [dir.path("missing/out.bin"), dir.url.path] {
                let r = tapwalker("flash", "read", "--json", "-o", output, "--cable", cable)
                #expect(r.exitCode == 2, "\(output): \(r.stdout)")
                #expect(r.json()?.string("error")?.contains("-o") == true)
            }
            #expect(sim.log.components(separatedBy: "connected").count == connections, "the board was not even connected to")
            let detect = tapwalker("detect", "--json", "--cable", cable)
            #expect(detect.json()?.bool("done") == true, "the design still runs")
            #expect(directoryEntries(dir.url.path).isEmpty, "no .partial beside the directory or in it")
            #expect(!FileManager.default.fileExists(atPath: dir.url.path + ".partial"))
            #expect(sim.stop() == 0)
        }
    }

    @Test("a named pipe is read once: a bitstream through it programs, an SVF through it is refused")
    func pipesAreReadOnce() throws {
        try withTempDir { dir in
            for (input, expected) in [(Examples.path("blink-25f.bit"), Int32(0)), (Examples.path("blink-25f.svf"), Int32(2))] {
                let r = tapwalkerInShell("""
                    cd "$2" && rm -f pipe && mkfifo pipe || exit 90
                    cat "$1" > pipe 2>/dev/null &
                    writer=$!
                    "$0" prog --json pipe --cable sim:part=25f
                    code=$?
                    # The writer is left blocked once an SVF is refused after its first bytes: end
                    # it, so that it holds none of the test's pipes open.
                    kill "$writer" 2>/dev/null
                    exit "$code"
                    """, input, dir.url.path)
                #expect(r.exitCode == expected, "\(input): \(r.stderr)")
                let text = String(decoding: r.stdout, as: UTF8.self)
                #expect(text.contains(expected == 0 ? "\"done\":true" : "SVF"), "\(input): \(text)")
            }
        }
    }

    @Test("SVF is refused by name and by content, with exit 2, before the board is touched")
    func svfRefused() throws {
        try withTempDir { dir in
            let sim = ServerProcess(["sim", "--xvc", "0", "--part", "25f"])
            let cable = "xvc://127.0.0.1:\(sim.port("xvc"))"
            #expect(tapwalker("prog", "-q", Examples.path("blink-25f.bit"), "--cable", cable).exitCode == 0)
            sim.waitForLog("disconnected")
            let connections = sim.log.components(separatedBy: "connected").count
            let svf = exampleBytes("blink-25f.svf")
            let disguised = dir.write("design.bit", svf)
            let gzip = runRaw("/bin/sh", ["-c", "gzip -c \"$0\" > \"$1\"", Examples.path("blink-25f.svf"), dir.path("design.gz")])
            #expect(gzip.exitCode == 0, "gzip: \(gzip.stderr)")
            let runs: [[String]] = [
                ["prog", Examples.path("blink-25f.svf")], ["prog", disguised], ["prog", dir.path("design.gz")],
                ["flash", "write", Examples.path("blink-25f.svf")], ["flash", "write", disguised],
                ["flash", "verify", disguised], ["info", disguised],
            ]
            for arguments in runs {
                let r = tapwalker(arguments + ["--cable", cable].filter { _ in arguments[0] != "info" })
                #expect(r.exitCode == 2, "\(arguments): \(r.stderr)")
                #expect(r.stderr.contains("SVF") && r.stderr.contains("tapwalker svf"), "\(arguments): \(r.stderr)")
            }
            // Standard input is recognised by content too.
            let piped = tapwalker(["prog", "-", "--cable", cable], stdin: Data(svf))
            #expect(piped.exitCode == 2 && piped.stderr.contains("SVF"), "\(piped.stderr)")
            // Gzipped on standard input: recognised from its first bytes inflated, before the cable.
            let gzipped = try Data(contentsOf: URL(fileURLWithPath: dir.path("design.gz")))
            let pipedGzip = tapwalker(["prog", "-", "--cable", cable], stdin: gzipped)
            #expect(pipedGzip.exitCode == 2 && pipedGzip.stderr.contains("SVF"), "\(pipedGzip.stderr)")
            #expect(sim.log.components(separatedBy: "connected").count == connections, "no refused job reached the board")
            let detect = tapwalker("detect", "--json", "--cable", cable)
            #expect(detect.json()?.bool("done") == true, "the SRAM still holds the design")
            #expect(sim.stop() == 0)
        }
    }
}
