import ArgumentParser
import TapWalkerCore

struct FlashVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Compare the flash with an image; exit 1 and name the first difference if they differ.")

    @Argument(help: "The image: a file path, - for standard input, or an http:// URL.") var file: String
    @Option(help: "Flash address the image should be at.") var addr = "0"
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func validate() throws { try SVFInput.refuse(file) }

    func run() throws {
        try runReporting(json: json, keys: StableKeys.of(Self.self)) { (out) throws(TapWalkerError) in
            let address = try parseAddress(addr, "--addr")
            var firstDifference: Int?
            try runFlashJob(cableOptions, access, into: &out) { (session, out) throws(TapWalkerError) in
                let image = try readImage(file, limit: session.flash.chip.size)
                guard address + image.count <= session.flash.chip.size else {
                    throw TapWalkerError(.usage, "the image does not fit the flash at that address")
                }
                let sector = FlashChip.sectorSize
                var matching = 0, differing = 0, total = 0
                var at = 0
                while at < image.count {
                    let n = min(sector - (address + at) % sector, image.count - at)
                    let got = try session.flash.read(address: address + at, count: n)
                    total += 1
                    if let k = (0..<n).first(where: { got[$0] != image[at + $0] }) {
                        differing += 1
                        if firstDifference == nil { firstDifference = address + at + k }
                    } else {
                        matching += 1
                    }
                    at += n
                }
                out["addr"] = .int(address)
                out["bytes"] = .int(image.count)
                var sectors = JSONObject()
                sectors["total"] = .int(total)
                sectors["unchanged"] = .int(matching)
                sectors["programmed"] = .int(0)
                sectors["erased"] = .int(0)
                sectors["differing"] = .int(differing)
                out["sectors"] = .object(sectors)
                var ops = JSONObject()
                ops["4k"] = .int(0)
                ops["32k"] = .int(0)
                ops["64k"] = .int(0)
                out["erase_ops"] = .object(ops)
                out["verified"] = .bool(differing == 0)
            }
            if let at = firstDifference {
                throw TapWalkerError(.data, "the flash differs from \(file): first at \(ASCII.hex(UInt32(at), digits: 6))")
            }
            return ["the flash at \(ASCII.hex(UInt32(address), digits: 6)) holds \(file) exactly"]
        }
    }
}
