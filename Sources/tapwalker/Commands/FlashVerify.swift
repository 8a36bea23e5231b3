import ArgumentParser
import TapWalkerCore
import TapWalkerServices

struct FlashVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Compare the flash with an image; exit 1 and name the first difference if they differ.")

    @Argument(help: "The image: a file path, - for standard input, or an http:// or https:// URL.") var file: String
    @Option(help: "Flash address the image should be at.") var addr = "0"
    @OptionGroup var report: ReportOptions
    @OptionGroup var urlOptions: URLOptions
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func validate() throws { try SVFInput.refuse(file) }

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            let address = try parseAddress(addr, "--addr")
            out["addr"] = .int(address)
            out["file"] = .string(file)
            let source = try openBitstreamInput(file, urlOptions)
            return try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let result = board.verifyFlash(source, at: address, options: access.job())
                out.add(result)
                if let failure = result.failure { throw failure }
                return ["the flash at \(BoardText.address(address)) holds \(file) exactly"]
            }
        }
    }
}
