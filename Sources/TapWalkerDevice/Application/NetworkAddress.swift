import TapWalkerCore

/// IPv4 addresses as the console prints them.
enum NetworkAddress {
    /// The device's own address while its access point is up: ESP-IDF gives the soft-AP
    /// interface 192.168.4.1 unless told otherwise (docs/device-application.md).
    static let accessPoint: [UInt8] = [192, 168, 4, 1]

    /// "192.168.4.1".
    static func text(_ address: [UInt8]) -> String {
        var out = ""
        for (i, b) in address.enumerated() { out += (i == 0 ? "" : ".") + "\(b)" }
        return out
    }
}
