import ArgumentParser
import TapWalkerCore
import TapWalkerServices

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reload the FPGA from its configuration flash (LSC_REFRESH), as at power-up; exit 1 unless it comes up DONE.")

    @OptionGroup var report: ReportOptions
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let result = board.reload()
                out.add(result)
                if let failure = result.failure { throw failure }
                return ["FPGA reloaded from flash: DONE (status \(ASCII.hex(result.status?.raw ?? 0)), usercode \(ASCII.hex(result.usercode ?? 0)))"]
            }
        }
    }
}
