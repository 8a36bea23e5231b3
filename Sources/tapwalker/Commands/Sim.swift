import ArgumentParser
import Foundation
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices
import TapWalkerSim

struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a simulated board behind network JTAG servers (XVC, remote_bitbang) until interrupted.",
        discussion: """
            One simulated ECP5 with its SPI flash, shared by both servers. Clients are served one at a \
            time, in the order they connect: a second client waits (its connection is accepted by the \
            system and answered once the first has left). Between clients the board keeps its state.

            The simulated board runs on simulated time: TCK cycles at the TCK the client set (XVC \
            settck:) or --tck, plus the wall time the server spends waiting for a client, because \
            clients such as OpenOCD sleep on their side for an SVF's RUNTEST times and a real chip \
            keeps running meanwhile. Between clients no time passes.

            With --flash-image the flash is loaded from the file when it exists and written back \
            (with FILE.registers) whenever a client disconnects and when the server stops. \
            --stats FILE is rewritten whenever a client disconnects: cumulative tck_cycles, \
            sim_time_us, flash operation counts and the FPGA's DONE and status.

            Ctrl-C ends the current client's session and stops the server after saving.
            """)

    @Option(name: .customLong("xvc"), help: ArgumentHelp("Serve XVC 1.0 on this TCP port (2542 by convention; 0: any free port).", valueName: "port"))
    var xvcPort: Int?

    @Option(name: .customLong("remote-bitbang"), help: ArgumentHelp("Serve OpenOCD's remote_bitbang on this TCP port (0: any free port).", valueName: "port"))
    var rbbPort: Int?

    @Option(help: ArgumentHelp("The address to listen on.", valueName: "address"))
    var listen = "127.0.0.1"

    @Option(help: "The simulated FPGA (12f, 25f, 45f, 85f, um-45f, um5g-85f, or a full name; `tapwalker list parts`).")
    var part = "85f"

    @Option(help: ArgumentHelp("The simulated SPI flash chip (\(FlashChip.all.map(\.id).joined(separator: ", "))).", valueName: "chip"))
    var flash = "w25q128jv"

    @Option(name: .customLong("flash-image"), help: ArgumentHelp("Keep the flash content in this file: an existing file must hold exactly the flash's bytes (it is never resized); a new one is created.", valueName: "path"))
    var flashImage: String?

    @Option(help: ArgumentHelp("TCK in Hz until a client sets its own (at most 25000000).", valueName: "hz"))
    var tck: Int?

    @Option(help: ArgumentHelp("Rewrite this JSON file with cumulative statistics whenever a client disconnects.", valueName: "path"))
    var stats: String?

    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false

    func validate() throws {
        if xvcPort == nil && rbbPort == nil {
            throw ValidationError("give --xvc PORT, --remote-bitbang PORT, or both")
        }
        if let stats { try PathCheck.outputFile(RawArguments.path(stats), option: "--stats") }
    }

    func run() throws {
        var spec = "part=\(part),flash=\(flash)"
        if let tck { spec += ",tck=\(tck)" }
        if let flashImage { spec += ",flash-image=\(flashImage)" }
        let opened: CableOptions.Opened
        do throws(TapWalkerError) {
            opened = try CableOptions.openSimulator(spec, defaulted: false)
        } catch {
            throw fail(error, json: nil)
        }
        guard let sim = opened.simulator else { return }
        Interruption.install()
        var listeners: [TCPListener] = []
        var services: [String] = []
        do throws(TapWalkerError) {
            if let xvcPort {
                listeners.append(try TCPListener(port: xvcPort, host: listen))
                services.append("xvc")
            }
            if let rbbPort {
                listeners.append(try TCPListener(port: rbbPort, host: listen))
                services.append("remote_bitbang")
            }
        } catch {
            throw fail(error, json: nil)
        }
        Chatter.note("tapwalker: \(opened.description), flash \(sim.board.flash?.chip.name ?? "none")")
        for (listener, service) in zip(listeners, services) {
            ServerLog.listening(service, host: listen, port: listener.port)
        }
        var options = JTAGServerOptions()
        options.idleTimeReachesCable = true
        let clock = SystemClock()
        let board = BoardService(cable: sim, lock: JobLock(mutex: SystemMutex()), clock: clock)
        let servers = services.map { service in
            SharedBoardJTAG(board: board, clock: clock, options: options) { peer, text in ServerLog.line(service, peer, text) }
        }
        writeStats(sim)
        // OpenOCD gives up when the socket's buffers fill: remote_bitbang is read ahead of the simulation.
        let readAhead = services.indices.filter { services[$0] == "remote_bitbang" }
        AcceptLoop.run(TCPListenerSet(listeners, readAhead: readAhead), until: { Interruption.requested }, log: { ServerLog.line("sim", nil, $0) }) { accepted in
            if services[accepted.listener] == "xvc" {
                servers[accepted.listener].serveXVC(accepted)
            } else {
                servers[accepted.listener].serveRemoteBitbang(accepted, sampler: sim)
            }
            opened.finish()
            writeStats(sim)
        }
        ServerLog.line("sim", nil, "stopping")
        opened.finish()
        writeStats(sim)
    }

    /// `--stats`: the stable keys the documentation names.
    private func writeStats(_ sim: SimCable) {
        guard let stats else { return }
        var out = JSONObject()
        let s = sim.statistics
        out["tck_cycles"] = .uint(s.tckCycles)
        out["sim_time_us"] = .uint(s.simulatedMicroseconds ?? 0)
        var flash = JSONObject()
        if let f = sim.board.flash {
            flash["page_programs"] = .int(f.pagePrograms)
            flash["erase_4k"] = .int(f.erase4K)
            flash["erase_32k"] = .int(f.erase32K)
            flash["erase_64k"] = .int(f.erase64K)
            flash["chip_erases"] = .int(f.chipErases)
            flash["bytes_read"] = .int(f.bytesRead)
        }
        out["flash"] = .object(flash)
        var fpga = JSONObject()
        let status = sim.board.statusNow
        fpga["done"] = .bool(status.configured)
        fpga["status"] = .hex(status.raw)
        out["fpga"] = .object(fpga)
        // Written beside and renamed (FileSink), so a reader never sees half a file.
        do throws(TapWalkerError) {
            try FileSink.write(Array((out.serialized() + "\n").utf8), to: RawArguments.path(stats))
        } catch {
            ServerLog.problem("sim", nil, "could not write --stats: \(error.message)")
        }
    }
}
