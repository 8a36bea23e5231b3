import ArgumentParser
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the FPGA's IDCODE, name the part, and decode its status register.")

    @OptionGroup var cableOptions: CableOptions
    @OptionGroup var report: ReportOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            try withBoard(cableOptions, &out) { (board, opened, out) throws(TapWalkerError) in
                let identity = board.identify()
                out.add(identity)
                out["cable"] = .string(opened.description)
                if let failure = identity.failure { throw failure }
                guard let idcode = identity.idcode, let part = identity.part, let status = identity.status else { return [] }
                let lines = [
                    "cable:    \(opened.description)",
                    "IDCODE:   \(ASCII.hex(idcode))  \(part.name)",
                    "geometry: \(part.frames) frames × \(part.bitsPerFrame) bits, boundary scan \(part.boundaryScanLength) bits, \(part.ebrBlocks) EBR",
                    "usercode: \(ASCII.hex(identity.usercode ?? 0))",
                    "status:   \(ASCII.hex(status.raw))  \(status.summary)",
                ]
                return lines + identity.statusLines.map { "  " + $0 }
            }
        }
    }
}

/// Opens the cable, runs `body` with the board service on it, and closes the cable whatever
/// happens; the JSON object gets the cable's statistics on every path.
func withBoard(
    _ cableOptions: CableOptions, _ out: inout JSONObject,
    _ body: (BoardService, CableOptions.Opened, inout JSONObject) throws(TapWalkerError) -> [String]
) throws(TapWalkerError) -> [String] {
    let opened = try cableOptions.open()
    defer { opened.finish() }
    do throws(TapWalkerError) {
        let lines = try body(opened.board(), opened, &out)
        out.addStatistics(opened.cable)
        return lines
    } catch {
        out.addStatistics(opened.cable)
        throw error
    }
}
