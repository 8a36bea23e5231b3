import ArgumentParser
import Foundation
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

    @Argument(help: "The bitstream: a file path, - for standard input, or an http:// URL.") var file: String?
    @Option(name: .customLong("by-idcode"), help: ArgumentHelp(
        "Load DIR/passthru<idcode>.bit (or .bit.gz) chosen by the FPGA's IDCODE (8 lower-case hex digits, as the ULX3S passthru files are named).",
        valueName: "dir"))
    var byIDCODE: String?

    func validate() throws {
        if (file == nil) == (byIDCODE == nil) { throw ValidationError("give a bitstream file or --by-idcode DIR (one of the two)") }
        if let file { try SVFInput.refuse(file) }
    }
    @Flag(help: "Send a bitstream whose VERIFY_ID names another part (the FPGA will refuse it).") var force = false
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            out["file"] = file.map { .string($0) } ?? .null
            // Until the programmer runs (unreadable input, no cable), the SRAM is untouched.
            out["sram_touched"] = .bool(false)
            let cable: CableOptions.Opened
            // gzip and zlib inputs are recognised by content and inflated on the fly.
            let source: any ByteSource
            if let dir = byIDCODE {
                cable = try cableOptions.open()
                let path = try passthruFile(in: dir, cable.cable)
                out["file"] = .string(path)
                source = try openInput(path)
            } else {
                source = try openInput(file!)
                cable = try cableOptions.open()
            }
            defer { cable.finish() }
            out.addStatistics(cable.cable)
            let programmer = SRAMProgrammer(port: ECP5Port(walker: TAPWalker(cable: cable.cable)))
            let bar = ProgressBar(enabled: !json && !quiet)
            let started = MonotonicClock.now()
            let report = programmer.program(source, options: .init(force: force)) { bar.update($0) }
            bar.finish()
            let seconds = MonotonicClock.now() - started
            record(report, cable.cable, into: &out)
            out["seconds"] = .double((seconds * 1e6).rounded() / 1e6)
            if let failure = report.failure { throw failure }
            let sim = cable.cable.statistics.simulatedMicroseconds.map { ", \(Double($0) / 1e6) s simulated" } ?? ""
            return [
                "DONE: \(report.part?.name ?? "FPGA") configured from \(source.name) (\(report.bytesSent) bytes in \((seconds * 1000).rounded() / 1000) s\(sim))",
                "status \(hexString(report.status?.raw ?? 0)) (\(report.status?.summary ?? "")), usercode \(hexString(report.usercode ?? 0))",
            ]
        }
    }

    /// DIR/passthru%08x.bit for the FPGA's IDCODE.
    private func passthruFile(in dir: String, _ cable: any Cable) throws(TapWalkerError) -> String {
        let port = ECP5Port(walker: TAPWalker(cable: cable))
        try port.reset()
        let idcode = try port.readIDCODE()
        guard Part.with(idcode: idcode) != nil else { throw TapWalkerError(.device, noECP5Message(idcode)) }
        let hex = String(ASCII.hex(idcode).dropFirst(2))
        let name = (dir.hasSuffix("/") ? dir : dir + "/") + "passthru" + hex + ".bit"
        for candidate in [name, name + ".gz"] where RawArguments.path(candidate).status() != nil { return candidate }
        throw TapWalkerError(.input, "no passthru bitstream for IDCODE \(ASCII.hex(idcode)) in \(dir): expected \(name); nothing was written")
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
