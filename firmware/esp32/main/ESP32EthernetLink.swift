#if TAPWALKER_ETHERNET
import TapWalkerCore
import TapWalkerDevice

/// The emulation configuration's network (sdkconfig.defaults.emulation): the OpenCores Ethernet
/// of Espressif's QEMU over bsp_eth.c, offered to the application as the one network it can
/// join, so that the WiFi roaming, the console's `status` and the address announcements work
/// unchanged. A scan hears the wire, while its link is up, as a network named `ethernet`; the
/// roaming joins only networks of wifiman.conf, so the emulated device's wifiman.conf lists
/// `ethernet:` (docs/firmware.md). Joining it means having the address DHCP gave. There is no
/// radio: an access point cannot be opened, and saying so is the roaming's recorded problem.
/// The services listen on every interface from boot on, whatever the roaming does.
final class ESP32EthernetLink: WiFiRadio {
    static let ssid = Array("ethernet".utf8)
    /// What a scan reports as the wire's signal: strong, it is a cable.
    static let rssi = -30

    let macAddress: [UInt8]
    let failure: TapWalkerError?
    private var joining = false
    private var joined = false
    private var events: [WiFiRadioEvent] = []

    /// Starts the Ethernet driver; DHCP runs by itself from here on.
    init() {
        var mac = [UInt8](repeating: 0, count: 6)
        do throws(TapWalkerError) {
            try ESP32Error.check(tapwalker_eth_init(), "Ethernet")
            let code = mac.withUnsafeMutableBufferPointer { tapwalker_eth_mac($0.baseAddress) }
            try ESP32Error.check(code, "Ethernet MAC address")
            failure = nil
        } catch {
            failure = error
        }
        macAddress = mac
    }

    func startScan() throws(TapWalkerError) {
        if let failure { throw failure }
        let heard = status().link_up ? [WiFiScanResult(ssid: ESP32EthernetLink.ssid, rssi: ESP32EthernetLink.rssi)] : []
        events.append(.scanCompleted(heard))
    }

    func connect(_ network: WiFiNetwork) throws(TapWalkerError) {
        if let failure { throw failure }
        guard network.ssid == ESP32EthernetLink.ssid else {
            events.append(.connectFailed)
            return
        }
        joining = true
        joined = false
    }

    func disconnect() {
        joining = false
        joined = false
    }

    func startAccessPoint(ssid: [UInt8], password: [UInt8]?) throws(TapWalkerError) {
        throw TapWalkerError(.cable, "the emulated chip has no radio for an access point; its network is the Ethernet, joined as \"ethernet\" when wifiman.conf lists ethernet:")
    }

    func stopAccessPoint() {}

    func nextEvent() -> WiFiRadioEvent? {
        if events.isEmpty { poll() }
        return events.isEmpty ? nil : events.removeFirst()
    }

    private func poll() {
        let now = status()
        if joining && now.has_ip {
            joining = false
            joined = true
            events.append(.connected(address: [now.ip.0, now.ip.1, now.ip.2, now.ip.3]))
        } else if joined && !now.has_ip {
            joined = false
            events.append(.disconnected)
        }
    }

    private func status() -> tapwalker_eth_status_t {
        var s = tapwalker_eth_status_t()
        _ = tapwalker_eth_get_status(&s)
        return s
    }
}
#endif
