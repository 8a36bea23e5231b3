import ArgumentParser
import Foundation
import TapWalkerCore
import TapWalkerSim
import TapWalkerPlatform
import TapWalkerServices
import TapWalkerUSB

/// `--cable`, shared by every command that talks to a board.
struct CableOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The JTAG cable: sim[:part=NAME,tck=HZ,flash=CHIP,flash-image=PATH] (the simulated board), xvc://HOST[:PORT][?tck=HZ] (an XVC 1.0 server, port 2542 by default; TCK 25 MHz unless given), rbb://HOST[:PORT] (a remote_bitbang server, port 3335 by default; either takes ?timeout=SECONDS, 60 unless given), or a USB cable: ft2232, ft4232, ft232h (FTDI MPSSE; :interface=A|B), ft231x (the ULX3S), cmsis-dap, dirtyjtag, each with :vid=0xVVVV,pid=0xPPPP,serial=S,tck=HZ (`tapwalker scan` lists the devices present). Default: $TAPWALKER_CABLE, else the --board's cable, else sim.",
            valueName: "cable"))
    var cable: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The board, when no --cable is given: ulx3s (its on-board FT231X, as --cable ft231x).", valueName: "board"))
    var board: String?

    /// The opened cable and a line describing it.
    struct Opened {
        let cable: any Cable
        let description: String
        let isSimulator: Bool
        let simulator: SimCable?
        /// Where the simulated flash is kept between commands (`sim:flash-image=PATH`).
        let flashImage: String?
        /// Closes a network cable's connection.
        var close: (() -> Void)? = nil

        /// The board service on this cable, for one command.
        func board() -> BoardService {
            BoardService(cable: cable, lock: JobLock(mutex: SystemMutex()), clock: SystemClock())
        }

        /// Ends the command: saves the simulated flash image, whatever happened before. The chip's
        /// non-volatile registers (protection bits, one-time bits) go to PATH.registers beside it, so
        /// that the file itself holds exactly the flash content.
        func finish() {
            close?()
            guard let path = flashImage, let flash = simulator?.board.flash else { return }
            do throws(TapWalkerError) {
                let image = RawArguments.path(path)
                try FileSink.write(flash.memory.bytes, to: image)
                try FileSink.write(flash.nonVolatileRegisters, to: image.appending(".registers"))
            } catch {
                Terminal.error("tapwalker: could not save the simulated flash: \(error.message)")
            }
        }
    }

    func open() throws(TapWalkerError) -> Opened {
        var spec = cable ?? ProcessInfo.processInfo.environment["TAPWALKER_CABLE"]
        if let board {
            guard let row = BoardPreset.all.first(where: { $0.name == board.lowercased() }) else {
                throw TapWalkerError(.usage, "unknown --board '\(board)'; known boards: \(BoardPreset.all.map(\.name).joined(separator: ", "))")
            }
            if cable == nil { spec = row.cable }
        }
        let defaulted = spec == nil
        if spec == nil { spec = "sim" }
        let text = spec!
        switch CableScheme.of(text)?.name {
        case "sim": return try CableOptions.openSimulator(String(text.dropFirst(min(4, text.count))), defaulted: defaulted)
        case "xvc", "rbb": return try CableOptions.openNetwork(text)
        case _ where CableScheme.of(text)?.usb != nil: return try CableOptions.openUSB(CableScheme.of(text)!.usb!, text)
        default: throw TapWalkerError(.usage, "unknown cable '\(text)'; use \(CableScheme.forms) (`tapwalker list cables`)")
        }
    }

    /// The simulated board; `options` is the text after `sim:`.
    static func openSimulator(_ optionText: String, defaulted: Bool) throws(TapWalkerError) -> Opened {
        let options = try SimOptions.parse(optionText)
        let image = options.flashImage.map(RawArguments.path)
        if let image { try checkFlashImage(image, chip: options.flash) }
        let sim = SimCable(options: options)
        if let image, image.status() != nil {
            // The image is loaded when the file exists; otherwise the flash starts blank.
            guard let flash = sim.board.flash else { throw TapWalkerError(.usage, "the simulated board has no flash") }
            let bytes = try FileSource(path: image).readAll(
                limit: flash.memory.count,
                tooLarge: TapWalkerError(.usage, "flash-image=\(image.display) is larger than the simulated \(flash.chip.name)"))
            flash.load(bytes)
            let registers = image.appending(".registers")
            if registers.status() != nil {
                flash.nonVolatileRegisters = try FileSource(path: registers).readAll(
                    limit: 4096, tooLarge: TapWalkerError(.usage, "\(registers.display) is not a register file of the simulated flash"))
            }
            // A board powered up with this flash has booted from it, as a real one would.
            sim.board.powerUpSettled()
        }
        let mhz = Double(options.tck) / 1e6
        let description = "simulated board (\(options.part.name), TCK \(formatNumber(mhz)) MHz)"
        if defaulted {
            Chatter.note("tapwalker: no cable configured; using the \(description). Choose one with --cable.")
        }
        return Opened(cable: sim, description: description, isSimulator: true, simulator: sim,
                      flashImage: options.flashImage)
    }

    /// `xvc://HOST:PORT[?tck=HZ]` or `rbb://HOST:PORT` (IPv6 as `[::1]:PORT`). The port defaults to
    /// 2542 for XVC and 3335 for remote_bitbang; XVC asks the server for `tck` (25 MHz, the ECP5's
    /// maximum, unless given), remote_bitbang cannot set it.
    static func openNetwork(_ text: String) throws(TapWalkerError) -> Opened {
        let address: NetworkCableAddress
        do throws(TapWalkerError) {
            address = try NetworkCableAddress.parse(Array(text.utf8))
        } catch {
            throw TapWalkerError(.usage, "--cable \(error.message)")
        }
        let xvc = address.kind == .xvc
        let host = address.host, port = address.port
        let tck = address.tckHz ?? SimOptions.maximumTCK
        let timeout = address.timeoutSeconds.map { $0 * 1000 } ?? NetworkCableLink.defaultTimeoutMilliseconds
        let connection = TCPConnection()
        let clock = SystemClock()
        do throws(TapWalkerError) {
            if xvc {
                let cable = try XVCCable(connection: connection, host: host, port: port, clock: clock, frequency: tck, timeoutMilliseconds: timeout)
                let mhz = Double(cable.frequency) / 1e6
                return Opened(cable: cable, description: "XVC server \(host):\(port) (TCK \(formatNumber(mhz)) MHz, \(cable.maximumBits) bits per shift)",
                              isSimulator: false, simulator: nil, flashImage: nil, close: cable.close)
            }
            let cable = try RemoteBitbangCable(connection: connection, host: host, port: port, clock: clock, timeoutMilliseconds: timeout)
            return Opened(cable: cable, description: "remote_bitbang server \(host):\(port)",
                          isSimulator: false, simulator: nil, flashImage: nil, close: cable.close)
        } catch {
            // Connection problems are the cable's, not bad input: exit 1 with what failed.
            throw TapWalkerError(.cable, error.message)
        }
    }

    /// A USB cable, `NAME[:OPTIONS]`; says on standard error which device it chose.
    static func openUSB(_ kind: USBCableKind, _ text: String) throws(TapWalkerError) -> Opened {
        let optionText = text.count > kind.name.count ? String(text.dropFirst(kind.name.count + 1)) : ""
        let usb = try USBCableOpener.open(kind, optionText: optionText, cable: text)
        for note in usb.notes { Chatter.note(note) }
        return Opened(cable: usb.cable, description: usb.description, isSimulator: false, simulator: nil,
                      flashImage: nil, close: usb.close)
    }

    /// The simulated flash's file, checked before anything runs: an existing one is a file that can
    /// be read and written and holds exactly the chip's bytes (it is never resized: a file of
    /// another size is another chip's image, or not an image); a new one can be created.
    static func checkFlashImage(_ image: HostPath, chip: FlashChip) throws(TapWalkerError) {
        let option = "flash-image"
        guard image.status() != nil else {
            try PathCheck.outputFile(image, option: option)
            return
        }
        let size = try PathCheck.existingFile(image, option: option)
        guard size == chip.size else {
            let others = FlashChip.all.filter { $0.size == size }.map(\.id)
            let hint = others.isEmpty
                ? "give a new path (the flash then starts blank)"
                : "flash=\(others.joined(separator: " or flash=")) simulates a chip of that size, or give a new path (the flash then starts blank)"
            throw TapWalkerError(.usage, "flash-image \(image.display) has \(size) bytes, but an image of the simulated \(chip.name) has exactly \(chip.size); the file was left as it is; \(hint)")
        }
    }
}

func formatNumber(_ v: Double) -> String {
    v == v.rounded() ? String(Int(v)) : String(format: "%.3g", v)
}
