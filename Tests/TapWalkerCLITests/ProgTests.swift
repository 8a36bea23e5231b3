import Foundation
import Testing

@Suite("tapwalker prog")
struct ProgTests {
    @Test("every example bitstream programs its own simulated part to DONE")
    func everyExampleProgramsItsPart() throws {
        let rows = ManifestRow.all()
        #expect(rows.count == 16, "Examples/manifest.tsv should list 16 bitstreams")
        for row in rows {
            let run = tapwalker("prog", row.path, "--json", "--cable", "sim:part=\(row.part)")
            #expect(run.exitCode == 0, "\(row): \(run.stdout)")
            guard let json = run.json() else { continue }
            #expect(json.bool("ok") == true, "\(row)")
            #expect(json.string("part") == row.part, "\(row)")
            #expect(json.bool("done") == true, "\(row)")
            #expect(json.isNull("bse"), "\(row)")
            #expect(json.bool("sram_touched") == true, "\(row)")
            // The job's own duration, which the SRAM benchmark divides by.
            #expect(((json.fields["seconds"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(row): seconds")
            // The whole file, header included, is shifted after LSC_BITSTREAM_BURST.
            let bytes = try #require(json.int("bytes"), "\(row)")
            #expect(bytes == row.bytes, "\(row)")
            let status = try #require(json.hex("status"), "\(row)")
            #expect(status & 0x100 != 0, "\(row): DONE (bit 8) not set in \(json.string("status") ?? "")")
            // Eight TCK cycles a byte for the data alone, plus the instructions around it.
            #expect((json.int("tck_cycles") ?? 0) > 8 * bytes, "\(row)")
            // The USERCODE read after the burst is the one the bitstream programmed (Diamond checks it).
            #expect(json.hex("usercode") == row.usercode, "\(row): usercode \(json.string("usercode") ?? "missing")")
        }
    }

    @Test("a bitstream for an 85F is refused by a 45F before anything is erased")
    func wrongPartIsRefusedBeforeErase() throws {
        let run = tapwalker("prog", Examples.path("blink-85f.bit"), "--cable", "sim:part=45f", "--json")
        #expect(run.exitCode == 1)
        let json = try #require(run.json())
        #expect(json.bool("ok") == false)
        let error = try #require(json.string("error"))
        #expect(error.contains("LFE5U-85F"))
        #expect(error.contains("LFE5U-45F"))
        #expect(error.contains("nothing was written"))
        #expect(json.bool("sram_touched") == false)
        #expect(json.int("bytes") == 0)
        // Still the power-up state: an erase would have cleared the blank-flash BSE.
        #expect(json.string("bse") == "PRMB")
    }

    @Test("with --force the 45F is sent the 85F bitstream and refuses it with an ID error")
    func forcedWrongPartIsRefusedByTheDevice() throws {
        let run = tapwalker("prog", Examples.path("blink-85f.bit"), "--cable", "sim:part=45f", "--json", "--force")
        #expect(run.exitCode == 1)
        let json = try #require(run.json())
        #expect(json.bool("ok") == false)
        #expect(json.string("bse") == "ID")
        #expect(json.bool("done") == false)
        #expect(json.bool("sram_touched") == true)
    }

    @Test("a bitstream with one flipped bit in frame data is refused before the erase, naming the frame")
    func flippedBitIsRefusedBeforeErase() throws {
        let damaged = try #require(Blink85F.flippingOneBit(inSentFrame: 100))
        try withTempDir { dir in
            let path = dir.write("flipped.bit", damaged.bytes)
            let run = tapwalker("prog", path, "--json", "--cable", "sim:part=85f")
            #expect(run.exitCode == 1)
            let json = try #require(run.json())
            #expect(json.bool("ok") == false)
            #expect(json.bool("sram_touched") == false)
            #expect(json.string("bse") == "PRMB", "the power-up status is unchanged: no erase")
            #expect(json.string("error")?.contains("frame \(damaged.frame)") == true, "error: \(json.string("error") ?? "none")")
            #expect(json.string("error")?.contains("nothing was written") == true)
        }
    }

    @Test("a bitstream without its comment header programs to DONE")
    func headerStrippedPrograms() throws {
        try withTempDir { dir in
            let bytes = Blink85F.withoutHeader
            let path = dir.write("no-header.bit", bytes)
            let run = tapwalker("prog", path, "--json", "--cable", "sim:part=85f")
            #expect(run.exitCode == 0)
            let json = try #require(run.json())
            #expect(json.bool("done") == true)
            #expect(json.int("bytes") == bytes.count)
        }
    }

