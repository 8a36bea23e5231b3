import ArgumentParser
import TapWalkerCore
import TapWalkerServices
import TapWalkerPlatform

struct FlashRead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Read a range of the flash into a file.")

    @Option(help: "First address to read (decimal, 0x-hex, K/M suffix).") var addr = "0"
    @Option(help: "How many bytes to read (decimal, 0x-hex, K/M suffix); default: to the end of the chip.") var length: String?
    @Option(name: .shortAndLong, help: "The file to write (- for standard output); it receives exactly the bytes read, or is left as it was if the read fails.") var output: String
    @OptionGroup var report: ReportOptions
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    /// The output is checked before the job clears the SRAM.
    func validate() throws {
        if OutputFile.isStandardOutput(output) && json {
            throw ValidationError("-o - writes the flash's bytes to standard output, where --json would print its object; use one of the two")
        }
        try OutputFile.check(output)
    }

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            let address = try parseAddress(addr, "--addr")
            let count = try length.map { (t) throws(TapWalkerError) in try parseAddress(t, "--length") }
            return try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let bar = ProgressBar(enabled: !json && !quiet)
                var data: [UInt8] = []
                let result = board.readFlash(at: address, count: count, options: access.job(), progress: { bar.update($0) }) {
                    (block) throws(TapWalkerError) in data += block
                }
                bar.finish()
                out.add(result.access)
                out["addr"] = .int(address)
                if let failure = result.failure { throw failure }
                try OutputFile.write(data, to: output)
                out["bytes"] = .int(result.bytes)
                out["file"] = .string(output)
                return ["read \(result.bytes) bytes at \(BoardText.address(address)) into \(output)"]
            }
        }
    }
}
