import ArgumentParser
import TapWalkerCore
import TapWalkerServices

struct FlashInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Identify the flash chip, decode its status registers and show what is protected.")

    @OptionGroup var report: ReportOptions
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let result = board.flashInfo(access.job())
                out.add(result.access, registers: result.registers, protected: result.protected)
                if let failure = result.failure { throw failure }
                return result.lines
            }
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
    @OptionGroup var report: ReportOptions
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            let parts = range.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw TapWalkerError(.usage, "--range takes START:END, for example 0:0x200000") }
            let start = try parseAddress(String(parts[0]), "range start"), end = try parseAddress(String(parts[1]), "range end")
            guard end > start else { throw TapWalkerError(.usage, "--range \(range): END must be above START") }
            return try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let result = board.protectFlash(start..<end, setOneTimeBottom: setOtpBottom, options: access.job())
                try render(result, into: &out, otpFlag: true)
                return [result.summary] + (result.access.reloadLine.map { [$0] } ?? [])
            }
        }
    }
}

struct FlashUnprotect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unprotect", abstract: "Remove the flash's block write protection (one-time bits are left as they are).")

    @OptionGroup var report: ReportOptions
    @OptionGroup var access: FlashAccessOptions
    @OptionGroup var cableOptions: CableOptions

    func run() throws {
        try runReporting(json: json) { (out) throws(TapWalkerError) in
            try withBoard(cableOptions, &out) { (board, _, out) throws(TapWalkerError) in
                let result = board.unprotectFlash(options: access.job())
                try render(result, into: &out, otpFlag: false)
                return [result.summary] + (result.access.reloadLine.map { [$0] } ?? [])
            }
        }
    }
}

/// The JSON keys of protect and unprotect; throws the failure, naming --set-otp-bottom when the
/// range needs the chip's one-time bit.
private func render(_ result: FlashProtectionResult, into out: inout JSONObject, otpFlag: Bool) throws(TapWalkerError) {
    out.add(result.access, protected: result.after)
    out["otp_changed"] = .bool(result.otpChanged)
    guard let failure = result.failure else { return }
    if otpFlag, result.needsOneTimeBottom {
        throw failure.rephrased(failure.message + "; --set-otp-bottom sets the one-time bit PERMANENTLY")
    }
    throw failure
}
