import ArgumentParser
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices

struct Flash: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read, write, verify, erase and protect the SPI configuration flash behind the FPGA.",
        discussion: """
            The flash is reached through the ECP5's own SPI bridge (LSC_PROG_SPI). By default the SRAM \
            is cleared first, so that a running design cannot hold the SPI pins, and the FPGA is \
            reloaded from flash at the end, whether the job worked or was refused (--keep-running \
            and --no-reload change that). Inputs, addresses and lengths are checked before the \
            running design is stopped.
            """,
        subcommands: [FlashInfo.self, FlashWrite.self, FlashRead.self, FlashVerify.self, FlashErase.self,
                      FlashProtect.self, FlashUnprotect.self, FlashBootCheck.self, FlashMultiboot.self]
    )
}

/// How a flash command reaches the flash and what it leaves behind.
struct FlashAccessOptions: ParsableArguments {
    @Flag(help: "Reach the flash without clearing the running design (only works if that design enables the master SPI port); the design keeps running and the FPGA is not reloaded.")
    var keepRunning = false
    @Flag(help: "Leave the FPGA unconfigured instead of reloading it from flash at the end.")
    var noReload = false

    func job(force: Bool = false, verify: Bool = true, primaryOnly: Bool = false) -> FlashJobOptions {
        var o = FlashJobOptions(keepRunning: keepRunning, noReload: noReload, force: force, verify: verify)
        o.primaryOnly = primaryOnly
        return o
    }
}

func parseAddress(_ text: String, _ what: String) throws(TapWalkerError) -> Int {
    guard let v = ASCII.parseInteger(text), v >= 0 else {
        throw TapWalkerError(.usage, "\(what) '\(text)' is not a number (decimal, 0x-hex, or with K/M)")
    }
    return v
}
