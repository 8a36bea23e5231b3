import ArgumentParser
import Foundation
import TapWalkerCore
import TapWalkerPlatform

@main
struct TapWalkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tapwalker",
        abstract: "Program Lattice ECP5 FPGAs over JTAG.",
        discussion: """
            Cables: the simulated board (`--cable sim[:part=NAME,tck=HZ,flash=CHIP,flash-image=PATH]`), \
            used when no cable is configured (--cable or TAPWALKER_CABLE), an XVC server \
            (`xvc://HOST[:PORT][?tck=HZ]`, port 2542) or a remote_bitbang server (`rbb://HOST[:PORT]`, \
            port 3335). The simulated flash (w25q128jv, is25lp128, mx25l12833f, is25lp032, s25fl164k) \
            starts blank unless flash-image names a file, which is loaded and saved again when the \
            command ends.

            Servers: `tapwalker sim` puts a simulated board behind XVC and remote_bitbang servers; \
            `tapwalker serve` serves any cable over XVC and FTP.

            Inputs: a file path, - for standard input, or an http:// URL (HTTP/1.1; HTTPS is not \
            supported). gzip and zlib inputs are recognised by content and inflated on the fly.

            Exit codes: 0 success; 1 the device or the data said no; 2 bad usage or unreadable input.
            """,
        subcommands: [Detect.self, Info.self, Prog.self, Reload.self, Flash.self, Pack.self, Sim.self, Serve.self]
    )

    /// Runs the command with TapWalker's exit codes: argument errors exit 2, not 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// Prints a failure the way every command does (stderr, or the JSON object) and exits.
func fail(_ error: TapWalkerError, json: JSONObject?) -> ExitCode {
    if var json {
        json["ok"] = .bool(false)
        json["error"] = .string(error.message)
        print(json.serialized())
    } else {
        Terminal.error("tapwalker: \(error.message)")
    }
    return ExitCode(error.exitCode)
}
