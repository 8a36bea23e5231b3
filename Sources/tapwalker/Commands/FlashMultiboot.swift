import ArgumentParser
import TapWalkerCore
import TapWalkerServices

struct FlashMultiboot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multiboot",
        abstract: "Write a primary and a golden image with the jump table the FPGA falls back through.",
        discussion: """
            The ECP5's dual-boot layout (docs/ecp5.md §6): the primary image at --primary-addr (0, \
            or elsewhere with a JUMP at 0 to it), the golden image at --golden-addr (default: the \
            first 64 KB boundary after the primary), and at the top of the flash the jump table \
            the FPGA reads when the primary fails its CRC or is blank. Both images are checked as \
            bitstreams for the board's part, and the layout is rehearsed in memory with the primary \
            damaged on purpose (the golden image must then load) before the flash changes. Each \
            region is written compare-first and verified, and the boot check then runs on the flash.
            """)

    @Option(help: "The golden image (the fall-back bitstream): a file path or an http:// or https:// URL.") var golden: String
    @Option(help: "The primary image (the bitstream that normally boots).") var primary: String
    @Option(help: "Where the primary image goes (64 KB boundary).") var primaryAddr = "0"
    @Option(help: "Where the golden image goes (64 KB boundary; default: after the primary).") var goldenAddr: String?
    @Flag(help: "Write images that are not bitstreams for the board's part, and skip the rehearsal.") var force = false
    @Flag(help: "Skip the read-back verification.") var noVerify = false
    @OptionGroup var report: ReportOptions
    @OptionGroup var urlOptions: URLOptions
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func validate() throws {
        try SVFInput.refuse(golden)
        try SVFInput.refuse(primary)
    }

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            let primaryAt = try parseAddress(primaryAddr, "--primary-addr")
            let goldenAt = try goldenAddr.map { (text) throws(TapWalkerError) in try parseAddress(text, "--golden-addr") }
            let primarySource = try openBitstreamInput(primary, urlOptions)
            let goldenSource = try openBitstreamInput(golden, urlOptions)
            return try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let bar = ProgressBar(enabled: !json && !quiet)
                let result = board.writeMultiboot(golden: goldenSource, primary: primarySource, primaryAddress: primaryAt, goldenAddress: goldenAt,
                                                  options: access.job(force: force, verify: !noVerify)) { bar.update($0) }
                bar.finish()
                out.add(result)
                if let failure = result.failure { throw failure }
                var lines = result.writes.map { "\($0.name) at \(BoardText.address($0.address)): \($0.report.bytes) bytes, \($0.report.sectorsTotal) sectors, \($0.report.sectorsUnchanged) unchanged" }
                if let rehearsal = result.rehearsal, let loaded = rehearsal.loaded {
                    lines.append("rehearsal with the primary damaged: the FPGA falls back to the golden image at \(BoardText.address(loaded.imageAddress))")
                }
                if let boot = result.access.boot { lines += BootCheckText.lines(boot) }
                return lines
            }
        }
    }
}

extension FlashMultiboot: ReportingCommand {}
extension FlashBootCheck: ReportingCommand {}
