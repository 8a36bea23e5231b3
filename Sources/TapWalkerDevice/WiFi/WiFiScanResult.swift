/// One access point heard in a scan.
public struct WiFiScanResult: Equatable, Sendable {
    public var ssid: [UInt8]
    /// Received signal strength in dBm (negative; closer to 0 is stronger).
    public var rssi: Int

    public init(ssid: [UInt8], rssi: Int) {
        self.ssid = ssid
        self.rssi = rssi
    }
}
