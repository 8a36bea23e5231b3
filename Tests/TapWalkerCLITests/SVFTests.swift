import Foundation
import Testing

// `tapwalker svf`: the SVF files ecppack wrote for each part (Examples/) played to DONE on the
// simulated board, side by side with OpenOCD's own `svf` command on the same simulated board,
// malformed files refused by line before the first TCK, and a TDO mismatch reported by its line.

private let openocd = toolPath("openocd")

private func svfText(_ name: String) throws -> String {
    try String(contentsOfFile: Examples.path(name), encoding: .utf8)
}

/// The 1-based line of the first line of `text` with `prefix`, searching from the end when `last`.
private func lineNumber(_ text: String, _ prefix: String, last: Bool = false) -> Int? {
    let lines = text.components(separatedBy: "\n")
    let found = last ? lines.lastIndex { $0.hasPrefix(prefix) } : lines.firstIndex { $0.hasPrefix(prefix) }
    return found.map { $0 + 1 }
}

/// Statements that would clear a running design (ISC_ENABLE, ISC_ERASE) if they were played.
private let erasingPrefix = "SIR 8 TDI (C6);\nSDR 8 TDI (00);\nRUNTEST IDLE 2 TCK 1.00E-02 SEC;\nSIR 8 TDI (0E);\nSDR 8 TDI (01);\nRUNTEST IDLE 2 TCK 1.00E-02 SEC;\n"

@Suite("tapwalker svf", .serialized)
struct SVFCommandTests {
    @Test("ecppack's SVF for each part plays to DONE on the simulated board of that part",
          arguments: ["12f", "25f", "45f", "85f"])
    func examplesPlayToDone(part: String) throws {
        let r = tapwalker("svf", Examples.path("blink-\(part).svf"), "--json", "--cable", "sim:part=\(part)")
        #expect(r.exitCode == 0, "\(r.stderr)")
        let json = try #require(r.json())
        #expect(json.bool("ok") == true && json.bool("done") == true, "\(json.fields)")
        #expect(json.fields["bse"] is NSNull && json.fields["error"] is NSNull)
        #expect(json.string("part")?.lowercased().hasSuffix(part) == true)
        let svf = try #require(json.object("svf"))
        // IDCODE, status after erase, status before the burst ends, the final status: four checks.
        #expect(svf.int("tdo_checks") == 4)
        #expect(svf.bool("checked_before_start") == true && svf.bool("board_touched") == true)
        #expect((svf.int("tck_cycles") ?? 0) > (svf.int("bits_shifted") ?? .max))
    }

