// End-to-end check of the Embedded Swift build: programs a real bitstream into the simulated ECP5
// through TapWalkerCore and TapWalkerSim compiled with -enable-experimental-feature Embedded, and
// exits non-zero unless the simulated FPGA reports DONE. Also proves a wrong-part bitstream is
// refused before the SRAM is touched, and writes the bitstream to the simulated flash with the
// compare-first writer, reads it back, and boots the FPGA from it. Then runs the network services
// (TapWalkerServices) in Embedded Swift: an XVC session and an FTP session (services.swift).
import TapWalkerCore
import TapWalkerServices
import TapWalkerSim

/// Reads a file through stdio: the platform layer of an embedded build.
func flashRoundTrip(_ image: [UInt8]) throws(TapWalkerError) -> Bool {
    let cable = SimCable(options: SimOptions())
    let session = try FlashSession(port: ECP5Port(walker: TAPWalker(cable: cable)))
    let report = try FlashWriter(flash: session.flash).write(image, at: 0)
    let back = try session.flash.read(address: 0, count: image.count)
    let reload = try session.close()
    print("embedded-check: flash \(session.flash.chip.name): \(report.sectorsTotal) sectors, \(report.pagesProgrammed) pages, verified \(report.verified), read back \(back == image ? "equal" : "DIFFERENT"), boot DONE \(reload?.done ?? false)")
    return report.verified && back == image && reload?.done == true
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
        fread(buffer.baseAddress, 1, buffer.count, file)
    }
}

func program(_ path: UnsafePointer<CChar>, part: Part) -> (SRAMProgrammer.Report, SimCable)? {
    guard let source = StdioSource(path: path) else { return nil }
    var options = SimOptions()
    options.part = part
    let cable = SimCable(options: options)
    let programmer = SRAMProgrammer(port: ECP5Port(walker: TAPWalker(cable: cable)))
    return (programmer.program(source), cable)
}

@_cdecl("main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    guard argc == 2, let path = argv[1] else {
        print("usage: embedded-check BITSTREAM(85F)")
        return 2
    }
    let part85 = Part.with(idcode: 0x4111_3043)!
    guard let (report, cable) = program(path, part: part85) else {
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
        guard try flashRoundTrip(image) else {
            print("embedded-check: FAILED: flash write, read back or boot")
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
    guard ftpSiteIDCODE() else {
        print("embedded-check: FAILED: the FTP session did not log in, refuse and answer as expected")
        return 1
    }
    print("embedded-check: OK")
    return 0
}
