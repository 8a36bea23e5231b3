import Foundation
import Testing
import TapWalkerCore

// What scripts rely on: one JSON object on every --json path, --version, -q, `list`, and progress
// that a log can hold.

// `stableKeys` (PolicyTests.swift): every object `--json` prints carries them, null when unknown.

@Suite("scripting: --json usage errors, --version, -q, list, progress")
struct ScriptingTests {
    /// Usage errors with --json: arguments, and whether the command is flash write/verify.
    static let usageErrors: [([String], Bool)] = [
        (["detect", "--json", "--bogus"], false),
        (["detect", "--json", "--cable", "bogus://x"], false),
        (["info", "--json"], false),
        (["info", "--json", "a.bit", "b.bit"], false),
        (["prog", "--json"], false),
        (["prog", "--json", "a.bit", "--by-idcode", "dir"], false),
        (["prog", "--json", "--cable"], false),
        (["flash", "write", "--json"], true),
        (["flash", "write", "--json", "a.bit", "--addr"], true),
        (["flash", "verify", "--json"], true),
        (["flash", "verify", "--json", "a.bit", "--bogus"], true),
        (["flash", "read", "--json"], false),
        (["flash", "read", "--json", "-o", "-"], false),
        (["flash", "read", "--json", "-o", "/nonexistent-directory/out.bin"], false),
        (["flash", "erase", "--json"], false),
        (["flash", "erase", "--json", "--all", "--addr", "0"], false),
        (["flash", "protect", "--json"], false),
        (["flash", "unprotect", "--json", "extra"], false),
        (["flash", "info", "--json", "--keep-running=1"], false),
        (["flash", "--json"], false),
        (["pack", "--json", "a.bit"], false),
        (["pack", "--json", "a.bit", "-o", "x", "--window"], false),
        (["sim", "--json"], false),
        (["sim", "--json", "--xvc", "notaport"], false),
        (["serve", "--json"], false),
        (["list", "--json", "everything"], false),
        (["--json", "no-such-command"], false),
        (["--json"], false),
        (["prog", "--json", "Examples/blink-85f.svf"], false),
        (["flash", "write", "--json", "Examples/blink-25f.svf"], true),
        (["svf", "--json"], false),
    ]

    @Test("a usage error with --json is one JSON object with every stable key, ok false, exit 2",
          arguments: ScriptingTests.usageErrors)
    func usageErrorIsJSON(arguments: [String], flashImage: Bool) throws {
        let r = tapwalker(arguments)
        #expect(r.exitCode == 2, "\(arguments): \(r.stdout)\(r.stderr)")
        let j = try #require(r.json())
        #expect(j.bool("ok") == false)
        #expect((j.string("error") ?? "").count > 5, "the error says what is wrong: \(r.stdout)")
        for key in stableKeys {
            #expect(j.has(key), "\(arguments): no \(key) in \(r.stdout)")
        }
        for key in stableKeys where key != "ok" && key != "error" {
            #expect(j.isNull(key), "\(arguments): \(key) is not null before anything ran")
        }
    }

    @Test("the same mistakes without --json: a message on stderr, nothing on stdout, exit 2")
    func usageErrorWithoutJSON() {
        let r = tapwalker("flash", "erase", "--all", "--addr", "0")
        #expect(r.exitCode == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("--all"))
    }

    @Test("results carry the stable keys too (success and device failure)")
    func resultsCarryStableKeys() throws {
        for arguments in [["detect", "--json"], ["list", "--json"], ["info", "--json", Examples.path("blink-25f.bit")],
                          ["prog", "--json", Examples.path("blink-25f.bit")]] {
            let j = try #require(tapwalker(arguments).json())
            for key in stableKeys { #expect(j.has(key), "\(arguments): no \(key)") }
        }
    }

    @Test("--version prints one version line and exits 0")
    func version() {
        let r = tapwalker("--version")
        #expect(r.exitCode == 0)
        let line = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!line.isEmpty && !line.contains("\n"))
        #expect(line.split(separator: ".").count >= 2 && line.first?.isNumber == true, "\(line)")
    }

    @Test("--version --json prints one JSON object with the version and every stable key; --help --json too")
    func versionJSON() throws {
        let r = tapwalker("--version", "--json")
        #expect(r.exitCode == 0)
        let j = try #require(r.json(), "\(r.stdout)")
        #expect(j.bool("ok") == true && j.string("version") == tapwalker("--version").stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        for key in stableKeys { #expect(j.has(key), "no \(key)") }
        let help = tapwalker("--help", "--json")
        #expect(help.exitCode == 0 && (help.json()?.string("help") ?? "").contains("USAGE"), "\(help.stdout)")
    }

    @Test("--generate-completion-script writes a script for bash, zsh and fish that knows the commands")
    func completionScripts() {
        for shell in ["bash", "zsh", "fish"] {
            let r = tapwalker("--generate-completion-script", shell)
            #expect(r.exitCode == 0, "\(shell): \(r.stderr)")
            for word in ["tapwalker", "prog", "flash", "list", "cable", "quiet"] {
                #expect(r.stdout.contains(word), "\(shell) script lacks \(word)")
            }
        }
    }

