import ArgumentParser
import TapWalkerCore
import TapWalkerServices

struct FlashErase: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a sector-aligned range of the flash (only sectors not already blank), or the whole chip.")

    @Option(help: "First address (a multiple of 4 KB).") var addr: String?
    @Option(help: "How many bytes (a multiple of 4 KB; K/M suffix allowed).") var length: String?
    @Flag(help: "Erase the whole chip (refused while any range is protected).") var all = false
    @OptionGroup var report: ReportOptions
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func validate() throws {
        if all == (addr != nil || length != nil) {
            throw ValidationError("give either --all, or --addr and --length")
        }
        if !all && (addr == nil || length == nil) { throw ValidationError("--addr and --length go together") }
    }

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            let address = try addr.map { (t) throws(TapWalkerError) in try parseAddress(t, "--addr") }
            let count = try length.map { (t) throws(TapWalkerError) in try parseAddress(t, "--length") } ?? 0
            return try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let result = board.eraseFlash(at: all ? nil : address, length: count, options: access.job())
                out.add(result.access)
                if result.wholeChip {
                    out["addr"] = .int(0)
                    out["bytes"] = .int(result.length)
                } else {
                    out.add(writeReport: result.report, address: result.address)
                }
                if let failure = result.failure { throw failure }
                return [result.summary]
            }
        }
    }
}
