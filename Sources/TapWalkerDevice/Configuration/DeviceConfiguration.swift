import TapWalkerCore
import TapWalkerServices

/// tapwalker.conf: which services run on which port, the login, the JTAG pins and clock, the WiFi
/// access point, and (for the virtual ESP32 only) the simulated board. The format is described in
/// docs/device-configuration.md. Every key must be known: a misspelt `[login]` must not silently
/// leave the device without a login.
public struct DeviceConfiguration {
    public static let fileName = "tapwalker.conf"

    public struct Login {
        public var user: [UInt8]
        public var credential: LoginCredential
    }

    /// The simulated board of the virtual ESP32; the firmware ignores it.
    public struct Virtual {
        public var part: Part?
        public var flash: FlashChip?
        /// Relative to the virtual ESP32's directory.
        public var flashImage: String?
        public var sdImage: String?
        /// `heap_kb`: the heap cap in KB; nil: an ESP32-C3's (docs/virtual-device.md). A lower cap
        /// shows how the device fails when its memory runs out.
        public var heapKilobytes: Int?
    }

    public struct JTAG {
        /// Nil when tapwalker.conf names no pins: the firmware then has no cable (unless `cable`).
        public var pins: JTAGPinAssignment?
        /// `cable = xvc://HOST:PORT` or `rbb://HOST:PORT`: the board is reached through that network
        /// JTAG server instead of the pins (which are then not given).
        public var cable: NetworkCableAddress?
        /// From `chip` or `preset`, when given.
        public var chip: ESP32Chip?
        public var tckHz: Int = JTAG.defaultTCKHz
        /// The original programmer's SPI clock.
        public static let defaultTCKHz = 20_000_000
    }

    public struct WiFi {
        /// WPA2 passphrase of the fallback access point; nil leaves it open (its page only sets
        /// the WiFi; every writing service still asks for the login).
        public var accessPointPassword: [UInt8]?
        /// How often the access point mode looks for a configured network again.
        public var scanSeconds: Int = 30
        /// How long one configured network has to accept a connection (the original: 10 s).
        public var connectSeconds: Int = 10
    }

    /// Port per service in `DeviceService.allCases` order, 0 for off.
    private var ports = [Int](repeating: 0, count: DeviceService.allCases.count)
    public var login: Login?
    public var virtual = Virtual()
    public var jtag = JTAG()
    public var wifi = WiFi()

    public init() {}

    public func port(_ service: DeviceService) -> Int { ports[service.index] }

    public mutating func setPort(_ service: DeviceService, _ port: Int) { ports[service.index] = port }

    /// Why `service` must not start, or nil when it may (its port is set and, if it writes, a
    /// login is configured).
    public func refusal(_ service: DeviceService) -> String? {
        if port(service) == 0 { return "\(service.key) is off (no port in [services] of \(DeviceConfiguration.fileName))" }
        if service.needsLogin && login == nil {
            return "\(service.key) does not start: \(DeviceConfiguration.fileName) has no [login] with user and password, and without one anybody on the network could program the board"
        }
        return nil
    }