    @Test("text: the summary and the FPGA's DONE; prog given an SVF names tapwalker svf")
    func textOutput() throws {
        let r = tapwalker("svf", "-q", Examples.path("blink-25f.svf"), "--cable", "sim:part=25f")
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("played to the end: every TDO check passed"), "\(r.stdout)")
        #expect(r.stdout.contains("LFE5U-25F: DONE"), "\(r.stdout)")
        let prog = tapwalker("prog", Examples.path("blink-25f.svf"), "--cable", "sim:part=25f")
        #expect(prog.exitCode == 2 && prog.stderr.contains("tapwalker svf"), "\(prog.stderr)")
    }

    @Test("malformed SVF is refused with exit 2 and its line before the first TCK; a running design is left alone")
    func malformedRefusedBeforeStart() throws {
        try withTempDir { dir in
            let sim = ServerProcess(["sim", "--xvc", "0", "--part", "25f"])
            let cable = "xvc://127.0.0.1:\(sim.port("xvc"))"
            #expect(tapwalker("prog", "-q", Examples.path("blink-25f.bit"), "--cable", cable).exitCode == 0)
            let good = try svfText("blink-25f.svf")
            let goodLines = good.components(separatedBy: "\n").count
            let cases: [(name: String, text: String, line: Int, words: String)] = [
                ("unterminated", erasingPrefix + "SIR 8 TDI (E0);\nSDR 32 TDI (00000000)\n   TDO (41111043)\n", 8, "no ';'"),
                ("bad hex", erasingPrefix + "SIR 8 TDI (E0);\nSDR 32 TDI (0000\n  G000);\n", 9, "'G' is not a hex digit"),
                ("unknown state", erasingPrefix + "ENDDR DRWAIT;\n", 7, "unknown TAP state 'DRWAIT'"),
                ("longer than declared", erasingPrefix + "SIR 8 TDI (1E0);\n", 7, "more bits than"),
                ("top digit past the length", erasingPrefix + "SDR 6 TDI (7F);\n", 7, "more bits than the 6"),
                ("path the TAP cannot take", erasingPrefix + "STATE IDLE DRPAUSE;\n", 7, "not one TCK away"),
                ("new length without TDI", erasingPrefix + "SDR 16 TDO (0000);\n", 7, "gives no TDI"),
                ("unknown command", erasingPrefix + "SDRX 8 TDI (00);\n", 7, "unknown command 'SDRX'"),
                ("bad RUNTEST", erasingPrefix + "RUNTEST IDLE 2 TCK 1.0E-2;\n", 7, "unexpected '1.0E-2'"),
                ("the toolchain's file broken at its end", good + "\nSDR 8 TDI (0Z);\n", goodLines + 1, "'Z' is not a hex digit"),
            ]
            for c in cases {
                let file = dir.write("\(c.name).svf", Array(c.text.utf8))
                let r = tapwalker("svf", file, "--json", "--cable", cable)
                #expect(r.exitCode == 2, "\(c.name): \(r.stderr)")
                let json = try #require(r.json())
                let error = json.string("error") ?? ""
                #expect(error.contains("line \(c.line)") && error.contains(c.words), "\(c.name): \(error)")
                #expect(json.object("svf")?.bool("board_touched") == false, "\(c.name)")
                #expect(json.int("tck_cycles") == 0, "\(c.name): no TCK at all")
            }
            let after = try #require(tapwalker("detect", "--json", "--cable", cable).json())
            #expect(after.bool("done") == true, "the design is still running")
            #expect(sim.stop() == 0)
        }
    }

    @Test("a TDO mismatch stops the play with exit 1, its line and the masked expected and actual bits")
    func tdoMismatch() throws {
        try withTempDir { dir in
            let good = try svfText("blink-25f.svf")
            // The IDCODE check expects another part: the first statement that can fail does.
            let wrongPart = good.replacingOccurrences(of: "TDO  (41111043)", with: "TDO  (41113043)")
            let idLine = try #require(lineNumber(good, "SDR\t32\tTDI  (00000000)"))
            let r = tapwalker("svf", dir.write("wrong-part.svf", Array(wrongPart.utf8)), "--json", "--cable", "sim:part=25f")
            #expect(r.exitCode == 1, "\(r.stderr)")
            let json = try #require(r.json())
            let error = json.string("error") ?? ""
            #expect(error.contains("line \(idLine): TDO mismatch in SDR of 32 bits: expected 41113043, got 41111043 (MASK FFFFFFFF"), "\(error)")
            #expect(json.object("svf")?.int("line") == idLine)

            // One flipped bit in the middle of the burst: the FPGA's CRC check fails, and the
            // file's final status check (DONE set, no error) is where the play stops.
            var lines = good.components(separatedBy: "\n")
            let bursts = lines.indices.filter { lines[$0].hasPrefix("SDR\t8000\t") }
            let target = bursts[bursts.count / 2] + 3
            var chars = Array(lines[target])
            let i = try #require(chars.firstIndex { $0.isHexDigit })
            chars[i] = Character(String(Int(String(chars[i]), radix: 16)! ^ 0x4, radix: 16, uppercase: true))
            lines[target] = String(chars)
            let broken = lines.joined(separator: "\n")
            let lastCheck = try #require(lineNumber(broken, "SDR\t32", last: true))
            let bad = tapwalker("svf", dir.write("broken.svf", Array(broken.utf8)), "--json", "--cable", "sim:part=25f")
            #expect(bad.exitCode == 1, "\(bad.stderr)")
            let badJSON = try #require(bad.json())
            #expect((badJSON.string("error") ?? "").contains("line \(lastCheck): TDO mismatch"), "\(badJSON.fields)")
            #expect(badJSON.bool("done") == false && badJSON.string("bse") == "CRC", "\(badJSON.fields)")
        }
    }

    @Test("standard input plays too, checked as it plays; a missing file is exit 2")
    func standardInputAndMissingFile() throws {
        let data = try #require(FileManager.default.contents(atPath: Examples.path("blink-25f.svf")))
        let r = tapwalker(["svf", "-", "--json", "--cable", "sim:part=25f"], stdin: data)
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.json()?.bool("done") == true)
        #expect(r.json()?.object("svf")?.bool("checked_before_start") == false)
        let missing = tapwalker("svf", "/nonexistent.svf", "--json")
        #expect(missing.exitCode == 2 && missing.json()?.bool("ok") == false)
    }

    @Test("OpenOCD's svf and tapwalker svf play the same file into the same simulated board: both DONE, TCK side by side",
          .enabled(if: openocd != nil, "OpenOCD is not installed (the test command installs it)"))
    func sideBySideWithOpenOCD() throws {
        try withTempDir { dir in
            func stats(_ name: String) throws -> JSON {
                let data = try Data(contentsOf: URL(fileURLWithPath: dir.path(name)))
                return JSON(try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
            }
            let file = Examples.path("blink-25f.svf")
            let first = ServerProcess(["sim", "--remote-bitbang", "0", "--part", "25f", "--stats", dir.path("openocd.json")])
            let port = first.port("remote_bitbang")
            let ocd = runTool(openocd!, ["-c", "adapter driver remote_bitbang; remote_bitbang host 127.0.0.1; remote_bitbang port \(port); "
                                         + "transport select jtag; jtag newtap ecp5 tap -irlen 8 -expected-id 0x41111043; init; "
                                         + "svf -quiet \(file); shutdown"])
            #expect(ocd.status == 0, "\(ocd.output.suffix(2000))")
            #expect(tapwalker("detect", "--json", "--cable", "rbb://127.0.0.1:\(port)").json()?.bool("done") == true)
            #expect(first.stop() == 0)

            let second = ServerProcess(["sim", "--remote-bitbang", "0", "--part", "25f", "--stats", dir.path("tapwalker.json")])
            let ours = tapwalker("svf", file, "--json", "--cable", "rbb://127.0.0.1:\(second.port("remote_bitbang"))")
            #expect(ours.exitCode == 0, "\(ours.stderr)")
            #expect(ours.json()?.bool("done") == true)
            #expect(second.stop() == 0)

            let theirs = try #require(try stats("openocd.json").int("tck_cycles"))
            let played = try #require(ours.json()?.object("svf")?.int("tck_cycles"))
            let board = try #require(try stats("tapwalker.json").int("tck_cycles"))
            print("svf blink-25f: OpenOCD \(theirs) TCK on the board; TapWalker \(played) TCK playing, \(board) on the board with its status read")
            // Both clock every bit of every vector and every RUNTEST count; neither may skip any.
            #expect(played > 4_600_000 && theirs > 4_600_000)
            #expect(played <= theirs, "TapWalker takes no more TCK than OpenOCD for the same file")
            #expect(try stats("openocd.json").object("fpga")?.bool("done") == true)
            #expect(try stats("tapwalker.json").object("fpga")?.bool("done") == true)
        }
    }
}
