import TapWalkerCore
import TapWalkerDevice

/// The WiFi radio of the virtual ESP32: the networks "in the air" are the lines of
/// virtual-wifi.conf in the device's directory (docs/virtual-device.md), read again at every scan
/// and connection, so a test can make networks appear and vanish. A scan completes at once with
/// them; a connection succeeds, with the address 127.0.0.1, when the network is in the air and
/// the password is its password, and fails otherwise; the access point is a line in the log.
final class VirtualWiFiRadio: WiFiRadio {
    static let fileName = "virtual-wifi.conf"
    /// A locally administered address (IEEE 802: bit 1 of the first byte), so it is no vendor's.
    let macAddress: [UInt8] = [0x02, 0x54, 0x57, 0x00, 0xC3, 0x01]
    let files: any DeviceFileSystem
    private var events: [WiFiRadioEvent] = []
    private var joined: [UInt8]?

    init(files: any DeviceFileSystem) { self.files = files }

    /// One network in the air.
    struct Network {
        var ssid: [UInt8]
        var password: [UInt8]
        var rssi: Int
    }

    /// Lines `ssid:password:rssi`: the SSID ends at the first colon and the signal strength
    /// (dBm) starts after the last, so a password may hold colons; an empty password is an open
    /// network. Blank lines and lines starting with # are skipped; any other line is an error.
    static func parse(_ text: [UInt8]) throws(TapWalkerError) -> [Network] {
        var networks: [Network] = []
        var number = 0
        for raw in text.split(separator: 10, omittingEmptySubsequences: false) {
            number += 1
            var line = Array(raw)
            if line.last == 13 { line.removeLast() }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            guard let first = line.firstIndex(of: UInt8(ascii: ":")), let last = line.lastIndex(of: UInt8(ascii: ":")), first != last else {
                throw TapWalkerError(.input, "\(fileName) line \(number): write ssid:password:rssi")
            }
            let ssid = Array(line[..<first])
            guard WiFiNetwork.ssidBytes.contains(ssid.count) else {
                throw TapWalkerError(.input, "\(fileName) line \(number): the ssid must be 1 to 32 bytes")
            }
            let rssiText = line[(last + 1)...]
            var rssi = 0
            var digits = 0
            for (i, b) in rssiText.enumerated() {
                if i == 0 && b == UInt8(ascii: "-") { continue }
                guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"), digits < 4 else {
                    throw TapWalkerError(.input, "\(fileName) line \(number): the rssi must be a whole number of dBm, such as -60")
                }
                rssi = rssi * 10 + Int(b - UInt8(ascii: "0"))
                digits += 1
            }
            guard digits > 0 else { throw TapWalkerError(.input, "\(fileName) line \(number): the rssi must be a whole number of dBm, such as -60") }
            if rssiText.first == UInt8(ascii: "-") { rssi = -rssi }
            networks.append(Network(ssid: ssid, password: Array(line[(first + 1)..<last]), rssi: rssi))
        }
        return networks
    }

    /// The networks in the air now; a missing file is an empty sky.
    private func air() throws(TapWalkerError) -> [Network] {
        guard let text = try files.readSmallFile("/" + VirtualWiFiRadio.fileName, limit: 16 * 1024) else { return [] }
        return try VirtualWiFiRadio.parse(text)
    }

    func startScan() throws(TapWalkerError) {
        let heard = try air()
        Log.line("WiFi scan: \(heard.count) network\(heard.count == 1 ? "" : "s") in the air")
        events.append(.scanCompleted(heard.map { WiFiScanResult(ssid: $0.ssid, rssi: $0.rssi) }))
    }

    func connect(_ network: WiFiNetwork) throws(TapWalkerError) {
        let name = ASCII.printable(network.ssid)
        guard let there = try air().first(where: { $0.ssid == network.ssid }) else {
            Log.line("WiFi: \(name) is not in the air")
            events.append(.connectFailed)
            return
        }
        guard there.password == network.password else {
            Log.line("WiFi: \(name) refused the password")
            events.append(.connectFailed)
            return
        }
        joined = network.ssid
        Log.line("WiFi: joined \(name), address 127.0.0.1")
        events.append(.connected(address: [127, 0, 0, 1]))
    }

    func disconnect() {
        guard let joined else { return }
        Log.line("WiFi: left \(ASCII.printable(joined))")
        self.joined = nil
        events.append(.disconnected)
    }

    func startAccessPoint(ssid: [UInt8], password: [UInt8]?) throws(TapWalkerError) {
        Log.line("access point \(ASCII.printable(ssid)) up" + (password == nil ? " (open)" : " (WPA2)"))
    }

    func stopAccessPoint() {
        Log.line("access point down")
    }

    func nextEvent() -> WiFiRadioEvent? {
        events.isEmpty ? nil : events.removeFirst()
    }
}
