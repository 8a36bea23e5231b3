import Foundation
import Testing

// A JTAG server that is killed, or stops answering, in the middle of a job: the client ends the
// job with exit 1 and says what state the FPGA and the flash may be in and that running the job
// again finishes it, never exit 2 ("Broken pipe") and never a wait without end.

/// `tapwalker sim` on free ports: the 85F with a 16 MB flash, so a whole-flash read or an SRAM
/// load lasts long enough to be cut.
private func startSim(_ dir: TempDir) -> ServerProcess {
    ServerProcess(["sim", "--xvc", "0", "--remote-bitbang", "0", "--part", "85f", "--flash", "w25q128jv",
                   "--flash-image", dir.path("flash.bin")])
}

/// Runs `tapwalker arguments` against the server and, once the job reports 10 % done, sends the
/// server `signal`. Returns the job's exit status (nil: still running a minute later) and what it
/// wrote to standard error.
private func cut(_ sim: ServerProcess, _ arguments: [String], with signal: Int32) -> (status: Int32?, stderr: String) {
    let job = ServerProcess(arguments)
    #expect(job.waitForLog(": 10%", timeout: 120), "the job did not get under way: \(job.log)")
    sim.send(signal: signal)
    return (job.waitForExit(timeout: 60), job.log)
}

@Suite("network cables whose server goes away", .serialized)
struct NetworkCableDropTests {
    @Test("a server killed during a flash read over XVC: exit 1, the SRAM was cleared, run it again")
    func killedDuringFlashRead() throws {
        try withTempDir { dir in
            let sim = startSim(dir)
            let port = sim.port("xvc")
            let read = cut(sim, ["flash", "read", "--output", dir.path("dump.bin"), "--length", "0x200000", "--cable", "xvc://127.0.0.1:\(port)"], with: SIGKILL)
            #expect(read.status == 1, "\(read.stderr)")
            // A killed server's socket may reset (a failed send or read) or close in order (the read
            // meets its end) depending on where the job was; both name the server.
            #expect(read.stderr.contains("the connection to the XVC server at 127.0.0.1:\(port) failed")
                    || read.stderr.contains("the XVC server at 127.0.0.1:\(port) closed the connection"), "\(read.stderr)")
            #expect(read.stderr.contains("SRAM was cleared"), "\(read.stderr)")
            #expect(read.stderr.contains("running the same job again finishes it"), "\(read.stderr)")
            sim.stop()
        }
    }

    @Test("a server killed during an SRAM load over remote_bitbang: exit 1, the SRAM may be half configured")
    func killedDuringSRAMLoad() throws {
        try withTempDir { dir in
            let sim = startSim(dir)
            let port = sim.port("remote_bitbang")
            let prog = cut(sim, ["prog", Examples.path("ram-85f.bit"), "--cable", "rbb://127.0.0.1:\(port)"], with: SIGKILL)
            #expect(prog.status == 1, "\(prog.stderr)")
            #expect(prog.stderr.contains("remote_bitbang server at 127.0.0.1:\(port)"), "\(prog.stderr)")
            #expect(prog.stderr.contains("half configured") && prog.stderr.contains("loading again finishes the job"), "\(prog.stderr)")
            sim.stop()
        }
    }

    @Test("a server that stops answering (SIGSTOP) ends a flash write over XVC within the cable's timeout; the job run again finishes")
    func stoppedDuringFlashWrite() throws {
        try withTempDir { dir in
            let sim = startSim(dir)
            let port = sim.port("xvc")
            let file = dir.write("payload.bin", deterministicNoise(count: 1_000_000, seed: 3))
            let started = Date()
            let write = cut(sim, ["flash", "write", file, "--addr", "0x100000", "--cable", "xvc://127.0.0.1:\(port)?timeout=2"], with: SIGSTOP)
            let waited = Date().timeIntervalSince(started)
            sim.send(signal: SIGCONT)
            #expect(write.status == 1, "\(write.stderr)")
            #expect(write.stderr.contains("sent nothing for 2 s") || write.stderr.contains("timed out after 2 s"), "\(write.stderr)")
            #expect(write.stderr.contains("the flash from 0x100000 may be partly written"), "\(write.stderr)")
            #expect(write.stderr.contains("SRAM was cleared") && write.stderr.contains("running the same job again finishes it"), "\(write.stderr)")
            // One deadline, not one per clean-up step (the clean-up fails at once on a failed link).
            #expect(waited < 45, "the job took \(Int(waited)) s")
            #expect(sim.waitForLog("disconnected", timeout: 30), "\(sim.log)")
            let again = tapwalker("flash", "write", file, "--addr", "0x100000", "--no-reload", "--json", "--cable", "xvc://127.0.0.1:\(port)")
            #expect(again.exitCode == 0, "\(again.stderr)")
            #expect(again.json()?.bool("verified") == true)
            sim.stop()
        }
    }

    @Test("a server that stops answering (SIGSTOP) ends a flash read over remote_bitbang within the cable's timeout")
    func stoppedDuringFlashRead() throws {
        try withTempDir { dir in
            let sim = startSim(dir)
            let port = sim.port("remote_bitbang")
            let read = cut(sim, ["flash", "read", "--output", dir.path("dump.bin"), "--length", "0x40000",
                                 "--cable", "rbb://127.0.0.1:\(port)?timeout=2"], with: SIGSTOP)
            sim.send(signal: SIGCONT)
            #expect(read.status == 1, "\(read.stderr)")
            #expect(read.stderr.contains("remote_bitbang server at 127.0.0.1:\(port)") && read.stderr.contains("2 s"), "\(read.stderr)")
            #expect(read.stderr.contains("SRAM was cleared") && read.stderr.contains("running the same job again finishes it"), "\(read.stderr)")
            sim.stop()
        }
    }
}
