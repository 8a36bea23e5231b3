import ArgumentParser
import TapWalkerPlatform

/// A command with `-q`/`--quiet`: no progress and no notes on standard error; its result and its
/// errors are still printed. Every command has the flag (as `quiet`), so a script can pass it to
/// any of them.
protocol QuietCommand: ParsableCommand {
    var quiet: Bool { get }
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

extension Detect: QuietCommand {}
extension Info: QuietCommand {}
extension Prog: QuietCommand {}
extension FlashInfo: QuietCommand {}
extension FlashWrite: QuietCommand {}
extension FlashRead: QuietCommand {}
extension FlashVerify: QuietCommand {}
extension FlashErase: QuietCommand {}
extension FlashProtect: QuietCommand {}
extension FlashUnprotect: QuietCommand {}
extension Pack: QuietCommand {}
extension Sim: QuietCommand {}
extension Serve: QuietCommand {}
extension List: QuietCommand {}