    /// Reads tapwalker.conf. `file` names it in messages.
    public static func parse(_ text: [UInt8], file: String = DeviceConfiguration.fileName) throws(TapWalkerError) -> DeviceConfiguration {
        let lines = try ConfigurationLines(text, file: file)
        var config = DeviceConfiguration()
        var section: [UInt8]? = nil
        var seen: [[UInt8]] = []
        var user: ([UInt8], ConfigurationLines.Line)? = nil
        var password: (LoginCredential, ConfigurationLines.Line)? = nil
        var pins: [Int?] = [nil, nil, nil, nil]  // tck tms tdi tdo
        var pinLine: ConfigurationLines.Line? = nil
        var cableLine: ConfigurationLines.Line? = nil
        var preset: JTAGPinPreset? = nil
        var portLines = [ConfigurationLines.Line?](repeating: nil, count: DeviceService.allCases.count)

        for line in lines.lines {
            let entry: ConfigurationSyntax.Entry
            do { entry = try ConfigurationSyntax.parse(line.bytes) } catch { throw lines.error(line, error.message) }
            switch entry {
            case .nothing:
                continue
            case .section(let name):
                guard sectionNames.contains(where: { $0.utf8.elementsEqual(name) }) else {
                    throw lines.error(line, "unknown section [\(ConfigurationSyntax.text(name))]; the sections are \(list(sectionNames))")
                }
                section = name
            case .pair(let key, let value):
                guard let section else {
                    throw lines.error(line, "\(ConfigurationSyntax.text(key)) is outside any section; put it under one of \(list(sectionNames))")
                }
                let s = String(decoding: section, as: UTF8.self)
                let full = section + [UInt8(ascii: ".")] + key
                let here = "[\(s)] \(ConfigurationSyntax.text(key))"
                guard !seen.contains(full) else { throw lines.error(line, "\(here) is given twice") }
                seen.append(full)

                func number(_ range: ClosedRange<Int>) throws(TapWalkerError) -> Int {
                    guard let v = decimal(value), range.contains(v) else {
                        throw lines.error(line, "\(here) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(ConfigurationSyntax.text(value))\"")
                    }
                    return v
                }

                // Byte comparisons: Embedded Swift's String == needs Unicode tables the device lacks.
                func `is`(_ name: String) -> Bool { ASCII.equal(full, name) }
                if let service = DeviceService.allCases.first(where: { `is`("services." + $0.key) }) {
                    let port = try number(0...65535)
                    config.setPort(service, port)
                    portLines[service.index] = line
                } else if `is`("login.user") {
                    guard !value.isEmpty, !value.contains(0x20) else {
                        throw lines.error(line, "\(here) must be a non-empty name without spaces")
                    }
                    user = (value, line)
                } else if `is`("login.password") {
                    do { password = (try LoginCredential.parse(value), line) } catch { throw lines.error(line, "\(here): \(error.message)") }
                } else if `is`("virtual.part") {
                    guard let part = Part.named(String(decoding: value, as: UTF8.self)) else {
                        throw lines.error(line, "\(here): unknown ECP5 part \"\(ConfigurationSyntax.text(value))\"; known parts: \(list(Part.all.map { $0.name }))")
                    }
                    config.virtual.part = part
                } else if `is`("virtual.flash") {
                    guard let chip = FlashChip.named(String(decoding: value, as: UTF8.self)) else {
                        throw lines.error(line, "\(here): unknown flash chip \"\(ConfigurationSyntax.text(value))\"; known chips: \(list(FlashChip.all.map { $0.id }))")
                    }
                    config.virtual.flash = chip
                } else if `is`("virtual.heap_kb") {
                    config.virtual.heapKilobytes = try number(16...4096)
                } else if `is`("virtual.flash_image") || `is`("virtual.sd_image") {
                    guard isRelativePath(value) else {
                        throw lines.error(line, "\(here) must be a file name relative to the virtual ESP32's directory (no leading /, no ..)")
                    }
                    if `is`("virtual.sd_image") { config.virtual.sdImage = String(decoding: value, as: UTF8.self) }
                    else { config.virtual.flashImage = String(decoding: value, as: UTF8.self) }
                } else if `is`("jtag.preset") {
                    guard let p = JTAGPinPreset.named(value) else {
                        throw lines.error(line, "\(here): unknown preset \"\(ConfigurationSyntax.text(value))\"; presets: \(list(JTAGPinPreset.all.map { $0.name }))")
                    }
                    if let chip = config.jtag.chip, !ASCII.equal(chip.name, p.chip.name) {
                        throw lines.error(line, "\(here): preset \(p.name) is for \(p.chip.name) but chip = \(chip.name)")
                    }
                    preset = p
                    config.jtag.chip = p.chip
                } else if `is`("jtag.chip") {
                    guard let chip = ESP32Chip.named(value) else {
                        throw lines.error(line, "\(here): unknown chip \"\(ConfigurationSyntax.text(value))\"; chips: \(list(ESP32Chip.all.map { $0.name }))")
                    }
                    if let p = preset, !ASCII.equal(p.chip.name, chip.name) {
                        throw lines.error(line, "\(here): preset \(p.name) is for \(p.chip.name)")
                    }
                    config.jtag.chip = chip
                } else if `is`("jtag.tck") || `is`("jtag.tms") || `is`("jtag.tdi") || `is`("jtag.tdo") {
                    let index = `is`("jtag.tck") ? 0 : `is`("jtag.tms") ? 1 : `is`("jtag.tdi") ? 2 : 3
                    pins[index] = try number(0...(ESP32Chip.p4.gpioCount - 1))
                    pinLine = line
                } else if `is`("jtag.cable") {
                    let address: NetworkCableAddress
                    do { address = try NetworkCableAddress.parse(value) } catch { throw lines.error(line, "\(here): \(error.message)") }
                    // The device's sockets connect to addresses only (embedded/bsd resolves no names).
                    guard isIPv4(Array(address.host.utf8)) else {
                        throw lines.error(line, "\(here): the device resolves no host names; give the server's IPv4 address (xvc://192.168.1.20:2542)")
                    }
                    guard address.tckHz == nil else {
                        throw lines.error(line, "\(here): give the clock as [jtag] tck_hz, not ?tck= in the address")
                    }
                    config.jtag.cable = address
                    cableLine = line
                } else if `is`("jtag.tck_hz") {
                    config.jtag.tckHz = try number(1...ESP32Chip.maximumTCKHz)
                } else if `is`("wifi.ap_password") {
                    // WPA2-PSK: a passphrase of 8 to 63 printable characters (IEEE 802.11i).
                    guard value.count >= 8 && value.count <= 63 else {
                        throw lines.error(line, "\(here) must be 8 to 63 characters (a WPA2 passphrase); leave the key out for an open access point")
                    }
                    config.wifi.accessPointPassword = value
                } else if `is`("wifi.scan_seconds") {
                    config.wifi.scanSeconds = try number(5...3600)
                } else if `is`("wifi.connect_seconds") {
                    config.wifi.connectSeconds = try number(1...60)
                } else {
                    throw lines.error(line, "unknown key \(here); [\(s)] takes \(list(keys(of: section)))")
                }
            }
        }

        // The login needs both halves.
        switch (user, password) {
        case (let u?, let p?): config.login = Login(user: u.0, credential: p.0)
        case (let u?, nil): throw lines.error(u.1, "[login] user has no password; add password = … to [login]")
        case (nil, let p?): throw lines.error(p.1, "[login] password has no user; add user = … to [login]")
        case (nil, nil): break
        }

        // A network cable replaces the pins: both would leave it unclear which one the jobs use.
        if let cableLine, preset != nil || pinLine != nil || config.jtag.chip != nil {
            throw lines.error(cableLine, "[jtag] cable replaces the JTAG pins; give either cable or the pins (preset, chip, tck, tms, tdi, tdo), not both")
        }
        // Pins: a preset fills what is not given; without one, all four are needed.
        if let preset {
            let base = preset.pins
            config.jtag.pins = JTAGPinAssignment(tck: pins[0] ?? base.tck, tms: pins[1] ?? base.tms,
                                                 tdi: pins[2] ?? base.tdi, tdo: pins[3] ?? base.tdo)
        } else if let pinLine {
            let names = ["tck", "tms", "tdi", "tdo"]
            for i in 0..<4 where pins[i] == nil {
                throw lines.error(pinLine, "[jtag] \(names[i]) is missing; give all of tck, tms, tdi and tdo, or a preset (\(list(JTAGPinPreset.all.map { $0.name })))")
            }
            config.jtag.pins = JTAGPinAssignment(tck: pins[0]!, tms: pins[1]!, tdi: pins[2]!, tdo: pins[3]!)
        }
        if let p = config.jtag.pins {
            let where_ = pinLine ?? lines.lines[0]
            let all = [p.tck, p.tms, p.tdi, p.tdo]
            for i in 0..<4 {
                for j in (i + 1)..<4 where all[i] == all[j] {
                    throw lines.error(where_, "[jtag] two JTAG signals on GPIO \(all[i]); each needs its own pin")
                }
            }
            if let chip = config.jtag.chip {
                for pin in all where pin >= chip.gpioCount {
                    throw lines.error(where_, "[jtag] GPIO \(pin) does not exist on the \(chip.name) (GPIO 0 to \(chip.gpioCount - 1))")
                }
            }
        }

        // Two services on one port could not both listen.
        let services = DeviceService.allCases
        for i in 0..<services.count {
            for j in (i + 1)..<services.count {
                let a = services[i], b = services[j]
                let pa = config.port(a)
                if pa != 0 && pa == config.port(b), let line = portLines[b.index] {
                    throw lines.error(line, "[services] \(b.key) uses port \(pa), as \(a.key) does; each service needs its own port")
                }
            }
        }
        return config
    }

