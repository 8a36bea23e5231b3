import TapWalkerCore

/// What the radio reports; the firmware turns these into `WiFiRoaming.Event`s.
public enum WiFiRadioEvent: Equatable, Sendable {
    case scanCompleted([WiFiScanResult])
    /// Joined, with an IPv4 address (four bytes).
    case connected(address: [UInt8])
    case connectFailed
    case disconnected
    /// A phone or laptop joined or left the access point.
    case accessPointClientsChanged(count: Int)
}

/// Board support: the WiFi radio, as ESP-IDF's esp_wifi offers it (station and access point at
/// once). Calls start work and return; results arrive as events from `nextEvent`.
public protocol WiFiRadio: AnyObject {
    /// The station MAC address (six bytes); names the access point.
    var macAddress: [UInt8] { get }
    func startScan() throws(TapWalkerError)
    func connect(_ network: WiFiNetwork) throws(TapWalkerError)
    func disconnect()
    func startAccessPoint(ssid: [UInt8], password: [UInt8]?) throws(TapWalkerError)
    func stopAccessPoint()
    /// The oldest event not yet taken, or nil.
    func nextEvent() -> WiFiRadioEvent?
}
