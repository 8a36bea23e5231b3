import ArgumentParser
import TapWalkerCore
import TapWalkerPlatform

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the FPGA's IDCODE, name the part, and decode its status register.")

    @OptionGroup var cableOptions: CableOptions
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            let opened = try cableOptions.open()
            defer { opened.finish() }
            let port = ECP5Port(walker: TAPWalker(cable: opened.cable))
            try port.reset()
            let idcode = try port.readIDCODE()
            out["idcode"] = .hex(idcode)
            guard let part = Part.with(idcode: idcode) else {
                throw TapWalkerError(.device, noECP5Message(idcode).replacingOccurrences(of: "; nothing was written", with: ""))
            }
            out["part"] = .string(part.name)
            let status = try port.readStatus()
            let usercode = try port.readUserCode()
            out["status"] = .hex(status.raw)
            out["done"] = .bool(status.done)
            out["bse"] = status.bse == .none ? .null : .string(status.bse.name)
            out["usercode"] = .hex(usercode)
            out["cable"] = .string(opened.description)
            out.addStatistics(opened.cable)
            var lines = [
                "cable:    \(opened.description)",
                "IDCODE:   \(hexString(idcode))  \(part.name)",
                "geometry: \(part.frames) frames × \(part.bitsPerFrame) bits, boundary scan \(part.boundaryScanLength) bits, \(part.ebrBlocks) EBR",
                "usercode: \(hexString(usercode))",
                "status:   \(hexString(status.raw))  \(status.summary)",
            ]
            lines += status.fieldLines.map { "  " + $0 }
            if status.bse != .none {
                // At power-up and after LSC_REFRESH the code comes from booting the flash.
                lines.append("note:     \(status.bse.meaning); \(status.bse.advice(afterRefresh: !status.has(.iscEnable)))")
            }
            return lines
        }
    }
}

extension JSONObject {
    /// `tck_cycles` and `sim_time_us` (null unless the cable is the simulator).
    mutating func addStatistics(_ cable: any Cable) {
        let stats = cable.statistics
        self["tck_cycles"] = .uint(stats.tckCycles)
        self["sim_time_us"] = stats.simulatedMicroseconds.map { .uint($0) } ?? .null
    }
}