    @Test("-q: no progress and no note on stderr; the result is still printed")
    func quietSilencesProgress() {
        let bit = Examples.path("blink-85f.bit")  // the simulator's default part
        let loud = tapwalker("prog", bit)
        #expect(loud.exitCode == 0)
        #expect(loud.stderr.contains("programming:") && loud.stderr.contains("no cable configured"),
                "without -q there is progress and the note: \(loud.stderr)")
        for flag in ["-q", "--quiet"] {
            let quiet = tapwalker("prog", flag, bit)
            #expect(quiet.exitCode == 0)
            #expect(quiet.stderr.isEmpty, "\(flag): \(quiet.stderr)")
            #expect(quiet.stdout.contains("DONE"))
        }
        // A failure is still reported.
        let failed = tapwalker("prog", "-q", Examples.path("blink-25f.bit"))
        #expect(failed.exitCode == 1)
        #expect(failed.stderr.contains("LFE5U-25F"), "\(failed.stderr)")
    }

    @Test("every command takes -q")
    func everyCommandTakesQuiet() throws {
        try withTempDir { dir in
            let image = "sim:part=25f,flash-image=\(dir.path("flash.bin"))"
            let runs: [[String]] = [
                ["detect", "-q"], ["info", "-q", Examples.path("blink-25f.bit")], ["list", "-q"],
                ["flash", "info", "-q", "--cable", image], ["flash", "write", "-q", Examples.path("blink-25f.bit"), "--cable", image],
                ["flash", "verify", "-q", Examples.path("blink-25f.bit"), "--cable", image],
                ["flash", "read", "-q", "--length", "4096", "-o", dir.path("out.bin"), "--cable", image],
                ["flash", "erase", "-q", "--addr", "0x100000", "--length", "4K", "--cable", image],
                ["flash", "protect", "-q", "--range", "0xC00000:0x1000000", "--cable", image],
                ["flash", "unprotect", "-q", "--cable", image],
                ["pack", "-q", Examples.path("blink-25f.bit"), "-o", dir.path("b.z")],
            ]
            for arguments in runs {
                let r = tapwalker(arguments)
                #expect(r.exitCode == 0, "\(arguments): \(r.stderr)")
                #expect(r.stderr.isEmpty, "\(arguments) wrote to stderr: \(r.stderr)")
                #expect(!r.stdout.isEmpty, "\(arguments) printed no result")
            }
            // The servers take it too (refused here for a missing port, not for -q).
            for arguments in [["sim", "-q"], ["serve", "-q"]] {
                let r = tapwalker(arguments)
                #expect(r.exitCode == 2 && r.stderr.contains("--xvc"), "\(arguments): \(r.stderr)")
            }
        }
    }

    @Test("sim -q: the listening lines only, no banner and no log of clients")
    func quietServer() throws {
        let sim = ServerProcess(["sim", "--xvc", "0", "--part", "25f", "-q"])
        let port = sim.port("xvc")
        #expect(tapwalker("detect", "--json", "--cable", "xvc://127.0.0.1:\(port)").json()?.string("part") == "LFE5U-25F")
        #expect(sim.stop() == 0)
        let lines = sim.log.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("listening: xvc") == true, "\(sim.log)")
    }

    @Test("list parts: every part of the table, each one the simulator becomes")
    func listParts() throws {
        let j = try #require(tapwalker("list", "parts", "--json").json())
        let parts = try #require(j.fields["parts"] as? [[String: Any]])
        #expect(parts.map { $0["name"] as? String } == Part.all.map(\.name))
        #expect(parts.map { ($0["idcode"] as? String).flatMap(parseHex) } == Part.all.map(\.idcode))
        for part in Part.all {
            let detect = tapwalker("detect", "--json", "--cable", "sim:part=\(part.name)")
            #expect(detect.json()?.string("part") == part.name, "the simulator as \(part.name)")
        }
        let text = tapwalker("list", "parts")
        #expect(text.exitCode == 0)
        for part in Part.all { #expect(text.stdout.contains(part.name)) }
        #expect(!text.stdout.contains("w25q128jv"), "only parts were asked for")
    }

    @Test("list flash-chips: every chip of the table, each one the simulator carries")
    func listFlashChips() throws {
        let j = try #require(tapwalker("list", "flash-chips", "--json").json())
        let chips = try #require(j.fields["flash_chips"] as? [[String: Any]])
        #expect(chips.map { $0["id"] as? String } == FlashChip.all.map(\.id))
        #expect(chips.map { $0["size"] as? Int } == FlashChip.all.map(\.size))
        for chip in FlashChip.all {
            let info = tapwalker("flash", "info", "--json", "--cable", "sim:part=25f,flash=\(chip.id)")
            #expect(info.json()?.object("flash")?.string("chip") == chip.name, "the simulator with \(chip.id)")
        }
    }

    @Test("list cables and list (all): every kind of cable, each opened by --cable")
    func listCables() throws {
        let j = try #require(tapwalker("list", "--json").json())
        let cables = try #require(j.fields["cables"] as? [[String: Any]])
        let names = cables.compactMap { $0["name"] as? String }
        #expect(names == ["sim", "xvc", "rbb", "ft2232", "ft4232", "ft232h", "ft231x", "cmsis-dap", "dirtyjtag"])
        // A USB cable listed is one --cable accepts: with no such device present it is exit 1 naming
        // what was looked for, not an unknown cable.
        for name in names.dropFirst(3) {
            let r = tapwalker("detect", "--json", "--cable", "\(name):serial=NO-SUCH-SERIAL")
            #expect(r.exitCode == 1, "\(name): \(r.stdout)")
            #expect(r.json()?.string("error")?.contains("no \(name) device") == true, "\(name): \(r.stdout)")
        }
        #expect(j.fields["parts"] != nil && j.fields["flash_chips"] != nil)
        // Each scheme listed is one --cable accepts (a refused connection is exit 1, not an unknown cable).
        for form in cables.compactMap({ $0["form"] as? String }) where form.contains("://") {
            let scheme = form.prefix { $0 != ":" }
            let r = tapwalker("detect", "--json", "--cable", "\(scheme)://127.0.0.1:1")
            #expect(r.exitCode == 1, "\(scheme): \(r.stdout)")
            #expect(r.json()?.string("error")?.contains("unknown cable") == false)
        }
    }

    @Test("progress in a log: a line per tenth of a known size, a handful when the size is unknown")
    func progressLines() throws {
        let r = tapwalker("prog", Examples.path("blink-85f.bit"))
        #expect(r.exitCode == 0)
        let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("programming:") }
        let percents = lines.compactMap { line in
            line.split(separator: " ").dropFirst().first.flatMap { Int($0.dropLast()) }
        }
        #expect(percents.count == lines.count, "every line is a percentage: \(lines)")
        #expect(percents.count <= 11 && percents.count >= 5, "\(lines.count) lines for 1.9 MB")
        #expect(percents.allSatisfy { $0 % 10 == 0 } && percents == percents.sorted() && Set(percents).count == percents.count)
        #expect(percents.last == 100)

        // A flash image from standard input streams with its size unknown: lines at 1, 2, 4 … MB
        // and the total at the end. (`prog -` holds and checks its input first, so knows its size.)
        let piped = tapwalker("flash", "write", "-", "--addr", "0x200000", stdin: Data(exampleBytes("blink-85f.bit")))
        #expect(piped.exitCode == 0)
        let unknown = piped.stderr.split(separator: "\n").filter { $0.hasPrefix("writing:") }
        #expect(unknown.count >= 1 && unknown.count <= 3, "\(unknown)")
        #expect(unknown.last?.hasSuffix("in all") == true, "\(unknown)")
    }

    @Test("on a terminal the progress line fits its width",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script(1) is not installed"))
    func progressFitsTheTerminal() throws {
        guard let binary = Paths.binary else { return }
        for columns in [40, 72, 200] {
            // script(1) gives the command a terminal; stty sets its width.
            let r = runRaw("/usr/bin/script", ["-qec", "stty cols \(columns); exec \"\(binary)\" prog \(Examples.path("blink-85f.bit"))", "/dev/null"])
            #expect(r.exitCode == 0)
            // Split on the bytes: Swift reads "\r\n" as one Character.
            let text = String(decoding: r.stdout, as: UTF8.self)
            let drawn = r.stdout.split(whereSeparator: { $0 == 13 || $0 == 10 })
                .map { String(decoding: $0, as: UTF8.self) }.filter { $0.hasPrefix("programming") }
            #expect(drawn.count >= 2, "the bar was drawn: \(text)")
            #expect(drawn.contains { $0.contains("100%") })
            for line in drawn {
                #expect(line.count < columns, "\(line.count) columns of \(columns): \(line)")
            }
            if columns >= 72 { #expect(drawn.contains { $0.contains("[#") }, "a bar fits in \(columns) columns") }
        }
    }

    @Test("every command that reports a result takes --json and -q from one option group; -q silences its notes",
          arguments: [["svf", Examples.path("blink-85f.svf")], ["reload"], ["detect"], ["prog", Examples.path("blink-85f.bit")]])
    func quietEverywhere(_ command: [String]) {
        let help = tapwalker(command[0], "--help")
        #expect(help.stdout.contains("--json") && help.stdout.contains("-q, --quiet"), "\(help.stdout)")
        // No --cable: the simulated board, which a note announces unless -q is given.
        let loud = tapwalker(command)
        #expect(loud.stderr.contains("no cable configured"), "\(loud.stderr)")
        let quiet = tapwalker(command + ["-q"])
        #expect(!quiet.stderr.contains("no cable configured"), "\(quiet.stderr)")
        #expect(quiet.exitCode == loud.exitCode)
    }
}
