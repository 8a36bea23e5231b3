import ArgumentParser
import TapWalkerCore
import TapWalkerServices

struct FlashWrite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write an image (a bitstream or any data) to the flash, changing only what differs.",
        discussion: """
            Reads each 4 KB sector first and leaves it alone, programs it without erasing (when every \
            change clears bits), or erases and programs it; merges erases into 32/64 KB blocks when \
            that is faster; keeps the bytes of partly covered sectors; verifies by reading back. \
            Refuses an image that does not fit or overlaps a protected range before writing anything. \
            An image at address 0 (the one the FPGA boots) must be a complete bitstream for the \
            board's part, checked before anything is written (--force writes it anyway). Then \
            reloads the FPGA from flash: a failed boot fails the command when the image is at \
            address 0, and is reported as a note when the image is elsewhere (a multiboot slot such \
            as 0x200000, started by whatever sits at 0). After a write at 0 the boot check runs \
            (see `flash boot-check`) and a primary image the FPGA would not boot fails the command. \
            --primary writes over the primary image of a dual-boot layout (`flash multiboot`) \
            wherever it is, and refuses an image that would reach the golden image or the jump \
            table (--force writes it anyway).
            """)

    @Argument(help: "The image: a file path, - for standard input, or an http:// or https:// URL.") var file: String
    @Option(help: "Flash address to write at (decimal, 0x-hex, K/M suffix).") var addr = "0"
    @Flag(help: "Skip the read-back verification.") var noVerify = false
    @Flag(help: "Write an image at address 0 that is not a complete bitstream for the board's part (the FPGA will not boot from it); with --primary, also over the golden image.") var force = false
    @Flag(help: "Write over the primary image of a dual-boot layout, never the golden image (--addr must be 0).") var primary = false
    @Flag(name: .shortAndLong, help: "Show the per-sector map.") var verbose = false
    @OptionGroup var report: ReportOptions
    @OptionGroup var urlOptions: URLOptions
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func validate() throws { try SVFInput.refuse(file) }

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            let address = try parseAddress(addr, "--addr")
            if primary && address != 0 { throw TapWalkerError(.usage, "--primary finds the primary image's address itself; leave out --addr") }
            out["addr"] = .int(address)
            out["file"] = .string(file)
            let source = try openBitstreamInput(file, urlOptions)  // file, stdin or http://; gzip/zlib by content
            return try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let bar = ProgressBar(enabled: !json && !quiet)
                let result = board.writeFlash(source, at: address, options: access.job(force: force, verify: !noVerify, primaryOnly: primary)) { bar.update($0) }
                bar.finish()
                out.add(result)
                if let failure = result.failure {
                    if let boot = result.access.boot, !json { for line in BootCheckText.lines(boot) { Chatter.note(line) } }
                    throw failure
                }
                var lines = ["wrote \(file) at \(BoardText.address(result.address)) to the \(result.access.chip?.name ?? "flash")"]
                lines += result.detailLines(verbose: verbose)
                if let reload = result.access.reload, reload.done { lines.append("FPGA reloaded from flash: DONE") }
                if let boot = result.access.boot { lines += BootCheckText.lines(boot) }
                return lines
            }
        }
    }
}
