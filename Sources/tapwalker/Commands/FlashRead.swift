import ArgumentParser
import TapWalkerCore
import TapWalkerPlatform

struct FlashRead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Read a range of the flash into a file.")

    @Option(help: "First address to read (decimal, 0x-hex, K/M suffix).") var addr = "0"
    @Option(help: "How many bytes to read (decimal, 0x-hex, K/M suffix); default: to the end of the chip.") var length: String?
    @Option(name: .shortAndLong, help: "The file to write (- for standard output); it receives exactly the bytes read, or is left as it was if the read fails.") var output: String
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false
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
            let bar = ProgressBar(enabled: !json && !quiet)
            try runFlashJob(cableOptions, access, into: &out) { (session, out) throws(TapWalkerError) in
                let size = session.flash.chip.size
                let count = try length.map { (t) throws(TapWalkerError) in try parseAddress(t, "--length") } ?? (size - min(address, size))
                guard address + count <= size, count > 0 else {
                    throw TapWalkerError(.usage, "reading \(count) bytes at \(ASCII.hex(UInt32(address), digits: 6)) does not fit the \(size >> 20) MB \(session.flash.chip.name)")
                }
                var data: [UInt8] = []
                data.reserveCapacity(count)
                while data.count < count {
                    data += try session.flash.read(address: address + data.count, count: min(65536, count - data.count))
                    bar.update(Progress(phase: "reading", done: data.count, total: count))
                }
                bar.finish()
                try OutputFile.write(data, to: output)
                out["addr"] = .int(address)
                out["bytes"] = .int(count)
                out["file"] = .string(output)
            }
            return ["read \(out.int("bytes") ?? 0) bytes at \(ASCII.hex(UInt32(address), digits: 6)) into \(output)"]
        }
    }
}

extension JSONObject {
    func int(_ key: String) -> Int? {
        if case .int(let v)? = self[key] { return v }
        return nil
    }
}
