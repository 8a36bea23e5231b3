import ArgumentParser
import Foundation
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices

@main
struct TapWalkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tapwalker",
        abstract: "Program Lattice ECP5 FPGAs over JTAG.",
        discussion: """
            Cables: the simulated board (`--cable sim[:part=NAME,tck=HZ,flash=CHIP,flash-image=PATH]`), \
            used when no cable is configured (--cable or TAPWALKER_CABLE), an XVC server \
            (`xvc://HOST[:PORT][?tck=HZ]`, port 2542) or a remote_bitbang server (`rbb://HOST[:PORT]`, \
            port 3335). `tapwalker list` shows the cables, the simulated parts and the flash chips. \
            The simulated flash starts blank unless flash-image names a file, which is loaded and \
            saved again when the command ends.

            Servers: `tapwalker sim` puts a simulated board behind XVC and remote_bitbang servers; \
            `tapwalker serve` serves any cable over XVC and FTP.

            Inputs: a file path, - for standard input, or an http:// or https:// URL (through \
            libcurl; https checked against the system's CAs, plus --ca-file PATH; up to 3 redirects, \
            to http or https only; each wait at most 30 s). gzip and zlib inputs are recognised by \
            content and inflated on the fly.

            --json prints one JSON object, on success, failure and bad usage alike; -q leaves out \
            progress and notes. Shell completion: tapwalker --generate-completion-script bash|zsh|fish.

            Exit codes: 0 success; 1 the device or the data said no; 2 bad usage or unreadable input.
            """,
        version: TapWalkerVersion.current,
        subcommands: [Detect.self, Info.self, Prog.self, Reload.self, SVF.self, Flash.self, Pack.self, Sim.self, Serve.self, Scan.self, List.self]
    )

    /// Runs the command with TapWalker's exit codes (argument errors exit 2, not 64) and output
    /// promises (with --json, a usage error is a JSON object too).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            Chatter.quiet = (command as? any QuietCommand)?.quiet ?? false
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let error as TapWalkerError {
            // Thrown outside runReporting: reported the same way.
            let json = arguments.contains("--json") ? JSONObject.result() : nil
            Foundation.exit(fail(error, json: json).rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --version and --help: with --json, one object like every other answer.
                if arguments.contains("--json") {
                    var json = JSONObject.result()
                    json["ok"] = .bool(true)
                    json[arguments.contains("--version") ? "version" : "help"] = .string(fullMessage(for: error))
                    print(json.serialized())
                } else {
                    print(fullMessage(for: error))
                }
                Foundation.exit(0)
            }
            if arguments.contains("--json") {
                var json = JSONObject.result()
                json["error"] = .string(message(for: error))
                print(json.serialized())
            } else {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            }
            Foundation.exit(2)
        }
    }

    /// The (sub)command the arguments name, as far as they name one: `flash write …` →
    /// FlashWrite, `flash --bogus` → Flash, `--bogus` → TapWalkerCommand.
    static func command(in arguments: [String]) -> ParsableCommand.Type {
        var current: ParsableCommand.Type = TapWalkerCommand.self
        for argument in arguments where !argument.hasPrefix("-") {
            guard let next = current.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            current = next
        }
        return current
    }
}

/// Prints a failure the way every command does (stderr, or the JSON object) and exits.
func fail(_ error: TapWalkerError, json: JSONObject?) -> ExitCode {
    let message = error.message + remedyText(error.remedy)
    if var json {
        json["ok"] = .bool(false)
        json["error"] = .string(message)
        print(json.serialized())
    } else {
        Terminal.error("tapwalker: \(message)")
    }
    return ExitCode(error.exitCode)
}

/// A failure's remedy in the command line's terms (its flags and commands).
func remedyText(_ remedy: TapWalkerError.Remedy?) -> String {
    switch remedy {
    case .force?: return "; --force skips this check"
    case .stopTheDesign?: return "; or leave out --keep-running to stop the design while the flash is used"
    case .unprotect?: return "; `tapwalker flash unprotect` removes the protection"
    case nil: return ""
    }
}

/// A TapWalkerError thrown from `validate()` (a file that cannot be used, an SVF input) is shown
/// by its message alone, without the usage text that argument mistakes get.
extension TapWalkerError: LocalizedError {
    public var errorDescription: String? { message + remedyText(remedy) }
}
