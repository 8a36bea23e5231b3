// End-to-end check of the Embedded Swift build: programs a real bitstream into the simulated ECP5
// through TapWalkerCore and TapWalkerSim compiled with -enable-experimental-feature Embedded, and
// exits non-zero unless the simulated FPGA reports DONE. Also proves a wrong-part bitstream is
// refused before the SRAM is touched, and writes the bitstream to the simulated flash with the
// compare-first writer, reads it back, and boots the FPGA from it. Then runs the network services
// (TapWalkerServices) in Embedded Swift: an XVC session, a remote_bitbang session and an FTP
// session (services.swift). Each job's heap, stack and (on RISC-V) instructions are measured
// (jobmeter.swift) against the budgets of budgets.swift.
//
// Usage: embedded-check [--budgets=report] BITSTREAM(85F) [COMPRESSED-BITSTREAM(25F)]
// With --budgets=report the figures are printed and a job over its budget does not fail the check.
import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices
import TapWalkerSim
import TapWalkerVirtualBoard

/// Reads a file through stdio: the platform layer of an embedded build.
/// The flash write as the firmware runs it: the board service streams the image from the file as
/// it would from an upload, holding no more of it than a device does (one sector), checks the boot
/// image at address 0, writes and verifies it sector by sector, and reloads the FPGA from the flash.
func flashRoundTrip(_ path: UnsafePointer<CChar>, _ image: [UInt8]) -> Bool {
    guard let source = StdioSource(path: path) else { return false }
    let cable = MeteredCable()
    let board = BoardService(cable: cable, lock: JobLock(mutex: NoMutex()), clock: ManualClock())
    board.inputBufferLimit = FlashChip.sectorSize
    let meter = JobMeter("flash write", .flashWrite)
    let result = board.writeFlash(source, at: 0)
    meter.finish()
    if let failure = result.failure {
        print("embedded-check: FAILED: flash write: \(failure.message)")
        return false
    }
    guard let flash = cable.board.flash else { return false }
    let back = Array(flash.memory[0..<image.count])
    let report = result.report
    let done = result.access.reload?.done ?? false
    print("embedded-check: flash \(flash.chip.name): \(report.sectorsTotal) sectors, \(report.pagesProgrammed) pages, verified \(report.verified), read back \(back == image ? "equal" : "DIFFERENT"), boot DONE \(done)")
    return report.verified && back == image && done
}

final class StdioSource: ByteSource {
    let file: UnsafeMutablePointer<FILE>
    let name: String
    var totalBytes: Int? { nil }

    init?(path: UnsafePointer<CChar>) {
        guard let f = fopen(path, "rb") else { return nil }
        file = f
        name = "bitstream"
    }

    deinit { fclose(file) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        meter_input_enter()
        defer { meter_input_leave() }
        return fread(buffer.baseAddress, 1, buffer.count, file)
    }
}

/// Loads the bitstream at `path` into the SRAM of a simulated `part`; measured as `job` if named.
func program(_ path: UnsafePointer<CChar>, part: Part, job: String? = nil) -> (SRAMProgrammer.Report, MeteredCable)? {
    guard let source = StdioSource(path: path) else { return nil }
    var options = SimOptions()
    options.part = part
    let cable = MeteredCable(options: options)
    let meter = job.map { JobMeter($0, .sramLoad) }
    let programmer = SRAMProgrammer(port: ECP5Port(walker: TapWalker(cable: cable)))
    let report = programmer.program(source)
    meter?.finish(bits: cable.statistics.tckCycles)
    return (report, cable)
}

/// Inflates a zlib stream made with a 4 KB window (windowBits 12) from the first 256 KB of
/// `image`, measuring the decoder, and checks the bytes come back.
func inflate4KWindow(_ image: [UInt8]) throws(TapWalkerError) -> Bool {
    let plain = Array(image[0..<min(image.count, 256 * 1024)])
    let packed = try Deflater.compress(plain, windowBits: 12, format: .zlib)
    var buffer = [UInt8](repeating: 0, count: 4096)
    var back: [UInt8] = []
    back.reserveCapacity(plain.count)
    let packedSource = MemorySource(packed)
    let meter = JobMeter("inflate 4K window", .inflate4KWindow)
    let source = DecompressingSource(packedSource, windowBits: 12)
    while true {
        let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) in try source.read(into: p) }
        if n == 0 { break }
        back += buffer[0..<n]
    }
    meter.finish()
    print("embedded-check: inflate: \(packed.count) bytes with a 4 KB window gave \(back.count) bytes, \(back == plain ? "equal" : "DIFFERENT")")
    return back == plain
}

