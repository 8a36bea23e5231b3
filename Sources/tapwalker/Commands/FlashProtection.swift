import ArgumentParser
import TapWalkerCore

struct FlashInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Identify the flash chip, decode its status registers and show what is protected.")

    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            var lines: [String] = []
            try runFlashJob(cableOptions, access, into: &out) { (session, out) throws(TapWalkerError) in
                let flash = session.flash
                let r = try flash.readProtectionRegisters()
                let range = flash.chip.protection.protectedRange(r, size: flash.chip.size)
                out["size"] = .int(flash.chip.size)
                out["status"] = .string(ASCII.hex(r.status, digits: 2))
                out["protected"] = range.isEmpty ? .null : .string("\(ASCII.hex(UInt32(range.lowerBound), digits: 6)):\(ASCII.hex(UInt32(range.upperBound), digits: 6))")
                lines.append("chip:      \(flash.chip.name), JEDEC ID \(ASCII.hex(flash.jedecID, digits: 6)), \(flash.chip.size >> 20) MB")
                lines.append("status:    \(ASCII.hex(r.status, digits: 2))  " + describe(flash.chip.protection, r))
                lines.append("protected: " + (range.isEmpty ? "nothing" : "\(ASCII.hex(UInt32(range.lowerBound), digits: 6))–\(ASCII.hex(UInt32(range.upperBound - 1), digits: 6)) (\(range.count / 1024) KB)"))
            }
            return lines
        }
    }

    private func describe(_ scheme: ProtectionScheme, _ r: ProtectionRegisters) -> String {
        let s = r.status
        func bit(_ n: Int) -> Int { Int(s >> UInt8(n)) & 1 }
        switch scheme {
        case .winbond:
            return "SRP=\(bit(7)) SEC=\(bit(6)) TB=\(bit(5)) BP=\(Int(s >> 2) & 7) WEL=\(bit(1)) BUSY=\(bit(0)); SR2 \(ASCII.hex(r.status2, digits: 2)): CMP=\(Int(r.status2 >> 6) & 1) LB=\(Int(r.status2 >> 3) & 7) QE=\(Int(r.status2 >> 1) & 1) SRL=\(Int(r.status2) & 1)"
        case .issi:
            return "SRWD=\(bit(7)) QE=\(bit(6)) BP=\(Int(s >> 2) & 15) WEL=\(bit(1)) WIP=\(bit(0)); function register \(ASCII.hex(r.extra, digits: 2)): TBS=\(Int(r.extra >> 1) & 1) (one-time)"
        case .unknown:
            return "(this chip was identified by SFDP; its protection bits are not known)"
        case .macronix:
            return "SRWD=\(bit(7)) QE=\(bit(6)) BP=\(Int(s >> 2) & 15) WEL=\(bit(1)) WIP=\(bit(0)); configuration register \(ASCII.hex(r.extra, digits: 2)): T/B=\(Int(r.extra >> 3) & 1) (one-time)"
        }
    }
}

struct FlashProtect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protect",
        abstract: "Write-protect an address range, exactly as the chip's own protection table allows.",
        discussion: """
            Only ranges in the chip's table are possible (for example 0:0x200000 on a 16 MB Winbond \
            chip). On ISSI and Macronix chips a range at the bottom needs a one-time top/bottom bit; \
            TapWalker never sets it unless you pass --set-otp-bottom, and that change is permanent.
            """)

    @Option(help: "START:END, END exclusive (e.g. 0:0x200000).") var range: String
    @Flag(help: "PERMANENTLY set the chip's one-time top/bottom bit (ISSI TBS, Macronix T/B) so protection counts from address 0. Cannot be undone.")
    var setOtpBottom = false
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            let parts = range.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw TapWalkerError(.usage, "--range takes START:END, for example 0:0x200000") }
            let start = try parseAddress(String(parts[0]), "range start"), end = try parseAddress(String(parts[1]), "range end")
            guard end > start else { throw TapWalkerError(.usage, "--range \(range): END must be above START") }
            try runFlashJob(cableOptions, access, reloads: false, into: &out) { (session, out) throws(TapWalkerError) in
                try setProtection(session.flash, start..<end, otpBottom: setOtpBottom, into: &out)
            }
            return ["protected \(out.string("protected") ?? "")"]
        }
    }
}

struct FlashUnprotect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unprotect", abstract: "Remove the flash's block write protection (one-time bits are left as they are).")

    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            try runFlashJob(cableOptions, access, reloads: false, into: &out) { (session, out) throws(TapWalkerError) in
                try setProtection(session.flash, 0..<0, otpBottom: false, into: &out)
            }
            return ["nothing is protected now"]
        }
    }
}

/// Finds and writes the register values for `range`; sets the one-time bit only when asked.
private func setProtection(_ flash: SPIFlash, _ range: Range<Int>, otpBottom: Bool, into out: inout JSONObject) throws(TapWalkerError) {
    let scheme = flash.chip.protection
    var current = try flash.readProtectionRegisters()
    var wanted = scheme.registers(protecting: range, size: flash.chip.size, from: current)
    if wanted == nil, otpBottom, !scheme.otpBottom(current) {
        try flash.setBottomProtectionOTP()
        out["otp_changed"] = .bool(true)
        current = try flash.readProtectionRegisters()
        wanted = scheme.registers(protecting: range, size: flash.chip.size, from: current)
    }
    guard let wanted else {
        var why = "the \(flash.chip.name) cannot protect exactly \(ASCII.hex(UInt32(range.lowerBound), digits: 6)):\(ASCII.hex(UInt32(range.upperBound), digits: 6)) by its protection table"
        if range.lowerBound == 0, !scheme.otpBottom(current), scheme.registers(protecting: (flash.chip.size - range.count)..<flash.chip.size, size: flash.chip.size, from: current) != nil {
            why += "; a range at the bottom needs the chip's one-time top/bottom bit: --set-otp-bottom sets it PERMANENTLY"
        }
        throw TapWalkerError(.usage, why + "; nothing was changed")
    }
    try flash.writeProtection(wanted)
    let now = try flash.protectedRange()
    out["protected"] = now.isEmpty ? .null : .string("\(ASCII.hex(UInt32(now.lowerBound), digits: 6)):\(ASCII.hex(UInt32(now.upperBound), digits: 6))")
}
