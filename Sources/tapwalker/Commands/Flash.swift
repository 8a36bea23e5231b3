import ArgumentParser
import TapWalkerCore
import TapWalkerPlatform

struct Flash: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read, write, verify, erase and protect the SPI configuration flash behind the FPGA.",
        discussion: """
            The flash is reached through the ECP5's own SPI bridge (LSC_PROG_SPI). By default the SRAM \
            is cleared first, so that a running design cannot hold the SPI pins, and the FPGA is \
            reloaded from flash at the end (--keep-running and --no-reload change that).
            """,
        subcommands: [FlashInfo.self, FlashWrite.self, FlashRead.self, FlashVerify.self, FlashErase.self,
                      FlashProtect.self, FlashUnprotect.self]
    )
}

/// How a flash command reaches the flash and what it leaves behind.
struct FlashAccessOptions: ParsableArguments {
    @Flag(help: "Reach the flash without clearing the running design (only works if that design enables the master SPI port).")
    var keepRunning = false
    @Flag(help: "Leave the FPGA unconfigured instead of reloading it from flash at the end.")
    var noReload = false

    var session: FlashSession.Options { FlashSession.Options(keepRunning: keepRunning, reload: !noReload) }
}

/// Opens the cable and a flash session, runs `body`, closes the session (reloading the FPGA unless
/// told not to) and saves a simulated flash image. The JSON object gets the common keys.
func runFlashJob(
    _ cableOptions: CableOptions, _ access: FlashAccessOptions, reloads: Bool = true, into out: inout JSONObject,
    _ body: (FlashSession, inout JSONObject) throws(TapWalkerError) -> Void
) throws(TapWalkerError) {
    let opened = try cableOptions.open()
    defer { opened.finish() }
    do throws(TapWalkerError) {
        let session = try FlashSession(port: ECP5Port(walker: TAPWalker(cable: opened.cable)),
                                       options: reloads ? access.session : FlashSession.Options(keepRunning: access.keepRunning, reload: false))
        out["chip"] = .string(session.flash.chip.name)
        out["jedec"] = .string(ASCII.hex(session.flash.jedecID, digits: 6))
        try body(session, &out)
        let reload = try session.close()
        out["done"] = reload.map { .bool($0.done) } ?? .null
        out["fpga_status"] = reload.map { .hex($0.status.raw) } ?? .null
        if let why = reload?.explanation { out["reload_note"] = .string(why) }
        out.addStatistics(opened.cable)
    } catch {
        out.addStatistics(opened.cable)
        throw error
    }
}

/// Reads a whole input into memory, refusing more than `limit` bytes (the flash size).
func readImage(_ path: String, limit: Int) throws(TapWalkerError) -> [UInt8] {
    let source = try openInput(path)  // file, stdin or http://; gzip/zlib by content
    if let total = source.totalBytes, total > limit {
        throw TapWalkerError(.usage, "\(path) has \(total) bytes, more than the \(limit >> 20) MB flash holds; nothing was written")
    }
    let image = try source.readAll(
        limit: limit,
        tooLarge: TapWalkerError(.usage, "\(source.name) has more bytes than the \(limit >> 20) MB flash holds; nothing was written"))
    if image.isEmpty { throw TapWalkerError(.input, "\(source.name) is empty; nothing was written") }
    return image
}

func parseAddress(_ text: String, _ what: String) throws(TapWalkerError) -> Int {
    guard let v = ASCII.parseInteger(text), v >= 0 else {
        throw TapWalkerError(.usage, "\(what) '\(text)' is not a number (decimal, 0x-hex, or with K/M)")
    }
    return v
}

/// The writer's outcome as text.
func writeReportLines(_ r: FlashWriter.Report, verbose: Bool) -> [String] {
    var lines: [String] = []
    if verbose { lines.append("map:      \(String(decoding: r.map, as: UTF8.self))   (. unchanged, w programmed, e erased)") }
    lines.append("sectors:  \(r.sectorsTotal) total: \(r.sectorsUnchanged) unchanged, \(r.sectorsProgrammed) programmed, \(r.sectorsErased) erased")
    lines.append("erases:   \(r.erase4K) × 4 KB, \(r.erase32K) × 32 KB, \(r.erase64K) × 64 KB; \(r.pagesProgrammed) pages programmed")
    lines.append("traffic:  \(r.bytesRead) bytes read, \(r.bytesWritten) bytes written" + (r.verified ? ", verified" : ", not verified") + (r.retries > 0 ? ", \(r.retries) sectors redone" : ""))
    return lines
}

extension JSONObject {
    mutating func addWriteReport(_ r: FlashWriter.Report) {
        self["addr"] = .int(r.address)
        self["bytes"] = .int(r.bytes)
        var sectors = JSONObject()
        sectors["total"] = .int(r.sectorsTotal)
        sectors["unchanged"] = .int(r.sectorsUnchanged)
        sectors["programmed"] = .int(r.sectorsProgrammed)
        sectors["erased"] = .int(r.sectorsErased)
        self["sectors"] = .object(sectors)
        var ops = JSONObject()
        ops["4k"] = .int(r.erase4K)
        ops["32k"] = .int(r.erase32K)
        ops["64k"] = .int(r.erase64K)
        self["erase_ops"] = .object(ops)
        self["pages_programmed"] = .int(r.pagesProgrammed)
        self["bytes_read"] = .int(r.bytesRead)
        self["bytes_written"] = .int(r.bytesWritten)
        self["retries"] = .int(r.retries)
        self["verified"] = .bool(r.verified)
        self["map"] = .string(String(decoding: r.map, as: UTF8.self))
    }
}

/// Fails the command when the FPGA did not come back after the reload although the image written
/// is the one it boots (it covers address 0). An image elsewhere (a multiboot slot such as the
/// ULX3S user area at 0x200000) is started by whatever sits at 0, so its reload is only reported.
func reloadFailure(_ out: JSONObject, imageAt address: Int) -> TapWalkerError? {
    if address == 0, case .bool(false)? = out["done"], case .string(let why)? = out["reload_note"] {
        return TapWalkerError(.device, "the flash was written, but \(why)")
    }
    return nil
}