@_cdecl("main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var paths: [UnsafePointer<CChar>] = []
    for i in 1..<Int(argc) {
        guard let a = argv[i] else { continue }
        if strcmp(a, "--budgets=report") == 0 {
            JobMeter.enforce = false
        } else {
            paths.append(UnsafePointer(a))
        }
    }
    guard paths.count == 1 || paths.count == 2 else {
        print("usage: embedded-check [--budgets=report] BITSTREAM(85F) [COMPRESSED-BITSTREAM(25F)]")
        return 2
    }
    let path = paths[0]
    JobMeter.bracketCost = meter_bracket_cost()
    let part85 = Part.with(idcode: 0x4111_3043)!
    guard let (report, cable) = program(path, part: part85, job: "SRAM load 85F") else {
        print("embedded-check: cannot open the bitstream")
        return 2
    }
    let status = report.status.map { ASCII.hex($0.raw) } ?? "none"
    print("embedded-check: \(report.bytesSent) bytes, status \(status), DONE \(report.done), \(cable.statistics.tckCycles) TCK cycles, digest \(ASCII.hex(cable.board.configurationDigest))")
    if let failure = report.failure {
        print("embedded-check: FAILED: \(failure.message)")
        return 1
    }
    guard report.done, cable.board.configurationValid else {
        print("embedded-check: FAILED: no DONE")
        return 1
    }
    // The same bitstream offered to a 45F must be refused before anything is erased.
    let part45 = Part.with(idcode: 0x4111_2043)!
    guard let (refused, cable45) = program(path, part: part45) else { return 2 }
    guard !refused.ok, !refused.sramTouched, cable45.board.status.bse == .preamble else {
        print("embedded-check: FAILED: a bitstream for the 85F was not refused by a 45F")
        return 1
    }
    print("embedded-check: wrong part refused: \(refused.failure?.message ?? "")")
    guard let source = StdioSource(path: path) else { return 2 }
    do throws(TapWalkerError) {
        let image = try source.readAll(limit: 16 << 20, tooLarge: TapWalkerError(.input, "the bitstream is larger than the flash"))
        guard flashRoundTrip(path, image) else {
            print("embedded-check: FAILED: flash write, read back or boot")
            return 1
        }
        guard try inflate4KWindow(image) else {
            print("embedded-check: FAILED: the 4 KB-window stream did not inflate to its input")
            return 1
        }
    } catch {
        print("embedded-check: FAILED: \(error.message)")
        return 1
    }
    guard xvcReadsIDCODE() else {
        print("embedded-check: FAILED: the XVC server did not read the IDCODE")
        return 1
    }
    guard remoteBitbangReadsIDCODE() else {
        print("embedded-check: FAILED: the remote_bitbang server did not read the IDCODE")
        return 1
    }
    _ = idleServicesHeap()
    guard ftpSiteIDCODE() else {
        print("embedded-check: FAILED: the FTP session did not log in, refuse and answer as expected")
        return 1
    }
    if paths.count == 2 {
        let part25 = Part.with(idcode: 0x4111_1043)!
        guard let (compressed, cable25) = program(paths[1], part: part25, job: "SRAM load 25F compressed") else {
            print("embedded-check: cannot open the compressed bitstream")
            return 2
        }
        print("embedded-check: compressed: \(compressed.bytesSent) bytes, DONE \(compressed.done), \(cable25.statistics.tckCycles) TCK cycles, digest \(ASCII.hex(cable25.board.configurationDigest))")
        guard compressed.ok, compressed.done else {
            print("embedded-check: FAILED: the compressed bitstream: \(compressed.failure?.message ?? "no DONE")")
            return 1
        }
    }
    // The device's own cable on the virtual ESP32's pins and SPI master (pins.swift).
    guard PinCableCheck.run(path, paths.count == 2 ? paths[1] : nil, digest: cable.board.configurationDigest) else {
        return 1
    }
    if !JobMeter.overBudget.isEmpty {
        var names = ""
        for n in JobMeter.overBudget { names += (names.isEmpty ? "" : ", ") + n }
        let enforced = JobMeter.enforce && JobMeter.budgetsApply
        print("embedded-check: \(enforced ? "FAILED: " : "")over budget: \(names)\(enforced ? "" : " (reported only)")")
        if enforced { return 1 }
    }
    print("embedded-check: OK")
    return 0
}
