import Foundation
import Testing

/// The board policy through the command line: a running design survives every refused flash job,
/// the boot image at 0 is guarded before the flash changes, and `--json` keeps its contract.
/// Each command is a fresh process on a simulated board that powers up from the flash image file,
/// so "running" means booted from the blinker written at 0 first; the JSON of the command itself
/// says whether the FPGA was DONE when it ended.
@Suite("board policy through the command line")
struct PolicyTests {
    private func cable(_ dir: TempDir, chip: String = "w25q128jv") -> String {
        "sim:part=25f,flash=\(chip),flash-image=\(dir.path("flash.bin"))"
    }

    private func image(_ dir: TempDir) -> Data { (try? Data(contentsOf: URL(fileURLWithPath: dir.path("flash.bin")))) ?? Data() }

    /// A board running blink-25f.bit from its flash.
    private func runningBoard(_ dir: TempDir) {
        let w = tapwalker("flash", "write", Examples.path("blink-25f.bit"), "-q", "--cable", cable(dir))
        #expect(w.exitCode == 0, "\(w.stderr)")
        #expect(tapwalker("detect", "--json", "--cable", cable(dir)).json()?.bool("done") == true, "DONE before")
    }

    @Test("every refused flash job leaves the design running (DONE after) and the flash byte-identical")
    func refusedJobsKeepTheDesign() throws {
        try withTempDir { dir in
            runningBoard(dir)
            let noise = dir.write("noise.bin", deterministicNoise(count: 5000))
            let truncated = dir.write("half.bit", Array(exampleBytes("blink-25f.bit").prefix(300_000)))
            let big = dir.write("big.bin", deterministicNoise(count: 20_000))
            let refusals: [(String, [String], Int32)] = [
                ("wrong part at 0", ["flash", "write", Examples.path("blink-85f.bit")], 1),
                ("truncated at 0", ["flash", "write", truncated], 1),
                ("not a bitstream at 0", ["flash", "write", noise], 1),
                ("does not fit", ["flash", "write", big, "--addr", "0xFFC000"], 2),
                ("erase not aligned", ["flash", "erase", "--addr", "0x1001", "--length", "4K"], 2),
                ("read past the end", ["flash", "read", "--addr", "0xFFF000", "--length", "8K", "-o", dir.path("out.bin")], 2),
                ("protect a range not in the table", ["flash", "protect", "--range", "0x1000:0x3000"], 2),
                ("verify another image", ["flash", "verify", noise], 1),
            ]
            for (name, arguments, code) in refusals {
                let before = image(dir)
                let r = tapwalker(arguments + ["--json", "--cable", cable(dir)])
                #expect(r.exitCode == code, "\(name): \(r.stdout)")
                let j = try #require(r.json(), "\(name)")
                #expect(j.bool("ok") == false, "\(name)")
                #expect(j.bool("done") == true, "\(name): the design did not survive: \(r.stdout)")
                #expect(image(dir) == before, "\(name): the flash changed")
            }
            // Overlapping a protected range; protect and unprotect themselves keep the design.
            let protect = tapwalker("flash", "protect", "--range", "0:0x200000", "--json", "--cable", cable(dir))
            #expect(protect.exitCode == 0 && protect.json()?.bool("done") == true, "\(protect.stdout)")
            let before = image(dir)
            let overlap = tapwalker("flash", "write", Examples.path("blink-25f.bit"), "--json", "--cable", cable(dir))
            #expect(overlap.exitCode == 1 && overlap.json()?.bool("done") == true, "\(overlap.stdout)")
            let chip = tapwalker("flash", "erase", "--all", "--json", "--cable", cable(dir))
            #expect(chip.exitCode == 1 && chip.json()?.bool("done") == true, "\(chip.stdout)")
            #expect(image(dir) == before)
            let unprotect = tapwalker("flash", "unprotect", "--json", "--cable", cable(dir))
            #expect(unprotect.exitCode == 0 && unprotect.json()?.bool("done") == true, "\(unprotect.stdout)")
        }
    }

    @Test("a boot image refused for the wrong part, truncated or not a bitstream names the check; --force writes it and fails with the boot warning")
    func bootImageGuard() throws {
        try withTempDir { dir in
            runningBoard(dir)
            let r = tapwalker("flash", "write", Examples.path("blink-85f.bit"), "--cable", cable(dir))
            #expect(r.exitCode == 1)
            #expect(r.stderr.contains("LFE5U-85F") && r.stderr.contains("nothing was written") && r.stderr.contains("--force"), "\(r.stderr)")
            let noise = dir.write("noise.bin", deterministicNoise(count: 8192))
            let forced = tapwalker("flash", "write", noise, "--force", "--json", "--cable", cable(dir))
            #expect(forced.exitCode == 1)
            let error = forced.json()?.string("error") ?? ""
            #expect(error.contains("will not boot") && error.contains("to recover"), "\(error)")
            #expect(forced.json()?.bool("done") == false)
            #expect(forced.json()?.string("written") == "0x000000:0x002000")
        }
    }

