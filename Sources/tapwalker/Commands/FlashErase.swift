import ArgumentParser
import TapWalkerCore

struct FlashErase: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a sector-aligned range of the flash (only sectors not already blank), or the whole chip.")

    @Option(help: "First address (a multiple of 4 KB).") var addr: String?
    @Option(help: "How many bytes (a multiple of 4 KB; K/M suffix allowed).") var length: String?
    @Flag(help: "Erase the whole chip (refused while any range is protected).") var all = false
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func validate() throws {
        if all == (addr != nil || length != nil) {
            throw ValidationError("give either --all, or --addr and --length")
        }
        if !all && (addr == nil || length == nil) { throw ValidationError("--addr and --length go together") }
    }

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            try runFlashJob(cableOptions, access, into: &out) { (session, out) throws(TapWalkerError) in
                let flash = session.flash
                if all {
                    let protected = try flash.protectedRange()
                    guard protected.isEmpty else {
                        throw TapWalkerError(.device, "the \(flash.chip.name) protects \(ASCII.hex(UInt32(protected.lowerBound), digits: 6))–\(ASCII.hex(UInt32(protected.upperBound - 1), digits: 6)); the chip refuses a chip erase; nothing was erased; `tapwalker flash unprotect` removes the protection")
                    }
                    try flash.eraseChip()
                    out["addr"] = .int(0)
                    out["bytes"] = .int(flash.chip.size)
                    return
                }
                let a = try parseAddress(addr!, "--addr"), n = try parseAddress(length!, "--length")
                guard a % FlashChip.sectorSize == 0, n % FlashChip.sectorSize == 0, n > 0 else {
                    throw TapWalkerError(.usage, "--addr and --length must be multiples of 4 KB (0x1000); nothing was erased")
                }
                // Erasing is writing 0xFF: the compare-first writer skips blank sectors and merges erases.
                let r = try FlashWriter(flash: flash).write([UInt8](repeating: 0xFF, count: n), at: a)
                out.addWriteReport(r)
            }
            if let ops = out["erase_ops"], case .object(let o) = ops {
                return ["erased: \(o.int("4k") ?? 0) × 4 KB, \(o.int("32k") ?? 0) × 32 KB, \(o.int("64k") ?? 0) × 64 KB"]
            }
            return ["erased the whole chip"]
        }
    }
}
