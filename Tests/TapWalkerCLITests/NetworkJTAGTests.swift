import Foundation
import Testing

// The network JTAG servers (`tapwalker sim --xvc/--remote-bitbang`) driven by independent tools —
// openFPGALoader over XVC, OpenOCD over remote_bitbang — and by TapWalker's own network cables.
// The 25F parts keep the runs short in a debug build; the benchmark uses the 85F.

private let openFPGALoader = toolPath("openFPGALoader")
private let openocd = toolPath("openocd")

/// `tapwalker sim` on free ports with a flash image and stats in `dir`.
private func startSim(_ dir: TempDir, part: String = "25f", extra: [String] = []) -> ServerProcess {
    ServerProcess(["sim", "--xvc", "0", "--remote-bitbang", "0", "--part", part, "--flash", "w25q128jv",
                   "--flash-image", dir.path("flash.bin"), "--stats", dir.path("stats.json")] + extra)
}

private func stats(_ dir: TempDir) throws -> JSON {
    let data = try Data(contentsOf: URL(fileURLWithPath: dir.path("stats.json")))
    return JSON(try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
}

private func ofl(_ port: Int, _ arguments: [String]) -> (status: Int32, output: String) {
    runTool(openFPGALoader!, ["-c", "xvc-client", "--ip", "127.0.0.1", "--port", String(port)] + arguments)
}

private func openocdSVF(_ port: Int, _ svf: String, idcode: String = "0x41111043") -> (status: Int32, output: String) {
    runTool(openocd!, ["-c", "adapter driver remote_bitbang; remote_bitbang host 127.0.0.1; remote_bitbang port \(port); "
                       + "transport select jtag; jtag newtap ecp5 tap -irlen 8 -expected-id \(idcode); init; "
                       + "svf -quiet \(svf); shutdown"])
}

@Suite("network JTAG with peer tools", .serialized)
struct NetworkJTAGPeerTests {
    @Test("openFPGALoader over XVC detects the part and loads SRAM; our status read shows DONE",
          .enabled(if: openFPGALoader != nil, "openFPGALoader is not installed (the test command installs it)"))
    func openFPGALoaderLoadsSRAM() throws {
        try withTempDir { dir in
            let sim = startSim(dir)
            let port = sim.port("xvc")
            let detect = ofl(port, ["--detect"])
            #expect(detect.status == 0, "\(detect.output)")
            // openFPGALoader prints the IDCODE without its version nibble.
            #expect(detect.output.contains("0x1111043") && detect.output.contains("ECP5"), "\(detect.output)")

            let load = ofl(port, ["--freq", "10000000", Examples.path("ram-25f.bit")])
            #expect(load.status == 0, "\(load.output)")
            let ours = tapwalker("detect", "--json", "--cable", "xvc://127.0.0.1:\(port)")
            let json = try #require(ours.json())
            #expect(json.bool("done") == true)
            #expect(json.hex("usercode") == 0x5241_4D21, "the ram design's USERCODE")
            #expect(sim.stop() == 0)
            let s = try stats(dir)
            #expect(s.object("fpga")?.bool("done") == true)
            // openFPGALoader's settck took effect: 10 MHz, so each TCK took 100 ns of simulated time.
            let cycles = try #require(s.int("tck_cycles"))
            let micros = try #require(s.int("sim_time_us"))
            #expect(cycles > 4_000_000 && micros >= cycles / 10, "tck \(cycles), \(micros) µs")
            #expect(sim.log.contains("xvc 127.0.0.1:") && sim.log.contains("disconnected"))
        }
    }

    @Test("openFPGALoader writes flash at an offset with --verify, and --dump-flash returns exactly the bytes",
          .enabled(if: openFPGALoader != nil, "openFPGALoader is not installed"))
    func openFPGALoaderWritesAndDumpsFlash() throws {
        try withTempDir { dir in
            let sim = startSim(dir)
            let port = sim.port("xvc")
            // A bootable design at 0 (written by TapWalker's own XVC client), as a board with a
            // bootloader has: openFPGALoader reloads the FPGA after writing and fails without one.
            let boot = tapwalker("flash", "write", Examples.path("blink-25f-compressed.bit"), "--json",
                                 "--cable", "xvc://127.0.0.1:\(port)")
            #expect(boot.exitCode == 0, "\(boot.stderr)")
            #expect(boot.json()?.bool("done") == true)

            let payload = deterministicNoise(count: 100_000, seed: 42)
            let file = dir.write("payload.bin", payload)
            let write = ofl(port, ["-f", "--verify", "-o", "0x200000", file])
            #expect(write.status == 0, "\(write.output)")
            #expect(write.output.contains("Verifying write"), "\(write.output)")

            let dump = dir.path("dump.bin")
            let read = ofl(port, ["--dump-flash", "-o", "0x200000", "--file-size", String(payload.count), dump])
            #expect(read.status == 0, "\(read.output)")
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: dump))) == payload)

            // The flash image the server saved holds the same bytes at the same place.
            #expect(sim.stop() == 0)
            let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path("flash.bin"))))
            #expect(Array(image[0x200000..<(0x200000 + payload.count)]) == payload)
            let f = try #require(try stats(dir).object("flash"))
            #expect((f.int("page_programs") ?? 0) >= payload.count / 256)
            #expect((f.int("bytes_read") ?? 0) >= 2 * payload.count, "verify and dump read the flash")
        }
    }

    @Test("OpenOCD plays ecppack's SVF over remote_bitbang, and fails on one flipped bit",
          .enabled(if: openocd != nil, "OpenOCD is not installed (the test command installs it)"))
    func openocdPlaysSVF() throws {
        try withTempDir { dir in
            let sim = startSim(dir)
            let port = sim.port("remote_bitbang")
            let good = openocdSVF(port, Examples.path("blink-25f.svf"))
            #expect(good.status == 0, "\(good.output.suffix(2000))")
            #expect(!good.output.contains("Error"), "\(good.output.suffix(2000))")
            let after = tapwalker("detect", "--json", "--cable", "rbb://127.0.0.1:\(port)")
            #expect(after.json()?.bool("done") == true)

            // One bit of the bitstream flipped in the middle of the burst (ecppack splits it into
            // SDRs of 8000 bits): the CRC check fails and the SVF's final status check (DONE set,
            // FAIL clear) does not match.
            let svf = try String(contentsOfFile: Examples.path("blink-25f.svf"), encoding: .utf8)
            var lines = svf.components(separatedBy: "\n")
            let bursts = lines.indices.filter { lines[$0].hasPrefix("SDR\t8000\t") }
            #expect(bursts.count > 500, "the burst spans many SDRs")
            let target = bursts[bursts.count / 2] + 3
            var chars = Array(lines[target])
            let i = try #require(chars.firstIndex { $0.isHexDigit })
            let digit = Int(String(chars[i]), radix: 16)! ^ 0x4
            chars[i] = Character(String(digit, radix: 16, uppercase: true))
            lines[target] = String(chars)
            let broken = dir.path("broken.svf")
            try lines.joined(separator: "\n").write(toFile: broken, atomically: true, encoding: .utf8)
            let bad = openocdSVF(port, broken)
            #expect(bad.status != 0)
            #expect(bad.output.contains("tdo check error"), "\(bad.output.suffix(2000))")
            let status = try #require(tapwalker("detect", "--json", "--cable", "rbb://127.0.0.1:\(port)").json())
            #expect(status.bool("done") == false)
            #expect(status.string("bse") == "CRC", "\(status.fields)")
            #expect(sim.stop() == 0)
        }
    }
}