    @Test("prog of a 1000-byte prefix of a valid bitstream leaves the SRAM untouched")
    func progOfAPrefix() throws {
        try withTempDir { dir in
            runningBoard(dir)
            let prefix = dir.write("prefix.bit", Array(exampleBytes("blink-25f.bit").prefix(1000)))
            let r = tapwalker("prog", prefix, "--json", "--cable", cable(dir))
            #expect(r.exitCode == 1)
            let j = try #require(r.json())
            #expect(j.bool("sram_touched") == false)
            #expect(j.bool("done") == true, "the running design is still DONE: \(r.stdout)")
            #expect(j.string("error")?.contains("truncated") == true)
        }
    }

    @Test("--json is one valid object with every stable key on every command and error")
    func jsonContract() throws {
        try withTempDir { dir in
            runningBoard(dir)
            let noise = dir.write("noise.bin", deterministicNoise(count: 5000))
            let empty = dir.write("empty.bin", [])
            let c = cable(dir)
            let runs: [[String]] = [
                ["detect", "--cable", c],
                ["detect", "--cable", "sim:part=nope"],
                ["detect", "--cable", "xvc://127.0.0.1:1"],
                ["detect", "--cable", "bogus://x"],
                ["info", Examples.path("blink-25f.bit")],
                ["info", noise],
                ["info", empty],
                ["info", dir.path("missing.bit")],
                ["prog", Examples.path("blink-25f.bit"), "--cable", "sim:part=25f"],
                ["prog", Examples.path("blink-85f.bit"), "--cable", "sim:part=25f"],
                ["prog", noise, "--cable", "sim:part=25f"],
                ["prog", dir.path("missing.bit"), "--cable", "sim:part=25f"],
                ["prog", "--by-idcode", dir.url.path, "--cable", "sim:part=25f"],
                ["flash", "info", "--cable", c],
                ["flash", "info", "--keep-running", "--cable", c],
                ["flash", "info", "--no-reload", "--cable", c],
                ["flash", "write", Examples.path("blink-25f.bit"), "--cable", c],
                ["flash", "write", Examples.path("blink-85f.bit"), "--cable", c],
                ["flash", "write", noise, "--addr", "0x200000", "--cable", c],
                ["flash", "write", noise, "--addr", "0xFFFF00", "--cable", c],
                ["flash", "write", noise, "--addr", "nope", "--cable", c],
                ["flash", "write", empty, "--addr", "0x200000", "--cable", c],
                ["flash", "write", dir.path("missing.bin"), "--cable", c],
                ["flash", "read", "--addr", "0", "--length", "4K", "-o", dir.path("r.bin"), "--cable", c],
                ["flash", "read", "--addr", "0xFFFFFF", "--length", "4K", "-o", dir.path("r.bin"), "--cable", c],
                ["flash", "verify", noise, "--addr", "0x200000", "--cable", c],
                ["flash", "verify", Examples.path("blink-25f.bit"), "--cable", c],
                ["flash", "erase", "--addr", "0x300000", "--length", "4K", "--cable", c],
                ["flash", "erase", "--addr", "0x300001", "--length", "4K", "--cable", c],
                ["flash", "protect", "--range", "0:0x200000", "--cable", c],
                ["flash", "erase", "--all", "--cable", c],
                ["flash", "protect", "--range", "5:3", "--cable", c],
                ["flash", "protect", "--range", "0x1000:0x3000", "--cable", c],
                ["flash", "unprotect", "--cable", c],
                ["reload", "--cable", c],
                ["reload", "--cable", "sim:part=25f"],
            ]
            #expect(runs.count >= 30)
            for arguments in runs {
                let r = tapwalker(arguments + ["--json"])
                let text = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(!text.contains("\n"), "\(arguments): more than one line: \(text)")
                let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                #expect(object != nil, "\(arguments): not a JSON object: \(text) \(r.stderr)")
                guard let object else { continue }
                for key in stableKeys {
                    #expect(object[key] != nil, "\(arguments): lacks \(key): \(text)")
                }
                #expect((object["ok"] as? Bool) == (r.exitCode == 0), "\(arguments): ok and the exit code disagree")
                #expect((object["error"] is NSNull) == (r.exitCode == 0), "\(arguments): error and the exit code disagree")
                if let status = object["status"] as? String {
                    // `status` is the FPGA's 32-bit status register, never the flash's.
                    #expect(status.count == 10, "\(arguments): status \(status)")
                }
            }
        }
    }
}

/// The keys every `--json` object has (null when unknown).
let stableKeys = [
    "ok", "error", "idcode", "part", "status", "done", "bse", "usercode", "file", "addr", "bytes",
    "sectors", "erase_ops", "verified", "sram_touched", "flash", "tck_cycles", "sim_time_us", "boot",
]
