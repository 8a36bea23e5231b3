#if !TAPWALKER_ETHERNET  // the emulation configuration has no radio (ESP32EthernetLink)
import TapWalkerCore
import TapWalkerDevice

/// WiFiRadio over bsp_wifi.c. The C side only records what the driver reported (associated, got
/// an address, disconnects counted, scan done, clients of the access point); `nextEvent` polls
/// that record and turns its changes into events. The station is always on once the radio runs,
/// so scans work with or without the access point.
final class ESP32WiFiRadio: WiFiRadio {
    /// Scan records taken from the driver per scan; the rest are dropped with its list.
    static let scanRecords = 32

    let macAddress: [UInt8]
    private var last = tapwalker_wifi_status_t()
    private var running = false
    private var scanning = false
    private var connecting = false
    private var connected = false
    /// `disconnect` asked the driver to leave; the disconnect it reports is not news.
    private var ownDisconnectPending = false
    private var events: [WiFiRadioEvent] = []

    /// Why the driver could not be brought up; every call that starts radio work throws it, so
    /// the device still boots (console, LED) and says what is wrong.
    let failure: TapWalkerError?

    /// Brings up NVS, the network interfaces and the WiFi driver (not yet running).
    init() {
        var mac = [UInt8](repeating: 0, count: 6)
        do throws(TapWalkerError) {
            try ESP32Error.check(tapwalker_wifi_init(), "WiFi")
            let code = mac.withUnsafeMutableBufferPointer { tapwalker_wifi_mac($0.baseAddress) }
            try ESP32Error.check(code, "WiFi MAC address")
            failure = nil
        } catch {
            failure = error
        }
        macAddress = mac
        _ = tapwalker_wifi_get_status(&last)
    }

    func startScan() throws(TapWalkerError) {
        try run()
        try ESP32Error.check(tapwalker_wifi_scan_start(), "WiFi scan")
        scanning = true
    }

    func connect(_ network: WiFiNetwork) throws(TapWalkerError) {
        try run()
        if connecting || connected { disconnect() }
        let code = CString.with(network.ssid) { ssid in
            CString.with(network.password) { password in tapwalker_wifi_connect(ssid, password, nil, 0) }
        }
        try ESP32Error.check(code, "WiFi connect")
        connecting = true
    }

    func disconnect() {
        if connecting || connected || last.sta_connected { ownDisconnectPending = true }
        connecting = false
        connected = false
        _ = tapwalker_wifi_disconnect()
    }

    func startAccessPoint(ssid: [UInt8], password: [UInt8]?) throws(TapWalkerError) {
        if let failure { throw failure }
        let code = CString.with(ssid) { s in
            CString.with(password) { p in tapwalker_wifi_set_access_point(s, p, 0) }
        }
        try ESP32Error.check(code, "WiFi access point")
        running = true
    }

    func stopAccessPoint() {
        _ = tapwalker_wifi_set_access_point(nil, nil, 0)
    }

    func nextEvent() -> WiFiRadioEvent? {
        if events.isEmpty { poll() }
        return events.isEmpty ? nil : events.removeFirst()
    }

    /// Starts the driver with the station only, unless it already runs.
    private func run() throws(TapWalkerError) {
        if let failure { throw failure }
        guard !running else { return }
        try ESP32Error.check(tapwalker_wifi_set_access_point(nil, nil, 0), "WiFi start")
        running = true
    }

    private func poll() {
        var now = tapwalker_wifi_status_t()
        guard tapwalker_wifi_get_status(&now) == ESP_OK else { return }
        defer { last = now }
        var disconnects = now.sta_disconnects &- last.sta_disconnects
        // The driver reports the disconnect `disconnect` asked for like any other. If it reports
        // none (leaving while not yet associated), the next failure is taken for it, and the
        // roaming's connect timeout covers that attempt instead.
        if disconnects > 0, ownDisconnectPending {
            disconnects -= 1
            ownDisconnectPending = false
        }
        if disconnects > 0 {
            if connected {
                connected = false
                events.append(.disconnected)
            } else if connecting {
                connecting = false
                events.append(.connectFailed)
            }
        }
        if now.sta_has_ip, connecting {
            connecting = false
            connected = true
            events.append(.connected(address: Self.bytes(ofIPv4: now.sta_ip)))
        } else if !now.sta_has_ip, connected {
            connected = false  // the address was lost without a disconnect
            events.append(.disconnected)
        }
        if scanning, now.scan_done {
            scanning = false
            events.append(.scanCompleted(scanResults()))
        }
        if now.ap_clients != last.ap_clients {
            events.append(.accessPointClientsChanged(count: Int(now.ap_clients)))
        }
    }

    private func scanResults() -> [WiFiScanResult] {
        var records = [tapwalker_wifi_ap_record_t](repeating: tapwalker_wifi_ap_record_t(), count: Self.scanRecords)
        var count = UInt16(Self.scanRecords)
        _ = records.withUnsafeMutableBufferPointer { tapwalker_wifi_scan_results($0.baseAddress, &count) }
        var results: [WiFiScanResult] = []
        for record in records.prefix(Int(count)) {
            let ssid = withUnsafeBytes(of: record.ssid) { Array($0.prefix { $0 != 0 }) }
            results.append(WiFiScanResult(ssid: ssid, rssi: Int(record.rssi)))
        }
        return results
    }

    /// lwIP keeps IPv4 addresses in network byte order: the first byte in memory is the first
    /// of the dotted four.
    static func bytes(ofIPv4 address: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: address), UInt8(truncatingIfNeeded: address >> 8),
         UInt8(truncatingIfNeeded: address >> 16), UInt8(truncatingIfNeeded: address >> 24)]
    }
}
#endif
