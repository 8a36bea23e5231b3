import TapWalkerCore

/// A command typed on the serial console. The list is fixed: the original offered a Python
/// prompt, where any line ran as code; here a line is one of these or an error.
public enum ConsoleCommand: Equatable {
    /// The device and the board: IDCODE, DONE, WiFi, services.
    case status
    /// Programs the FPGA's SRAM from a file (.bit, .bit.gz), as the original's prog().
    case program(file: String)
    /// Writes a file to the configuration flash at a 4 KB aligned address (default 0), as the
    /// original's flash().
    case flash(file: String, address: Int)
    /// Plays an SVF file of JTAG vectors, checking every TDO (docs/svf.md).
    case svf(file: String)
    /// Loads the pass-through bitstream for the board's FPGA, as the original's passthru().
    case passthru
    /// Reads the flash and says which image the FPGA would boot, or why none.
    case bootCheck
    /// Mounts the SD card's file system at /sd, as the original's mount().
    case mount
    /// Releases the SD card, as the original's umount().
    case unmount
    case wifiList
    case wifiAdd(WiFiNetwork)
    case wifiRemove(ssid: [UInt8])
    /// Fetches a firmware image over HTTP, writes it to the inactive OTA slot and restarts into
    /// it (docs/firmware-update.md).
    case update(url: String)
    case reboot
    case help

    /// Longer lines are refused (the line buffer drops the rest).
    public static let maximumLineBytes = 256
    /// Flash is written in 4 KB sectors; the original failed a misaligned address only after
    /// opening the flash.
    public static let flashAlignment = 4096

    /// One line per command, for `help`.
    public static let usage: [String] = [
        "status                   the board (IDCODE, DONE) and the device (WiFi, services)",
        "prog FILE|URL            program the FPGA (SRAM) from FILE (.bit or .bit.gz) or an http:// URL",
        "flash FILE|URL [ADDR]    write FILE or URL to the configuration flash at ADDR (default 0, 4K aligned)",
        "svf FILE                 play an SVF file of JTAG vectors, checking every TDO",
        "passthru                 load the pass-through bitstream for this FPGA",
        "bootcheck                which image the FPGA would boot from the flash, or why none",
        "mount                    mount the SD card's file system at /sd (prog /sd/NAME.bit)",
        "umount                   release the SD card (to remove it, or before writing it raw)",
        "wifi list                the networks in wifiman.conf (without passwords)",
        "wifi add SSID [PASSWORD] add a network or change its password (none: an open network)",
        "wifi remove SSID         forget a network",
        "update URL               fetch a firmware image (http://) into the other OTA slot and restart into it",
        "reboot                   restart the device",
        "help                     this list",
        "Quote names with spaces: prog \"my design.bit\"",
    ]

    /// Equal commands with byte-equal file names. Written out because the synthesized version
    /// compares Strings by Unicode canonical equivalence, which needs Unicode data tables that
    /// the firmware does not link.
    public static func == (a: ConsoleCommand, b: ConsoleCommand) -> Bool {
        switch (a, b) {
        case (.status, .status), (.passthru, .passthru), (.bootCheck, .bootCheck), (.mount, .mount), (.unmount, .unmount), (.wifiList, .wifiList), (.reboot, .reboot), (.help, .help):
            return true
        case (.program(let x), .program(let y)):
            return x.utf8.elementsEqual(y.utf8)
        case (.svf(let x), .svf(let y)), (.update(let x), .update(let y)):
            return x.utf8.elementsEqual(y.utf8)
        case (.flash(let x, let p), .flash(let y, let q)):
            return p == q && x.utf8.elementsEqual(y.utf8)
        case (.wifiAdd(let x), .wifiAdd(let y)):
            return x == y
        case (.wifiRemove(let x), .wifiRemove(let y)):
            return x == y
        default:
            return false
        }
    }

    /// The command on `line`, nil for a blank line.
    public static func parse(_ line: [UInt8]) throws(TapWalkerError) -> ConsoleCommand? {
        guard line.count <= maximumLineBytes else {
            throw TapWalkerError(.usage, "the line is longer than \(maximumLineBytes) bytes")
        }
        let words = try ConsoleWords.split(line)
        guard let name = words.first else { return nil }
        let arguments = Array(words.dropFirst())

        func count(_ range: ClosedRange<Int>, _ form: String) throws(TapWalkerError) {
            guard range.contains(arguments.count) else { throw TapWalkerError(.usage, "usage: \(form)") }
        }
        func file(_ word: [UInt8]) throws(TapWalkerError) -> String {
            guard !word.isEmpty else { throw TapWalkerError(.usage, "the file name is empty") }
            return String(decoding: word, as: UTF8.self)
        }

        if ASCII.equalFold(name, "status") { try count(0...0, "status"); return .status }
        if ASCII.equalFold(name, "prog") { try count(1...1, "prog FILE"); return .program(file: try file(arguments[0])) }
        if ASCII.equalFold(name, "flash") {
            try count(1...2, "flash FILE [ADDR]")
            var address = 0
            if arguments.count == 2 {
                guard let a = ASCII.parseInteger(String(decoding: arguments[1], as: UTF8.self)), a >= 0 else {
                    throw TapWalkerError(.usage, "flash address \"\(ASCII.printable(arguments[1]))\" is not a number (decimal, 0x-hex, or with K/M); nothing was written")
                }
                guard a % flashAlignment == 0 else {
                    throw TapWalkerError(.usage, "flash address \(ASCII.hex(UInt32(truncatingIfNeeded: a))) is not a multiple of 4K (0x1000); nothing was written")
                }
                address = a
            }
            return .flash(file: try file(arguments[0]), address: address)
        }
        if ASCII.equalFold(name, "passthru") { try count(0...0, "passthru"); return .passthru }
        if ASCII.equalFold(name, "bootcheck") { try count(0...0, "bootcheck"); return .bootCheck }
        if ASCII.equalFold(name, "mount") { try count(0...0, "mount"); return .mount }
        if ASCII.equalFold(name, "umount") { try count(0...0, "umount"); return .unmount }
        if ASCII.equalFold(name, "update") {
            try count(1...1, "update URL")
            guard HTTPURL.looksLikeURL(String(decoding: arguments[0], as: UTF8.self)) else {
                throw TapWalkerError(.usage, "update takes an http:// URL of a firmware image; nothing was changed")
            }
            return .update(url: String(decoding: arguments[0], as: UTF8.self))
        }
        if ASCII.equalFold(name, "reboot") { try count(0...0, "reboot"); return .reboot }
        if ASCII.equalFold(name, "help") || ASCII.equal(name, "?") { return .help }
        if ASCII.equalFold(name, "wifi") {
            let form = "wifi list | wifi add SSID [PASSWORD] | wifi remove SSID"
            guard let sub = arguments.first else { throw TapWalkerError(.usage, "usage: \(form)") }
            let rest = Array(arguments.dropFirst())
            if ASCII.equalFold(sub, "list") && rest.isEmpty { return .wifiList }
            if ASCII.equalFold(sub, "add") && (1...2).contains(rest.count) {
                return .wifiAdd(WiFiNetwork(ssid: rest[0], password: rest.count == 2 ? rest[1] : []))
            }
            if ASCII.equalFold(sub, "remove") && rest.count == 1 { return .wifiRemove(ssid: rest[0]) }
            throw TapWalkerError(.usage, "usage: \(form)")
        }
        if ASCII.equalFold(name, "svf") { try count(1...1, "svf FILE"); return .svf(file: try file(arguments[0])) }
        throw TapWalkerError(.usage, "unknown command \"\(ASCII.printable(name))\"; type help for the list")
    }
}
