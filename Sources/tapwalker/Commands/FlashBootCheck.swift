import ArgumentParser
import TapWalkerCore
import TapWalkerServices

struct FlashBootCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot-check",
        abstract: "Read the flash and say which image the FPGA would boot from it, or why none; exit 1 when none.",
        discussion: """
            Reads the flash through the JTAG bridge the way the FPGA reads it at power-up and runs \
            the FPGA's own checks on it (preamble, every CRC, VERIFY_ID against the board's part, \
            frames, a JUMP at 0), for the primary path from address 0 and for the fall-back path \
            through the jump table at the top of the flash to the golden image. The FPGA is not \
            configured from what is read; like every flash command it is reloaded from flash at the \
            end. It cannot see the board's configuration pins, PROGRAMN, or whether the design \
            works (docs/ecp5.md §6).
            """)

    @OptionGroup var report: ReportOptions
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let result = board.checkBoot(access.job())
                out.add(result.access)
                if let failure = result.failure {
                    if let boot = result.boot, !json { for line in BootCheckText.lines(boot) { Chatter.note(line) } }
                    throw failure
                }
                return result.boot.map(BootCheckText.lines) ?? []
            }
        }
    }
}
