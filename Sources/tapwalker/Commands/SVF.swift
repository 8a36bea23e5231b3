import ArgumentParser
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices

struct SVF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svf",
        abstract: "Play an SVF file (Serial Vector Format JTAG vectors) on the cable, checking every TDO.",
        discussion: """
            Plays SIR/SDR (TDI, TDO, MASK, SMASK), ENDIR/ENDDR, STATE, RUNTEST, FREQUENCY, \
            HDR/HIR/TDR/TIR and TRST (accepted; there is no TRST pin) on any device in the chain, \
            streaming the file. A file is read and checked whole first, so a malformed one leaves \
            the board untouched; standard input and URLs are checked as they play. Stops at the \
            first TDO mismatch, naming its line and the expected and actual bits. Exit 0 when played \
            to the end with every TDO check passing, 1 on a mismatch or a device or cable failure, \
            2 for a malformed or unreadable file. gzip is recognised by content. See docs/svf.md.
            """)

    @Argument(help: "The SVF file: a path, - for standard input, or an http:// or https:// URL.") var file: String
    @OptionGroup var report: ReportOptions
    @OptionGroup var urlOptions: URLOptions
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            out["file"] = .string(file)
            out["sram_touched"] = .bool(false)
            // Opened once here so that a missing file is refused before the cable is opened.
            let first = try openInput(file, urlOptions)
            // A regular file can be read twice (checked whole first); a pipe, stdin or a download cannot.
            let reopenable = file != "-" && !HTTPURL.looksLikeURL(file) && RawArguments.path(file).isRegularFile
            return try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let bar = ProgressBar(enabled: !json && !quiet)
                var opened = false
                let result = board.playSVF(checkFirst: reopenable, progress: { bar.update($0) }) { () throws(TapWalkerError) in
                    if opened { return try openInput(file, urlOptions) }
                    opened = true
                    return first
                }
                bar.finish()
                out.add(result)
                if let failure = result.failure { throw failure }
                return ["\(result.input) played to the end: every TDO check passed", result.summary] + (result.fpgaLine.map { [$0] } ?? [])
            }
        }
    }
}
