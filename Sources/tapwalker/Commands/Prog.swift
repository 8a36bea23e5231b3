import ArgumentParser
import TapWalkerCore
import TapWalkerPlatform

struct Prog: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load a bitstream into the FPGA's configuration SRAM.",
        discussion: """
            Reads the FPGA's IDCODE and the bitstream's VERIFY_ID first, and refuses a bitstream for \
            another part before anything is erased. Then enables configuration, erases the SRAM, \
            streams the bitstream and checks that the FPGA reports DONE with no error. The bitstream \
            may have its comment header or not. The design is lost at power-off; to keep it, write \
            it to the configuration flash.
            """)

    @Argument(help: "The bitstream: a file path, or - for standard input.") var file: String
    @Flag(help: "Send a bitstream whose VERIFY_ID names another part (the FPGA will refuse it).") var force = false
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: "No progress bar.") var quiet = false
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        var out = JSONObject()
        out["ok"] = .bool(false)
        out["error"] = .null
        out["file"] = .string(file)
        var opened: CableOptions.Opened?
        do throws(TapWalkerError) {
            let source = try FileSource(path: file)
            let cable = try cableOptions.open()
            opened = cable
            let programmer = SRAMProgrammer(port: ECP5Port(walker: TAPWalker(cable: cable.cable)))
            let bar = ProgressBar(enabled: !json && !quiet)
            let started = MonotonicClock.now()
            let report = programmer.program(source, options: .init(force: force)) { bar.update($0) }
            bar.finish()
            let seconds = MonotonicClock.now() - started
            record(report, cable.cable, into: &out)
            out["seconds"] = .double((seconds * 1e6).rounded() / 1e6)
            if let failure = report.failure { throw failure }
            out["ok"] = .bool(true)
            if json {
                print(out.serialized())
                return
            }
            let sim = cable.cable.statistics.simulatedMicroseconds.map { ", \(Double($0) / 1e6) s simulated" } ?? ""
            print("DONE: \(report.part?.name ?? "FPGA") configured from \(source.name) (\(report.bytesSent) bytes in \((seconds * 1000).rounded() / 1000) s\(sim))")
            print("status \(hexString(report.status?.raw ?? 0)) (\(report.status?.summary ?? "")), usercode \(hexString(report.usercode ?? 0))")
        } catch {
            // Refused before the programmer ran (unreadable input, no cable): the SRAM was not touched.
            if out["sram_touched"] == nil { out["sram_touched"] = .bool(false) }
            if out["tck_cycles"] == nil, let c = opened?.cable { out.addStatistics(c) }
            throw fail(error, json: json ? out : nil)
        }
    }

    private func record(_ report: SRAMProgrammer.Report, _ cable: any Cable, into out: inout JSONObject) {
        out["idcode"] = .hex(report.idcode)
        out["part"] = .optional(report.part?.name)
        out["status"] = .hex(report.status?.raw)
        out["done"] = .bool(report.done)
        out["bse"] = report.status.map { $0.bse == .none ? .null : .string($0.bse.name) } ?? .null
        out["bytes"] = .int(report.bytesSent)
        out["usercode"] = .hex(report.usercode)
        out["sram_touched"] = .bool(report.sramTouched)
        out.addStatistics(cable)
    }
}
