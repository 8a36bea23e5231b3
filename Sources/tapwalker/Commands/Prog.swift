import ArgumentParser
import Foundation
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices

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

    @Argument(help: "The bitstream: a file path, - for standard input, or an http:// or https:// URL.") var file: String?
    @Option(name: .customLong("by-idcode"), help: ArgumentHelp(
        "Load DIR/passthru<idcode>.bit (or .bit.gz) chosen by the FPGA's IDCODE (8 lower-case hex digits, as the ULX3S passthru files are named).",
        valueName: "dir"))
    var byIDCODE: String?

    func validate() throws {
        if (file == nil) == (byIDCODE == nil) { throw ValidationError("give a bitstream file or --by-idcode DIR (one of the two)") }
        if let file { try SVFInput.refuse(file) }
    }
    @Flag(help: "Send a bitstream whose VERIFY_ID names another part (the FPGA will refuse it).") var force = false
    @OptionGroup var report: ReportOptions
    @OptionGroup var urlOptions: URLOptions
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            out["file"] = file.map { .string($0) } ?? .null
            // Until the programmer runs (unreadable input, no cable), the SRAM is untouched.
            out["sram_touched"] = .bool(false)
            // A file that cannot be opened is refused before the cable is.
            let source = try file.map { (path) throws(TapWalkerError) in try openBitstreamInput(path, urlOptions) }
            return try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let bar = ProgressBar(enabled: !json && !quiet)
                let result: SRAMLoadResult
                if let dir = byIDCODE {
                    result = board.loadPassthru(from: dir, files: HostFileSystem()) { bar.update($0) }
                } else {
                    result = board.loadSRAM(source!, force: force) { bar.update($0) }
                }
                bar.finish()
                out.add(result)
                out["seconds"] = .raw(String(Double(result.microseconds) / 1e6))
                if let failure = result.failure { throw failure }
                return [
                    "DONE: \(result.part?.name ?? "FPGA") configured from \(result.input)",
                    result.summary,
                    "status \(ASCII.hex(result.status?.raw ?? 0)) (\(result.status?.summary ?? ""))",
                ]
            }
        }
    }
}
