import Foundation
import Testing

// The board policy through FTP, and the FTP server agreeing with the command line: the same job
// gives the same result, wording and reload behaviour. Uploads go through Python's ftplib.

extension FTPFixture {
    /// The cable of the server's board, for the command line once the server has stopped.
    var cable: String { "sim:flash-image=\(dir.path("flash.img"))" }

    /// Runs `commands` (each `STOR name path` or `SITE text`) in one session; returns one reply line
    /// per command ("226 …", "550 …").
    func session(_ commands: [String]) -> [String] {
        var script = """
            import ftplib
            ftp = ftplib.FTP()
            ftp.connect('127.0.0.1', \(port), timeout=120)
            ftp.login('ulx3s', '\(password)')
            def run(kind, a, b=None):
                try:
                    if kind == 'STOR':
                        with open(b, 'rb') as f:
                            r = ftp.storbinary('STOR ' + a, f)
                    else:
                        r = ftp.sendcmd('SITE ' + a)
                except ftplib.all_errors as e:
                    r = str(e)
                print(r.replace('\\r', ' ').replace('\\n', ' | '))

            """
        for c in commands {
            let words = c.split(separator: " ", maxSplits: 2).map(String.init)
            script += words[0] == "STOR" ? "run('STOR', '\(words[1])', '\(words[2])')\n" : "run('SITE', '\(words.dropFirst().joined(separator: " "))')\n"
        }
        script += "ftp.quit()\n"
        let r = runPython(script)
        #expect(r.status == 0, "\(r.output)")
        return r.output.split(separator: "\n").map(String.init)
    }

    /// The whole flash image as the server saved it when it stopped.
    var flashImage: [UInt8] {
        server.stop()
        return [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: dir.path("flash.img")))) ?? Data())
    }
}

private let blink = Examples.path("blink-85f.bit")

@Suite("board policy through FTP", .serialized)
struct FTPPolicyTests {
    @Test("refused uploads to flash@ keep the design running and the flash unchanged; FLASHINFO, PROTECT and UNPROTECT keep it too",
          .enabled(if: python != nil, "python3 is not installed"))
    func refusedUploadsKeepTheDesign() throws {
        try withTempDir { dir in
            let s = FTPFixture(dir)
            let truncated = dir.write("half.bit", Array(exampleBytes("blink-85f.bit").prefix(300_000)))
            let noise = dir.write("noise.bin", deterministicNoise(count: 5000))
            let big = dir.write("big.bin", deterministicNoise(count: 20_000))
            let gzip = runRaw("/bin/sh", ["-c", "gzip -c \"$0\" > \"$1\"", Examples.path("blink-85f.svf"), dir.path("design.bit.gz")])
            #expect(gzip.exitCode == 0, "gzip: \(gzip.stderr)")
            let svf = dir.path("design.bit.gz")
            let replies = s.session([
                "STOR flash@0 \(blink)", "SITE STATUS",
                "STOR flash@0 \(Examples.path("blink-25f.bit"))", "SITE STATUS",
                "STOR flash@0 \(truncated)", "SITE STATUS",
                "STOR flash@0 \(noise)", "SITE STATUS",
                "STOR flash@0xFFC000 \(big)", "SITE STATUS",
                "SITE FLASHINFO", "SITE STATUS",
                "SITE PROTECT 0x1000:0x3000", "SITE STATUS",
                "SITE PROTECT 0xF00000:0x1000000", "SITE STATUS",
                "STOR flash@0xF80000 \(noise)", "SITE STATUS",
                "SITE UNPROTECT", "SITE STATUS",
                "STOR fpga \(svf)", "SITE STATUS",
            ])
            #expect(replies.count == 22, "\(replies)")
            guard replies.count == 22 else { return }
            // An SVF (gzipped, named as a bitstream) is recognised by the board service by content.
            #expect(replies[20].hasPrefix("550") && replies[20].contains("is an SVF file") && replies[20].contains("Nothing was written"), "\(replies[20])")
            #expect(replies[12].hasPrefix("501") && replies[12].contains("cannot protect exactly"), "\(replies[12])")
            #expect(replies[14].hasPrefix("250") && replies[14].contains("protected 0xf00000:0x1000000") && replies[14].contains("FPGA reloaded from flash: DONE"), "\(replies[14])")
            #expect(replies[16].hasPrefix("550") && replies[16].contains("protected range"), "\(replies[16])")
            // The remedy in FTP's terms, never the command line's.
            #expect(replies[16].contains("SITE UNPROTECT removes the protection") && !replies[16].contains("tapwalker"), "\(replies[16])")
            #expect(replies[18].hasPrefix("250") && replies[18].contains("nothing is protected now"), "\(replies[18])")
            #expect(replies[0].hasPrefix("226") && replies[0].contains("FPGA reloaded from flash: DONE"), "\(replies[0])")
            for i in [2, 4, 6, 8] {
                #expect(replies[i].hasPrefix("550"), "\(replies[i])")
                #expect(replies[i].contains("nothing was written"), "\(replies[i])")
                #expect(!replies[i].contains("--force"), "FTP gives no command-line advice: \(replies[i])")
            }
            #expect(replies[10].contains("FPGA reloaded from flash: DONE"), "\(replies[10])")
            for i in [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21] {
                #expect(replies[i].contains("DONE") && !replies[i].contains("not DONE"), "the design stopped: \(replies[i])")
            }
            let image = s.flashImage
            let holds = image.count > 0 && Array(image.prefix(exampleBytes("blink-85f.bit").count)) == exampleBytes("blink-85f.bit")
            #expect(holds, "the boot image is still the one written first")
        }
    }

