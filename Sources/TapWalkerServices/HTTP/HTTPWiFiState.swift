/// A snapshot of the device's WiFi for GET /api/wifi.
public struct HTTPWiFiState: Sendable {
    /// One access point heard in a scan.
    public struct Heard: Equatable, Sendable {
        public var ssid: [UInt8]
        /// dBm, negative; closer to 0 is stronger.
        public var rssi: Int

        public init(ssid: [UInt8], rssi: Int) {
            self.ssid = ssid
            self.rssi = rssi
        }
    }

    /// The device's name: its access point's SSID (tapwalker-XXXX), whether or not that is up.
    public var name: [UInt8]
    /// The SSIDs in wifiman.conf, in the file's order.
    public var networks: [[UInt8]]
    /// The network joined, and the device's IPv4 address on it, while connected.
    public var connected: [UInt8]?
    public var address: [UInt8]?
    /// The network being tried right now.
    public var joining: [UInt8]?
    /// Whether the device's own access point is up (the setup mode).
    public var accessPoint: Bool
    public var scanning: Bool
    /// What the last scan heard, as the radio reported it (duplicates and hidden networks too).
    public var heard: [Heard]
    /// Why wifiman.conf could not be read, or what the radio last failed at.
    public var problem: String?

    public init(
        name: [UInt8], networks: [[UInt8]], connected: [UInt8]? = nil, address: [UInt8]? = nil, joining: [UInt8]? = nil,
        accessPoint: Bool = false, scanning: Bool = false, heard: [Heard] = [], problem: String? = nil
    ) {
        self.name = name
        self.networks = networks
        self.connected = connected
        self.address = address
        self.joining = joining
        self.accessPoint = accessPoint
        self.scanning = scanning
        self.heard = heard
        self.problem = problem
    }
}
