import Foundation
import Testing

/// `tapwalker flash …` end to end: one simulated flash kept in a file between commands, as a user
/// keeps one board between commands.
@Suite("tapwalker flash")
struct FlashTests {
    private func cable(_ dir: TempDir, part: String = "25f", chip: String = "w25q128jv") -> String {
        "sim:part=\(part),flash=\(chip),flash-image=\(dir.path("flash.bin"))"
    }

    @Test("an address past 4 GB is refused and shown with all its digits, never cut to 32 bits")
    func addressPastFourGigabytes() throws {
        try withTempDir { dir in
            let write = tapwalker("flash", "write", Examples.path("blink-25f.bit"), "--addr", "0x100200000", "--cable", cable(dir))
            #expect(write.exitCode == 2 && write.stderr.contains("at 0x100200000 ends at 0x10028e2e1, past the end"), "\(write.stderr)")
            let read = tapwalker("flash", "read", "--output", dir.path("x.bin"), "--addr", "0x100200000", "--length", "16", "--cable", cable(dir))
            #expect(read.exitCode == 2 && read.stderr.contains("at 0x100200000 does not fit"), "\(read.stderr)")
        }
    }

    @Test("write, reload, read back and verify: the FPGA boots the design from flash")
    func writeReadVerify() throws {
        try withTempDir { dir in
            let bit = Examples.path("blink-25f.bit")
            let write = tapwalker("flash", "write", bit, "--json", "--cable", cable(dir))
            #expect(write.exitCode == 0, "\(write.stdout)\(write.stderr)")
            let w = try #require(write.json())
            #expect(w.bool("done") == true, "reloaded from flash")
            #expect(w.bool("verified") == true)
            for key in ["ok", "error", "addr", "bytes", "sectors", "erase_ops", "verified", "done", "tck_cycles", "sim_time_us"] {
                #expect(w.has(key), "flash write --json lacks \(key)")
            }
            #expect(w.int("bytes") == exampleBytes("blink-25f.bit").count)
            let sectors = try #require(w.object("sectors"))
            #expect(sectors.int("total") == (exampleBytes("blink-25f.bit").count + 4095) / 4096)

            let out = dir.path("back.bin")
            let read = tapwalker("flash", "read", "--addr", "0", "--length", String(exampleBytes("blink-25f.bit").count),
                                 "-o", out, "--cable", cable(dir))
            #expect(read.exitCode == 0, "\(read.stderr)")
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: out))) == exampleBytes("blink-25f.bit"))

            let verify = tapwalker("flash", "verify", bit, "--json", "--cable", cable(dir))
            #expect(verify.exitCode == 0)
            #expect(verify.json()?.bool("verified") == true)
            let other = tapwalker("flash", "verify", Examples.path("ram-25f.bit"), "--json", "--cable", cable(dir))
            #expect(other.exitCode == 1)
            #expect(other.json()?.string("error")?.contains("differs") == true)
        }
    }

    @Test("a second identical write changes nothing")
    func rewriteIsFree() throws {
        try withTempDir { dir in
            let bit = Examples.path("ram-25f-compressed.bit")
            #expect(tapwalker("flash", "write", bit, "--addr", "0x200000", "--no-reload", "--cable", cable(dir)).exitCode == 0)
            let again = tapwalker("flash", "write", bit, "--addr", "0x200000", "--json", "--no-reload", "--cable", cable(dir))
            let j = try #require(again.json())
            let s = try #require(j.object("sectors")), e = try #require(j.object("erase_ops"))
            #expect(s.int("unchanged") == s.int("total"))
            #expect(s.int("programmed") == 0 && s.int("erased") == 0)
            #expect(e.int("4k") == 0 && e.int("32k") == 0 && e.int("64k") == 0)
            #expect(j.bool("done") == false, "--no-reload leaves the FPGA unconfigured")
        }
    }

    @Test("protect refuses overlapping writes; unprotect lifts it")
    func protectUnprotect() throws {
        try withTempDir { dir in
            #expect(tapwalker("flash", "protect", "--range", "0:0x200000", "--cable", cable(dir)).exitCode == 0)
            let info = tapwalker("flash", "info", "--json", "--cable", cable(dir))
            #expect(info.json()?.object("flash")?.string("protected") == "0x000000:0x200000")
            let refused = tapwalker("flash", "write", Examples.path("blink-25f.bit"), "--json", "--cable", cable(dir))
            #expect(refused.exitCode == 1)
            let error = refused.json()?.string("error") ?? ""
            #expect(error.contains("protected range 0x000000–0x1fffff") && error.contains("flash unprotect"))
            #expect(tapwalker("flash", "unprotect", "--cable", cable(dir)).exitCode == 0)
            #expect(tapwalker("flash", "info", "--json", "--cable", cable(dir)).json()?.object("flash")?.isNull("protected") == true)
        }
    }

    @Test("ISSI bottom protection needs the one-time bit, and only with the named flag")
    func issiNeedsOTPFlag() throws {
        try withTempDir { dir in
            let c = cable(dir, chip: "is25lp128")
            let refused = tapwalker("flash", "protect", "--range", "0:0x200000", "--json", "--cable", c)
            #expect(refused.exitCode == 2)
            #expect(refused.json()?.string("error")?.contains("--set-otp-bottom") == true)
            let ok = tapwalker("flash", "protect", "--range", "0:0x200000", "--set-otp-bottom", "--json", "--cable", c)
            #expect(ok.exitCode == 0, "\(ok.stdout)")
            #expect(ok.json()?.object("flash")?.string("protected") == "0x000000:0x200000")
        }
    }

    @Test("erase a range, and the whole chip")
    func erase() throws {
        try withTempDir { dir in
            #expect(tapwalker("flash", "write", Examples.path("blink-25f.bit"), "--no-reload", "--cable", cable(dir)).exitCode == 0)
            let r = tapwalker("flash", "erase", "--addr", "0", "--length", "64K", "--json", "--no-reload", "--cable", cable(dir))
            #expect(r.exitCode == 0, "\(r.stdout)")
            #expect(r.json()?.object("erase_ops")?.int("64k") == 1)
            let unaligned = tapwalker("flash", "erase", "--addr", "0x100", "--length", "4K", "--cable", cable(dir))
            #expect(unaligned.exitCode == 2)
            #expect(tapwalker("flash", "erase", "--all", "--no-reload", "--cable", cable(dir)).exitCode == 0)
            let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path("flash.bin"))))
            #expect(image.allSatisfy { $0 == 0xFF })
            // A blank flash: the reload after an erase leaves the FPGA with a preamble error.
            let reload = tapwalker("flash", "erase", "--addr", "0", "--length", "4K", "--json", "--cable", cable(dir))
            #expect(reload.exitCode == 0)
            #expect(reload.json()?.bool("done") == false)
        }
    }

    @Test("an image past the end of the flash is refused before anything is written")
    func tooLarge() throws {
        try withTempDir { dir in
            let c = cable(dir, chip: "is25lp032")
            let r = tapwalker("flash", "write", Examples.path("blink-85f.bit"), "--addr", "0x300000", "--json", "--cable", c)
            #expect(r.exitCode == 2)
            #expect(r.json()?.string("error")?.contains("past the end") == true)
            let image = (try? Data(contentsOf: URL(fileURLWithPath: dir.path("flash.bin")))).map([UInt8].init) ?? []
            #expect(image.allSatisfy { $0 == 0xFF }, "no byte of the flash changed")
        }
    }

    @Test("--keep-running on a board whose design hides the flash says why")
    func keepRunning() throws {
        try withTempDir { dir in
            #expect(tapwalker("flash", "write", Examples.path("blink-25f.bit"), "--cable", cable(dir)).exitCode == 0)
            // The board now runs the blinker, which does not enable the master SPI port.
            let r = tapwalker("flash", "info", "--keep-running", "--json", "--cable", cable(dir))
            #expect(r.exitCode == 1)
            let error = r.json()?.string("error") ?? ""
            #expect(error.contains("0xffffff") && error.contains("MASTER_SPI_PORT"))
            #expect(error.contains("leave out --keep-running"), "the command line words the remedy in its flags: \(error)")
            // Without it the SRAM is cleared first and the flash answers.
            #expect(tapwalker("flash", "info", "--cable", cable(dir)).exitCode == 0)
        }
    }

    @Test("prog --by-idcode picks the passthru file for each part")
    func progByIDCODE() throws {
        try withTempDir { dir in
            let parts = [("12f", "21111043"), ("25f", "41111043"), ("45f", "41112043"), ("85f", "41113043")]
            for (part, id) in parts where part != "45f" {
                _ = dir.write("passthru\(id).bit", exampleBytes("blink-\(part).bit"))
            }
            // The 45F's file is gzipped, as the ULX3S passthru files are distributed.
            let gz = Process()
            gz.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            gz.arguments = ["python3", "-c", "import gzip,sys; open(sys.argv[2],'wb').write(gzip.compress(open(sys.argv[1],'rb').read()))",
                            Examples.path("blink-45f.bit"), dir.path("passthru41112043.bit.gz")]
            try gz.run()
            gz.waitUntilExit()
            #expect(gz.terminationStatus == 0)
            for (part, id) in parts {
                let r = tapwalker("prog", "--by-idcode", dir.url.path, "--json", "--cable", "sim:part=\(part)")
                #expect(r.exitCode == 0, "\(part): \(r.stdout)")
                #expect(r.json()?.string("file")?.hasSuffix(part == "45f" ? "passthru\(id).bit.gz" : "passthru\(id).bit") == true)
                #expect(r.json()?.bool("done") == true)
            }
            let missing = tapwalker("prog", "--by-idcode", dir.url.path, "--cable", "sim:part=um5g-85f")
            #expect(missing.exitCode == 2)
            #expect(missing.stderr.contains("passthru81113043.bit"))
        }
    }
}