    static let sectionNames = ["services", "login", "virtual", "jtag", "wifi"]

    static func keys(of section: [UInt8]) -> [String] {
        if ASCII.equal(section, "services") { return DeviceService.allCases.map { $0.key } }
        if ASCII.equal(section, "login") { return ["user", "password"] }
        if ASCII.equal(section, "virtual") { return ["part", "flash", "flash_image", "sd_image", "heap_kb"] }
        if ASCII.equal(section, "jtag") { return ["preset", "chip", "tck", "tms", "tdi", "tdo", "tck_hz", "cable"] }
        return ["ap_password", "scan_seconds", "connect_seconds"]
    }

    static func list(_ names: [String]) -> String {
        var out = ""
        for (i, n) in names.enumerated() { out += (i == 0 ? "" : ", ") + n }
        return out
    }

    /// Decimal digits only (a suffix such as K would be ambiguous for ports and hertz).
    static func decimal(_ value: [UInt8]) -> Int? {
        guard !value.isEmpty, value.count <= 9 else { return nil }
        var v = 0
        for b in value {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int(b - UInt8(ascii: "0"))
        }
        return v
    }

    /// Four decimal numbers 0 to 255 separated by dots.
    static func isIPv4(_ host: [UInt8]) -> Bool {
        let parts = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            part.count <= 3 && decimal(Array(part)).map { $0 <= 255 } == true
        }
    }

    static func isRelativePath(_ value: [UInt8]) -> Bool {
        guard !value.isEmpty, value.first != UInt8(ascii: "/") else { return false }
        for part in value.split(separator: UInt8(ascii: "/")) where part.elementsEqual("..".utf8) { return false }
        return true
    }
}
