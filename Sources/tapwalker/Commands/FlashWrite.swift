import ArgumentParser
import TapWalkerCore

struct FlashWrite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write an image (a bitstream or any data) to the flash, changing only what differs.",
        discussion: """
            Reads each 4 KB sector first and leaves it alone, programs it without erasing (when every \
            change clears bits), or erases and programs it; merges erases into 32/64 KB blocks when \
            that is faster; keeps the bytes of partly covered sectors; verifies by reading back. \
            Refuses an image that does not fit or overlaps a protected range before writing anything. \
            Then reloads the FPGA from flash (it boots from address 0): a failed boot fails the \
            command when the image is at address 0, and is reported as a note when the image is \
            elsewhere (a multiboot slot such as 0x200000, started by whatever sits at 0).
            """)

    @Argument(help: "The image: a file path, - for standard input, or an http:// URL.") var file: String
    @Option(help: "Flash address to write at (decimal, 0x-hex, K/M suffix).") var addr = "0"
    @Flag(help: "Skip the read-back verification.") var noVerify = false
    @Flag(name: .shortAndLong, help: "Show the per-sector map.") var verbose = false
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func validate() throws { try SVFInput.refuse(file) }

    func run() throws {
        try runReporting(json: json, keys: StableKeys.of(Self.self)) { (out) throws(TapWalkerError) in
            let address = try parseAddress(addr, "--addr")
            let bar = ProgressBar(enabled: !json && !quiet)
            var report: FlashWriter.Report?
            try runFlashJob(cableOptions, access, into: &out) { (session, out) throws(TapWalkerError) in
                let image = try readImage(file, limit: session.flash.chip.size)
                let r = try FlashWriter(flash: session.flash).write(image, at: address, verify: !noVerify) { bar.update($0) }
                bar.finish()
                out.addWriteReport(r)
                report = r
            }
            if let failure = reloadFailure(out, imageAt: address) { throw failure }
            var lines = ["wrote \(file) at \(ASCII.hex(UInt32(address), digits: 6)) to the \(out.string("chip") ?? "flash")"]
            if let report { lines += writeReportLines(report, verbose: verbose) }
            if case .bool(true)? = out["done"] { lines.append("FPGA reloaded from flash: DONE") }
            if let note = out.string("reload_note") { lines.append("note:     \(note)") }
            return lines
        }
    }
}

extension JSONObject {
    func string(_ key: String) -> String? {
        if case .string(let s)? = self[key] { return s }
        return nil
    }
}
