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
            "The JTAG cable: sim[:part=NAME,tck=HZ,flash=CHIP,flash-image=PATH] (the simulated board). Default: $TAPWALKER_CABLE, else sim.",
            valueName: "cable"))
    var cable: String?

    /// The opened cable and a line describing it.
    struct Opened {
        let cable: any Cable
        let description: String
        let isSimulator: Bool
        let simulator: SimCable?
        /// Where the simulated flash is kept between commands (`sim:flash-image=PATH`).
        let flashImage: String?

        /// Ends the command: saves the simulated flash image, whatever happened before. The chip's
        /// non-volatile registers (protection bits, one-time bits) go to PATH.registers beside it, so
        /// that the file itself holds exactly the flash content.
        func finish() {
            guard let path = flashImage, let flash = simulator?.board.flash else { return }
            do throws(TapWalkerError) {
                try FileSink.write(flash.memory, to: path)
                try FileSink.write(flash.nonVolatileRegisters, to: path + ".registers")
            } catch {
                Terminal.error("tapwalker: could not save the simulated flash: \(error.message)")
            }
        }
    }

    func open() throws(TapWalkerError) -> Opened {
        var spec = cable ?? ProcessInfo.processInfo.environment["TAPWALKER_CABLE"]
        let defaulted = spec == nil
        if spec == nil { spec = "sim" }
        let text = spec!
        if text == "sim" || text.hasPrefix("sim:") {
            let options = try SimOptions.parse(String(text.dropFirst(min(4, text.count))))
            let sim = SimCable(options: options)
            if let path = options.flashImage, FileManager.default.fileExists(atPath: path) {
                // The image is loaded when the file exists; otherwise the flash starts blank.
                guard let flash = sim.board.flash else { throw TapWalkerError(.usage, "the simulated board has no flash") }
                let bytes = try FileSource(path: path).readAll(
                    limit: flash.memory.count,
                    tooLarge: TapWalkerError(.usage, "flash-image=\(path) is larger than the simulated \(flash.chip.name)"))
                flash.load(bytes)
                if let registers = FileManager.default.contents(atPath: path + ".registers") {
                    flash.nonVolatileRegisters = [UInt8](registers)
                }
                // A board powered up with this flash has booted from it, as a real one would.
                sim.board.powerUpSettled()
            }
            let mhz = Double(options.tck) / 1e6
            let description = "simulated board (\(options.part.name), TCK \(formatNumber(mhz)) MHz)"
            if defaulted {
                Terminal.error("tapwalker: no cable configured; using the \(description). Choose one with --cable.")
            }
            return Opened(cable: sim, description: description, isSimulator: true, simulator: sim,
                          flashImage: options.flashImage)
        }
        if text.hasPrefix("xvc://") || text.hasPrefix("rbb://") {
            throw TapWalkerError(.usage, "--cable \(text): network cables are not available in this build yet; use --cable sim")
        }
        throw TapWalkerError(.usage, "unknown cable '\(text)'; this build supports sim[:part=NAME,tck=HZ,flash=CHIP,flash-image=PATH]")
    }
}

func formatNumber(_ v: Double) -> String {
    v == v.rounded() ? String(Int(v)) : String(format: "%.3g", v)
}
