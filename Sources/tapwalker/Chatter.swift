import ArgumentParser
import TapWalkerPlatform

/// A command with `-q`/`--quiet`: no progress and no notes on standard error; its result and its
/// errors are still printed. Every command has the flag (as `quiet`), so a script can pass it to
/// any of them.
protocol QuietCommand: ParsableCommand {
    var quiet: Bool { get }
}

/// `--json` and `-q`/`--quiet`, declared once for every command that reports a result.
struct ReportOptions: ParsableArguments {
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(name: .shortAndLong, help: Chatter.help) var quiet = false
}

/// A command that reports a result: text, or one JSON object with `--json`.
protocol ReportingCommand: QuietCommand {
    var report: ReportOptions { get }
}

extension ReportingCommand {
    var json: Bool { report.json }
    var quiet: Bool { report.quiet }
}

/// Notes to the user that are not the result (progress, "no cable configured", a server's log of
/// its clients), silenced by `--quiet`. `quiet` is set once, after parsing, before the command runs.
enum Chatter {
    nonisolated(unsafe) static var quiet = false

    static let help = ArgumentHelp("No progress and no notes on standard error; the result and errors are still printed.")

    /// Writes a note to standard error unless quiet.
    static func note(_ line: String) {
        if !quiet { Terminal.error(line) }
    }
}

extension Detect: ReportingCommand {}
extension Info: ReportingCommand {}
extension Prog: ReportingCommand {}
extension FlashInfo: ReportingCommand {}
extension FlashWrite: ReportingCommand {}
extension FlashRead: ReportingCommand {}
extension FlashVerify: ReportingCommand {}
extension FlashErase: ReportingCommand {}
extension FlashProtect: ReportingCommand {}
extension FlashUnprotect: ReportingCommand {}
extension Pack: ReportingCommand {}
extension Sim: QuietCommand {}
extension Serve: QuietCommand {}
extension List: ReportingCommand {}
extension Reload: ReportingCommand {}
extension SVF: ReportingCommand {}
extension Scan: ReportingCommand {}