@Suite("TapWalker's network cables", .serialized)
struct NetworkCableTests {
    @Test("prog, flash write and verify through the XVC and remote_bitbang servers")
    func programsThroughBothServers() throws {
        try withTempDir { dir in
            let sim = startSim(dir)
            let xvc = "xvc://127.0.0.1:\(sim.port("xvc"))"
            let rbb = "rbb://127.0.0.1:\(sim.port("remote_bitbang"))"

            let viaXVC = tapwalker("prog", Examples.path("ram-25f.bit"), "--json", "--cable", xvc)
            #expect(viaXVC.exitCode == 0, "\(viaXVC.stderr)")
            #expect(viaXVC.json()?.bool("done") == true)
            #expect(tapwalker("detect", "--json", "--cable", rbb).json()?.hex("usercode") == 0x5241_4D21)

            let viaRBB = tapwalker("prog", Examples.path("blink-25f-compressed.bit"), "--json", "--cable", rbb)
            #expect(viaRBB.exitCode == 0, "\(viaRBB.stderr)")
            #expect(viaRBB.json()?.bool("done") == true)

            let payload = deterministicNoise(count: 40_000, seed: 7)
            let file = dir.write("payload.bin", payload)
            let w1 = tapwalker("flash", "write", file, "--addr", "0x100000", "--no-reload", "--json", "--cable", rbb)
            #expect(w1.exitCode == 0, "\(w1.stderr)")
            #expect(w1.json()?.bool("verified") == true)
            let v1 = tapwalker("flash", "verify", file, "--addr", "0x100000", "--json", "--cable", xvc)
            #expect(v1.json()?.bool("verified") == true, "\(v1.stdout)\(v1.stderr)")
            let w2 = tapwalker("flash", "write", file, "--addr", "0x100000", "--no-reload", "--json", "--cable", xvc)
            #expect(w2.json()?.object("sectors")?.int("unchanged") == (payload.count + 4095) / 4096, "rewrite through XVC changes nothing")

            #expect(sim.stop() == 0)
            let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path("flash.bin"))))
            #expect(Array(image[0x100000..<(0x100000 + payload.count)]) == payload)
            let s = try stats(dir)
            for key in ["tck_cycles", "sim_time_us"] { #expect(s.int(key) != nil, "stats lacks \(key)") }
            let f = try #require(s.object("flash"))
            for key in ["page_programs", "erase_4k", "erase_32k", "erase_64k", "chip_erases", "bytes_read"] {
                #expect(f.int(key) != nil, "stats.flash lacks \(key)")
            }
            // Writing the flash cleared the SRAM (the design owns the flash pins), and no reload was asked.
            #expect(s.object("fpga")?.bool("done") == false)
            #expect(s.object("fpga")?.hex("status") != nil)
        }
    }

    @Test("serve --xvc in front of another cable: XVC in, remote_bitbang out to the simulated board")
    func serveInFrontOfANetworkCable() throws {
        try withTempDir { dir in
            let sim = startSim(dir)
            let rbbPort = sim.port("remote_bitbang")
            let serve = ServerProcess(["serve", "--xvc", "0", "--cable", "rbb://127.0.0.1:\(rbbPort)"])
            let xvc = "xvc://127.0.0.1:\(serve.port("xvc"))"
            // XVC has no login: by default only this machine can reach it.
            #expect(serve.log.contains("listening: xvc 127.0.0.1:"), "\(serve.log)")
            let prog = tapwalker("prog", Examples.path("ram-25f-compressed.bit"), "--json", "--cable", xvc)
            #expect(prog.exitCode == 0, "\(prog.stderr)\n\(serve.log)")
            #expect(prog.json()?.bool("done") == true)
            // The relay holds its remote_bitbang connection until it stops (the simulated board
            // serves one client at a time); then read straight from the board: the design is there.
            #expect(serve.stop() == 0)
            #expect(serve.log.contains("disconnected"), "\(serve.log)")
            let direct = try #require(tapwalker("detect", "--json", "--cable", "rbb://127.0.0.1:\(rbbPort)").json())
            #expect(direct.bool("done") == true)
            #expect(direct.hex("usercode") == 0x5241_4D21)
            #expect(sim.stop() == 0)
        }
    }

    @Test("a server that is not there, and a cable written wrongly, are clear errors")
    func connectionErrors() throws {
        let nobody = tapwalker("detect", "--cable", "xvc://127.0.0.1:1")
        #expect(nobody.exitCode == 1)
        #expect(nobody.stderr.contains("cannot connect to 127.0.0.1:1"), "\(nobody.stderr)")
        let bad = tapwalker("detect", "--cable", "xvc://127.0.0.1:notaport")
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.contains("xvc://HOST[:PORT]"), "\(bad.stderr)")
    }

    @Test("a second XVC client waits until the first has left; a malformed one is closed and the server goes on")
    func clientsOneAtATime() throws {
        try withTempDir { dir in
            let sim = startSim(dir)
            let port = sim.port("xvc")
            let script = """
                import socket, time
                a = socket.create_connection(("127.0.0.1", \(port)))
                a.sendall(b"getinfo:")
                first = a.recv(100)
                b = socket.create_connection(("127.0.0.1", \(port)))
                b.sendall(b"getinfo:")
                b.settimeout(1.0)
                try:
                    waited = b.recv(100) == b""
                except socket.timeout:
                    waited = True
                a.sendall(b"bogus:")          # not XVC: the server closes this connection
                a.settimeout(5.0)
                closed = a.recv(100) == b""
                b.settimeout(5.0)
                second = b.recv(100)
                print(first, waited, closed, second)
                """
            let run = runTool(try #require(toolPath("python3")), ["-c", script], timeout: 60)
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("b'xvcServer_v1.0:2048\\n' True True b'xvcServer_v1.0:2048\\n'"), "\(run.output)")
            #expect(sim.waitForLog("unknown XVC command 'bogus:'"), "\(sim.log)")
            #expect(sim.stop() == 0)
        }
    }
}
