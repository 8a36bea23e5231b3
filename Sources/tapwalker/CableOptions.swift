import ArgumentParser
import Foundation
import TapWalkerCore
import TapWalkerSim
import TapWalkerPlatform

/// `--cable`, shared by every command that talks to a board.
struct CableOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The JTAG cable: sim[:part=NAME,tck=HZ] (the simulated board). Default: $TAPWALKER_CABLE, else sim.",
            valueName: "cable"))
    var cable: String?

    /// The opened cable and a line describing it.
    struct Opened {
        let cable: any Cable
        let description: String
        let isSimulator: Bool
        let simulator: SimCable?
    }

    func open() throws(TapWalkerError) -> Opened {
        var spec = cable ?? ProcessInfo.processInfo.environment["TAPWALKER_CABLE"]
        let defaulted = spec == nil
        if spec == nil { spec = "sim" }
        let text = spec!
        if text == "sim" || text.hasPrefix("sim:") {
            let options = try SimOptions.parse(String(text.dropFirst(min(4, text.count))))
            let sim = SimCable(options: options)
            let mhz = Double(options.tck) / 1e6
            let description = "simulated board (\(options.part.name), TCK \(formatNumber(mhz)) MHz)"
            if defaulted {
                Terminal.error("tapwalker: no cable configured; using the \(description). Choose one with --cable.")
            }
            return Opened(cable: sim, description: description, isSimulator: true, simulator: sim)
        }
        if text.hasPrefix("xvc://") || text.hasPrefix("rbb://") {
            throw TapWalkerError(.usage, "--cable \(text): network cables are not available in this build yet; use --cable sim")
        }
        throw TapWalkerError(.usage, "unknown cable '\(text)'; this build supports sim[:part=NAME,tck=HZ]")
    }
}

func formatNumber(_ v: Double) -> String {
    v == v.rounded() ? String(Int(v)) : String(format: "%.3g", v)
}
