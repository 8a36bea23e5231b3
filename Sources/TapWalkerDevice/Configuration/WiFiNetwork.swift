import TapWalkerServices

/// A network TapWalker may join: its SSID and WPA passphrase (empty for an open network).
public struct WiFiNetwork: Equatable, Sendable {
    public var ssid: [UInt8]
    public var password: [UInt8]

    public init(ssid: [UInt8], password: [UInt8]) {
        self.ssid = ssid
        self.password = password
    }

    /// IEEE 802.11: an SSID is 1 to 32 bytes.
    public static let ssidBytes = WiFiCredentialRules.ssidBytes
}