    @Test("a flash@ upload past the end reports the exact range written; sd@ of 1024 bytes at the last block tears nothing and does not claim success",
          .enabled(if: python != nil, "python3 is not installed"))
    func pastTheEnd() throws {
        try withTempDir { dir in
            let s = FTPFixture(dir)
            let long = dir.write("long.bin", deterministicNoise(count: 0x20000))
            let two = deterministicNoise(count: 1024, seed: 99)
            let twoBlocks = dir.write("two.bin", two)
            let replies = s.session(["STOR flash@0xFF0000 \(long)", "STOR sd@-512 \(twoBlocks)"])
            #expect(replies.count == 2, "\(replies)")
            guard replies.count == 2 else { return }
            #expect(replies[0].hasPrefix("550") && replies[0].contains("0xff0000-0xffffff were written and verified"), "\(replies[0])")
            #expect(replies[1].hasPrefix("550") && !replies[1].hasPrefix("226"), "\(replies[1])")
            let size = FTPFixture.cardSize
            // FTP replies are ASCII: the en dash of the shared message is a hyphen.
            #expect(replies[1].contains("bytes \(size - 512)-\(size - 1)"), "\(replies[1])")
            let card = s.card
            #expect(card.count == size)
            guard card.count == size else { return }
            let lastBlock = Array(card[(size - 512)...]) == Array(two.prefix(512))
            #expect(lastBlock, "the last block holds the first 512 bytes, whole")
            #expect(card[..<(size - 512)].allSatisfy { $0 == 0xEE }, "nothing else changed")
            let image = s.flashImage
            let written = image.count == 16 << 20 && Array(image[0xFF0000...]) == Array(deterministicNoise(count: 0x20000).prefix(0x10000))
            #expect(written, "the flash holds what the reply says")
        }
    }

    @Test("the CLI and FTP agree: the same refusal in the same words, the same write summary and the same reload",
          .enabled(if: python != nil, "python3 is not installed"))
    func cliAndFTPAgree() throws {
        try withTempDir { dir in
            let s = FTPFixture(dir)
            let wrong = Examples.path("blink-25f.bit")
            let data = dir.write("data.bin", deterministicNoise(count: 40_000))
            let prefix = dir.write("p.bit", Array(exampleBytes("blink-85f.bit").prefix(1000)))
            var replies = s.session(["STOR flash@0 \(blink)", "STOR flash@0 \(wrong)", "STOR flash@0x200000 \(data)", "STOR fpga \(prefix)"])
            #expect(replies.count == 4, "\(replies)")
            guard replies.count == 4 else { return }
            replies.removeFirst()
            s.server.stop()
            let cli = tapwalker("flash", "write", wrong, "--json", "--cable", s.cable)
            let cliWrite = tapwalker("flash", "write", data, "--addr", "0x200000", "--cable", s.cable)
            let cliProg = tapwalker("prog", prefix, "--json", "--cable", s.cable)
            // The refusal: the same sentence after the input's name, without the CLI's flag advice.
            func core(_ text: String) -> String {
                guard let start = text.range(of: " is a bitstream for"), let end = text.range(of: "would not boot it") else { return "" }
                return String(text[start.lowerBound..<end.upperBound])
            }
            let cliError = cli.json()?.string("error") ?? ""
            #expect(!core(cliError).isEmpty && core(cliError) == core(replies[0]), "CLI: \(cliError)\nFTP: \(replies[0])")
            #expect(cliError.contains("--force") && !replies[0].contains("--force"))
            // The write: the same sectors (the second run finds them written) and both reload to DONE.
            #expect(replies[1].hasPrefix("226") && replies[1].contains("10 sectors: 0 unchanged, 10 written, 0 erased, verified; FPGA reloaded from flash: DONE"), "\(replies[1])")
            #expect(cliWrite.exitCode == 0 && cliWrite.stdout.contains("sectors:  10 total: 10 unchanged"), "\(cliWrite.stdout)")
            #expect(cliWrite.stdout.contains("FPGA reloaded from flash: DONE"))
            // The SRAM refusal: the same words, the SRAM untouched on both.
            let progError = cliProg.json()?.string("error") ?? ""
            let tail = progError.range(of: " is not a complete").map { String(progError[$0.lowerBound...]) } ?? "?"
            #expect(replies[2].hasPrefix("550") && replies[2].contains(tail), "CLI: \(progError)\nFTP: \(replies[2])")
            #expect(cliProg.json()?.bool("sram_touched") == false)
        }
    }
}
