import TapWalkerCore

/// The serial console: runs one command line and returns the reply to print. The board's work
/// goes through `ConsoleActions`; the WiFi commands edit wifiman.conf on the device's file system.
public final class Console {
    public let actions: any ConsoleActions
    public let files: any DeviceFileSystem
    /// Where wifiman.conf is in `files`.
    public let wifiManPath: String
    /// Where the WiFi commands read and edit wifiman.conf when another task (the web page) edits
    /// it too; it then tells the roaming of the change, not `actions`. Without it the console
    /// edits the file itself and tells `actions.networksChanged`.
    public let wifiEditor: (any WiFiManEditing)?

    public init(actions: any ConsoleActions, files: any DeviceFileSystem, wifiManPath: String = "/" + WiFiManFile.fileName,
                wifiEditor: (any WiFiManEditing)? = nil) {
        self.actions = actions
        self.files = files
        self.wifiManPath = wifiManPath
        self.wifiEditor = wifiEditor
    }

    /// The prompt printed before each line.
    public static let prompt = "tapwalker> "

    /// Runs `line`; the reply ends with a line break unless empty. Errors start with "error: ".
    /// `reboot` prints its reply through `write` before the device goes down.
    public func execute(_ line: [UInt8], write: (String) -> Void) {
        let command: ConsoleCommand?
        do { command = try ConsoleCommand.parse(line) } catch {
            write("error: \(error.message)\n")
            return
        }
        guard let command else { return }
        do {
            let reply: String
            if case .update(let url) = command {
                reply = try actions.update(url: url) { write($0 + "\n") }
            } else {
                reply = try run(command)
            }
            if !reply.isEmpty { write(reply + "\n") }
            if case .reboot = command { actions.reboot() }
        } catch {
            write("error: \(error.message)\n")
        }
    }

    private var lineBuffer = ConsoleLineBuffer()

    /// Feeds bytes typed on the serial port: echoes them (a serial terminal shows only what the
    /// device sends back), erases on backspace, runs each finished line and prints the prompt
    /// again. `write` receives the echo, the replies and the prompts in order.
    public func receive(_ bytes: [UInt8], write: (String) -> Void) {
        for byte in bytes {
            let pendingBefore = lineBuffer.pendingCount
            let result = lineBuffer.receive(byte)
            switch byte {
            case 0x0D, 0x0A:
                guard let result else { continue }  // the LF of a CR LF
                write("\r\n")
                switch result {
                case .line(let line): execute(line) { write($0) }
                case .tooLong: write("error: the line is longer than \(ConsoleCommand.maximumLineBytes) bytes; it was dropped\n")
                }
                write(Console.prompt)
            case 0x08, 0x7F:
                if lineBuffer.pendingCount < pendingBefore { write("\u{8} \u{8}") }
            default:
                if lineBuffer.pendingCount > pendingBefore && byte >= 0x20 && byte < 0x7F {
                    write(String(decoding: [byte], as: UTF8.self))
                }
            }
        }
    }

    /// The reply to a line, for callers that do not need output before a reboot.
    public func reply(to line: [UInt8]) -> String {
        var out = ""
        execute(line) { out += $0 }
        return out
    }

    private func run(_ command: ConsoleCommand) throws(TapWalkerError) -> String {
        switch command {
        case .status: return try actions.status()
        case .program(let file): return try actions.program(file: file)
        case .flash(let file, let address): return try actions.flash(file: file, address: address)
        case .svf(let file): return try actions.svf(file: file)
        case .passthru: return try actions.passthru()
        case .mount: return try actions.mountSD()
        case .unmount: return try actions.unmountSD()
        case .bootCheck: return try actions.bootCheck()
        case .reboot: return "rebooting"
        case .update: return ""
        case .help:
            var out = ""
            for (i, line) in ConsoleCommand.usage.enumerated() { out += (i == 0 ? "" : "\n") + line }
            return out
        case .wifiList:
            let networks = try readWiFiMan().networks
            guard !networks.isEmpty else { return "no networks in \(WiFiManFile.fileName); add one with wifi add SSID PASSWORD" }
            var out = ""
            for (i, n) in networks.enumerated() {
                out += (i == 0 ? "" : "\n") + ASCII.printable(n.ssid) + (n.password.isEmpty ? " (open)" : "")
            }
            return out
        case .wifiAdd(let network):
            var known = false
            try editWiFiMan { (file) throws(TapWalkerError) in
                known = file.networks.contains { $0.ssid == network.ssid }
                try file.add(network)
            }
            return (known ? "changed " : "added ") + "\"\(ASCII.printable(network.ssid))\""
        case .wifiRemove(let ssid):
            try editWiFiMan { (file) throws(TapWalkerError) in try file.remove(ssid: ssid) }
            return "removed \"\(ASCII.printable(ssid))\""
        }
    }

    private func readWiFiMan() throws(TapWalkerError) -> WiFiManFile {
        if let wifiEditor { return try wifiEditor.load() }
        return try WiFiManFile.load(from: files, path: wifiManPath)
    }

    private func editWiFiMan(_ change: (inout WiFiManFile) throws(TapWalkerError) -> Void) throws(TapWalkerError) {
        if let wifiEditor {
            _ = try wifiEditor.edit(change)
            return
        }
        let file = try WiFiManFile.edit(in: files, path: wifiManPath, change)
        actions.networksChanged(file.networks)
    }
}
