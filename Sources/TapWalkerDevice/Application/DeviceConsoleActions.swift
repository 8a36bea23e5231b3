import TapWalkerCore
import TapWalkerServices

/// The console's board and device commands, run by the board service that FTP, HTTP and the
/// network JTAG servers share: a console job takes the same job lock, so it is refused, naming
/// the holder, while another client has the board (and they are refused while it runs). Files
/// are named as on FTP: relative to the root of the device's file system.
final class DeviceConsoleActions: ConsoleActions {
    let board: BoardService
    /// The device's files as FTP and HTTP see them: the console names stored inputs as they do.
    let store: DeviceFileStore
    let light: StatusLight
    /// The WiFi and services lines of `status`.
    let describeDevice: () -> [String]
    let networks: ([WiFiNetwork]) -> Void
    let restart: () -> Void
    /// The firmware's OTA slots; nil when the device cannot update itself.
    let firmware: DeviceFirmware?

    /// Board jobs the console has run (a line that ran one is measured as that job, not as the console).
    private(set) var jobsRun = 0

    /// How the console is named to a client it keeps waiting.
    static let holder = "the serial console"

    init(board: BoardService, files: any DeviceFileSystem, light: StatusLight, describeDevice: @escaping () -> [String],
         networks: @escaping ([WiFiNetwork]) -> Void, restart: @escaping () -> Void, firmware: DeviceFirmware? = nil) {
        self.firmware = firmware
        self.board = board
        self.store = DeviceFileStore(files: files)
        self.light = light
        self.describeDevice = describeDevice
        self.networks = networks
        self.restart = restart
    }

    func status() throws(TapWalkerError) -> String {
        var lines: [String] = []
        switch board.holding("\(DeviceConsoleActions.holder) reading the status", { board.identify() }) {
        case .failure(let busy):
            lines.append("board: busy (\(busy.holder))")
        case .success(let identity):
            if let failure = identity.failure {
                lines.append("board: \(failure.message)")
            } else {
                var line = "board: IDCODE \(ASCII.hex(identity.idcode ?? 0)) \(identity.part?.name ?? "")"
                if let status = identity.status {
                    line += ", status \(ASCII.hex(status.raw)): \(status.configured ? "DONE" : "not DONE")"
                }
                lines.append(line)
            }
        }
        lines += describeDevice()
        if let firmware { lines.append(firmware.statusLine) }
        return DeviceConsoleActions.joined(lines)
    }

    func update(url: String, say: (String) -> Void) throws(TapWalkerError) -> String {
        guard let firmware else { throw TapWalkerError(.usage, "this device cannot update its firmware over the network") }
        return try firmware.update(url: url, say: say)
    }

    func program(file: String) throws(TapWalkerError) -> String {
        let source = try board.openInput(file, in: store)
        return try holding("prog \(file)") { () throws(TapWalkerError) -> String in try board.loadSRAM(source).line() }
    }

    func flash(file: String, address: Int) throws(TapWalkerError) -> String {
        let source = try board.openInput(file, in: store)
        return try holding("flash \(file) \(BoardText.address(address))") { () throws(TapWalkerError) -> String in
            try board.writeFlash(source, at: address).line()
        }
    }

    func svf(file: String) throws(TapWalkerError) -> String {
        // Checked to exist before the board is taken; read twice (checked whole, then played).
        let path = try BoardService.storedPath(file, in: store)
        let store = self.store
        return try holding("svf \(path)") { () throws(TapWalkerError) -> String in
            let result = board.playSVF(checkFirst: true) { () throws(TapWalkerError) in try store.openForReading(path, offset: 0) }
            if let failure = result.failure { throw failure.rephrased("svf: \(failure.message)") }
            return DeviceConsoleActions.joined([result.summary] + (result.fpgaLine.map { [$0] } ?? []))
        }
    }

    func passthru() throws(TapWalkerError) -> String {
        try holding("passthru") { () throws(TapWalkerError) -> String in
            try board.loadPassthru(from: "/", files: StoreFileSystem(store)).line()
        }
    }

    func bootCheck() throws(TapWalkerError) -> String {
        try holding("bootcheck") { () throws(TapWalkerError) -> String in
            let result = board.checkBoot()
            let lines = result.boot.map(BootCheckText.lines) ?? []
            if let failure = result.failure {
                throw failure.rephrased(DeviceConsoleActions.joined(lines + [failure.message]))
            }
            return DeviceConsoleActions.joined(lines)
        }
    }

    /// Both refused while a job holds the board: it may be writing the card raw (a mount would
    /// read a half-written file system) or programming from a file on it.
    func mountSD() throws(TapWalkerError) -> String {
        guard let card = board.sdCard else { throw TapWalkerError(.usage, "this device has no SD card slot") }
        return try holding("mount") { () throws(TapWalkerError) -> String in try card.mount() }
    }

    func unmountSD() throws(TapWalkerError) -> String {
        guard let card = board.sdCard else { throw TapWalkerError(.usage, "this device has no SD card slot") }
        return try holding("umount") { () throws(TapWalkerError) -> String in try card.unmount() }
    }

    func networksChanged(_ list: [WiFiNetwork]) {
        networks(list)
    }

    func reboot() {
        restart()
    }

    /// Runs `job` holding the board, the LED showing it; refused, naming the holder, when busy.
    private func holding(_ what: String, _ job: () throws(TapWalkerError) -> String) throws(TapWalkerError) -> String {
        let held = try board.holding("\(DeviceConsoleActions.holder) running \(what)") { () throws(TapWalkerError) -> String in
            light.setBusy(true)
            jobsRun += 1
            do throws(TapWalkerError) {
                let reply = try job()
                light.jobEnded(failed: false)
                return reply
            } catch {
                light.jobEnded(failed: true)
                throw error
            }
        }
        switch held {
        case .success(let reply): return reply
        case .failure(let busy): throw TapWalkerError(.usage, busy.message)
        }
    }

    static func joined(_ lines: [String]) -> String {
        var out = ""
        for (i, l) in lines.enumerated() { out += (i == 0 ? "" : "\n") + l }
        return out
    }
}