    @Test("a truncated bitstream does not reach DONE (exit 1)")
    func truncatedDoesNotReachDone() throws {
        try withTempDir { dir in
            let path = dir.write("half.bit", Blink85F.firstHalf)
            let run = tapwalker("prog", path, "--json", "--cable", "sim:part=85f")
            #expect(run.exitCode == 1)
            let json = try #require(run.json())
            #expect(json.bool("ok") == false)
            #expect(json.bool("done") == false)
            #expect(json.string("error")?.contains("truncated") == true, "error: \(json.string("error") ?? "none")")
        }
    }

    @Test("input that is not a bitstream is refused (exit 2) and the SRAM is never erased", arguments: UnreadableInput.allCases)
    func unreadableInputLeavesTheSRAMAlone(input: UnreadableInput) throws {
        try withTempDir { dir in
            let path = input.make(in: dir)

            let text = tapwalker("prog", path, "--cable", "sim")
            #expect(text.exitCode == 2)
            #expect(text.stderr.contains(input.message), "stderr: \(text.stderr)")
            #expect(!text.stderr.contains("Fatal error"))
            #expect(!text.stdout.contains("DONE"))

            let run = tapwalker("prog", path, "--json", "--cable", "sim")
            #expect(run.exitCode == 2)
            let json = try #require(run.json())
            #expect(json.bool("ok") == false)
            #expect(json.string("error")?.contains(input.message) == true, "error: \(json.string("error") ?? "none")")
            #expect(json.bool("sram_touched") == false)
            if input.reachesTheBoard {
                #expect(json.int("bytes") == 0)
                #expect(json.string("bse") == "PRMB", "the power-up status is unchanged: no erase")
            }
        }
    }

    @Test("prog - programs the bitstream given on standard input")
    func standardInput() throws {
        let bytes = Data(exampleBytes("blink-85f-compressed.bit"))
        let run = tapwalker("prog", "-", "--json", "--cable", "sim:part=85f", stdin: bytes)
        #expect(run.exitCode == 0, "\(run.stdout)")
        let json = try #require(run.json())
        #expect(json.bool("done") == true)
        #expect(json.int("bytes") == bytes.count)
    }

    @Test("without a terminal, progress is plain lines on stderr and the result is on stdout")
    func plainProgressLinesWhenNotATerminal() {
        let run = tapwalker("prog", Examples.path("ram-12f.bit"), "--cable", "sim:part=12f")
        #expect(run.exitCode == 0)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("programming:") }.count >= 2, "stderr: \(run.stderr)")
        #expect(lines.contains { $0.hasPrefix("programming:") && $0.contains("100%") })
        #expect(!run.stderr.contains("\r"), "a bar is drawn only on a terminal")
        #expect(!run.stdout.contains("programming"))
        #expect(run.stdout.split(separator: "\n").contains { $0.hasPrefix("DONE") && $0.contains("LFE5U-12F") })
    }

    @Test("--quiet prints no progress")
    func quietHasNoProgress() {
        let run = tapwalker("prog", Examples.path("ram-12f-compressed.bit"), "--cable", "sim:part=12f", "--quiet")
        #expect(run.exitCode == 0)
        #expect(!run.stderr.contains("programming"))
        #expect(run.stdout.contains("DONE"))
    }

    @Test("with --json, stdout is exactly one JSON object and there is no progress")
    func jsonIsOneObject() throws {
        let run = tapwalker("prog", Examples.path("ram-12f.bit"), "--cable", "sim:part=12f", "--json")
        #expect(run.exitCode == 0)
        #expect(run.stdout.hasSuffix("}\n"))
        #expect(run.stdout.filter { $0 == "\n" }.count == 1, "stdout: \(run.stdout)")
        let json = try #require(run.json())
        #expect(json.bool("ok") == true)
        #expect(!run.stdout.contains("programming"))
        #expect(!run.stderr.contains("programming"))
    }

    @Test("prog --help says what prog does")
    func help() {
        let run = tapwalker("prog", "--help")
        #expect(run.exitCode == 0)
        #expect(run.stdout.contains("configuration SRAM"))
        #expect(run.stdout.contains("--force"))
        #expect(run.stdout.contains("--json"))
    }
}
