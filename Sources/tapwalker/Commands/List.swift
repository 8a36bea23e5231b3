import ArgumentParser
import TapWalkerCore
import TapWalkerSim
import TapWalkerServices

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the cables, the simulated FPGA parts and the flash chips TapWalker knows.",
        discussion: """
            Printed from the tables TapWalker itself uses: a part listed here is one the simulator \
            can be (sim:part=NAME, tapwalker sim --part) and one detect and prog recognise by \
            IDCODE; a flash chip listed here is one the simulator can carry (sim:flash=ID) and one \
            the flash commands know by JEDEC ID and protect by its own table.
            """)

    enum What: String, ExpressibleByArgument, CaseIterable {
        case cables, parts, flashChips = "flash-chips"
    }

    @Argument(help: ArgumentHelp("What to list (default: all three).", valueName: "what"))
    var what: What?
    @OptionGroup var report: ReportOptions

    func run() throws {
        let shown = what.map { [$0] } ?? What.allCases
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            var lines: [String] = []
            let defaults = SimOptions()
            for kind in shown {
                if !lines.isEmpty { lines.append("") }
                switch kind {
                case .cables:
                    out["cables"] = .array(CableScheme.all.map { scheme in
                        var o = JSONObject()
                        o["name"] = .string(scheme.name)
                        o["form"] = .string(scheme.form)
                        o["summary"] = .string(scheme.summary)
                        o["default_port"] = scheme.defaultPort.map { .int($0) } ?? .null
                        return .object(o)
                    })
                    lines.append("cables (--cable or TAPWALKER_CABLE):")
                    let width = CableScheme.all.map(\.form.count).max() ?? 0
                    for scheme in CableScheme.all {
                        let port = scheme.defaultPort.map { "; port \($0) unless given" } ?? ""
                        lines.append("  " + padded(scheme.form, width) + "  " + scheme.summary + port)
                    }
                case .parts:
                    out["parts"] = .array(Part.all.map { part in
                        var o = JSONObject()
                        o["name"] = .string(part.name)
                        o["idcode"] = .hex(part.idcode)
                        o["frames"] = .int(part.frames)
                        o["bits_per_frame"] = .int(part.bitsPerFrame)
                        o["boundary_scan_bits"] = .int(part.boundaryScanLength)
                        o["ebr_blocks"] = .int(part.ebrBlocks)
                        o["simulator_default"] = .bool(part.idcode == defaults.part.idcode)
                        return .object(o)
                    })
                    lines.append("parts (sim:part=NAME, any case, or short forms such as 12f, 45f, um-45f, um5g-85f):")
                    let width = Part.all.map(\.name.count).max() ?? 0
                    for part in Part.all {
                        lines.append("  " + padded(part.name, width) + "  IDCODE \(ASCII.hex(part.idcode))  \(part.frames) frames × \(part.bitsPerFrame) bits, \(part.ebrBlocks) EBR"
                                     + (part.idcode == defaults.part.idcode ? "  (simulator default)" : ""))
                    }
                case .flashChips:
                    out["flash_chips"] = .array(FlashChip.all.map { chip in
                        var o = JSONObject()
                        o["id"] = .string(chip.id)
                        o["name"] = .string(chip.name)
                        o["jedec"] = .string(ASCII.hex(chip.jedecID, digits: 6))
                        o["size"] = .int(chip.size)
                        o["page_size"] = .int(chip.pageSize)
                        o["erase_sizes"] = .array(chip.erases.map { .int($0.size) })
                        o["simulator_default"] = .bool(chip.id == defaults.flash.id)
                        return .object(o)
                    })
                    lines.append("flash chips (sim:flash=ID; others are learned from their SFDP table):")
                    let width = FlashChip.all.map(\.id.count).max() ?? 0
                    let nameWidth = FlashChip.all.map(\.name.count).max() ?? 0
                    for chip in FlashChip.all {
                        lines.append("  " + padded(chip.id, width) + "  " + padded(chip.name, nameWidth)
                                     + "  JEDEC \(ASCII.hex(chip.jedecID, digits: 6))  \(chip.size >> 20) MB"
                                     + (chip.id == defaults.flash.id ? "  (simulator default)" : ""))
                    }
                }
            }
            return lines
        }
    }

    private func padded(_ s: String, _ width: Int) -> String {
        s + String(repeating: " ", count: max(0, width - s.count))
    }
}
