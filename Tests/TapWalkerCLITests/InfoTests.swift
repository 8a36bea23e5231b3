import Foundation
import Testing

@Suite("tapwalker info")
struct InfoTests {
    @Test("info reads every example bitstream as the manifest describes it")
    func everyExampleAgreesWithTheManifest() throws {
        let rows = ManifestRow.all()
        #expect(rows.count == 16, "Examples/manifest.tsv should list 16 bitstreams")
        for row in rows {
            let run = tapwalker("info", row.path, "--json")
            #expect(run.exitCode == 0, "\(row): \(run.stderr)")
            guard let json = run.json() else { continue }
            #expect(json.bool("ok") == true, "\(row)")
            #expect(json.isNull("problem"), "\(row)")
            #expect(json.string("part") == row.part, "\(row)")
            #expect(json.hex("idcode") == row.idcode, "\(row)")
            #expect(json.bool("compressed") == row.compressed, "\(row)")
            #expect(json.hex("usercode") == row.usercode, "\(row)")
            #expect(json.int("ebr_writes") == row.ebrWrites, "\(row)")
            #expect(json.int("bytes") == row.bytes, "\(row)")
            #expect(json.int("frames") != nil && json.int("frames") == json.int("frames_expected"), "\(row)")
            #expect(json.bool("program_done") == true, "\(row)")
            // ecppack's only header string: "Part: LFE5U-85F-6CABGA381".
            let part = json.object("header")?.string("Part")
            #expect(part?.hasPrefix(row.part) == true, "\(row): header Part is \(part ?? "missing")")
        }
    }

    @Test("text output of a valid bitstream names the part and says valid")
    func textOutputOfValidBitstream() {
        let run = tapwalker("info", Examples.path("ram-45f-compressed.bit"))
        #expect(run.exitCode == 0)
        #expect(run.stdout.contains("LFE5U-45F"))
        #expect(run.stdout.contains("0x41112043"))
        #expect(run.stdout.contains("verdict:     valid"))
    }

    @Test(
        "one flipped bit in frame data is a CRC error in the frame it lands in (frames go highest first)",
        arguments: [100, 9000])
    func flippedBitIsCRCErrorInThatFrame(sentFrame k: Int) throws {
        let damaged = try #require(Blink85F.flippingOneBit(inSentFrame: k))
        try withTempDir { dir in
            let path = dir.write("flipped.bit", damaged.bytes)

            let run = tapwalker("info", path, "--json")
            #expect(run.exitCode == 1)
            let json = try #require(run.json())
            #expect(json.bool("ok") == false)
            let problem = try #require(json.object("problem"))
            #expect(problem.string("bse") == "CRC")
            #expect(problem.int("frame") == damaged.frame)
            #expect(json.int("frames") == k, "the frames before the damaged one were all good")

            let text = tapwalker("info", path)
            #expect(text.exitCode == 1)
            #expect(text.stderr.contains("(frame \(damaged.frame))"), "stderr: \(text.stderr)")
            #expect(text.stderr.contains("CRC"))
            #expect(text.stdout.contains("INVALID"))
        }
    }

    @Test("a bitstream without its comment header is valid, with an empty header")
    func headerStrippedIsValid() throws {
        try withTempDir { dir in
            let bytes = Blink85F.withoutHeader
            #expect(bytes.starts(with: BitstreamLayout.preamble))
            let path = dir.write("no-header.bit", bytes)

            let run = tapwalker("info", path, "--json")
            #expect(run.exitCode == 0)
            let json = try #require(run.json())
            #expect(json.bool("ok") == true)
            #expect(json.object("header")?.fields.isEmpty == true)
            #expect(json.string("part") == "LFE5U-85F")

            let text = tapwalker("info", path)
            #expect(text.exitCode == 0)
            #expect(text.stdout.contains("none (stripped)"))
        }
    }

    @Test("a truncated bitstream is invalid (exit 1) and info says it is truncated")
    func truncatedIsInvalid() throws {
        try withTempDir { dir in
            let path = dir.write("half.bit", Blink85F.firstHalf)
            let run = tapwalker("info", path, "--json")
            #expect(run.exitCode == 1)
            let json = try #require(run.json())
            #expect(json.bool("ok") == false)
            let message = try #require(json.object("problem")?.string("message"))
            #expect(message.contains("truncated"))
            #expect(json.bool("program_done") == false)
        }
    }

    @Test("input that is not a bitstream is unreadable input (exit 2) with a clear message", arguments: UnreadableInput.allCases)
    func unreadableInput(input: UnreadableInput) throws {
        try withTempDir { dir in
            let path = input.make(in: dir)

            let text = tapwalker("info", path)
            #expect(text.exitCode == 2)
            #expect(text.stderr.contains(input.message), "stderr: \(text.stderr)")
            #expect(text.stderr.contains(path))
            #expect(!text.stderr.contains("Fatal error"))

            let run = tapwalker("info", path, "--json")
            #expect(run.exitCode == 2)
            let json = try #require(run.json())
            #expect(json.bool("ok") == false)
            #expect(json.string("error")?.contains(input.message) == true, "error: \(json.string("error") ?? "none")")
        }
    }

    @Test("info - reads the bitstream from standard input")
    func standardInput() throws {
        let bytes = Data(exampleBytes("ram-12f.bit"))
        let run = tapwalker("info", "-", "--json", stdin: bytes)
        #expect(run.exitCode == 0)
        let json = try #require(run.json())
        #expect(json.string("part") == "LFE5U-12F")
        #expect(json.int("bytes") == bytes.count)
        #expect(json.hex("usercode") == 0x5241_4D21)

        let text = tapwalker("info", "-", stdin: bytes)
        #expect(text.exitCode == 0)
        #expect(text.stdout.contains("verdict:     valid"))
    }

    @Test("info --help says what info does")
    func help() {
        let run = tapwalker("info", "--help")
        #expect(run.exitCode == 0)
        #expect(run.stdout.contains("Check a bitstream"))
        #expect(run.stdout.contains("standard input"))
    }
}
