import TapWalkerCore

/// What an SSID and password must be to be stored in wifiman.conf, checked the same way wherever
/// a network is entered (the serial console's `wifi add`, the web page's WiFi settings), so that
/// both refuse the same input with the same reason.
public enum WiFiCredentialRules {
    /// IEEE 802.11: an SSID is 1 to 32 bytes.
    public static let ssidBytes = 1...32
    /// IEEE 802.11i: a WPA2 passphrase is 8 to 63 characters; 64 hex digits are the raw key.
    public static let passphraseBytes = 8...63
    public static let rawKeyHexDigits = 64

    /// Why `ssid` with `password` cannot be stored, or nil when it can. An empty password is an
    /// open network.
    public static func problem(ssid: [UInt8], password: [UInt8]) -> String? {
        let name = ASCII.printable(ssid)
        guard ssidBytes.contains(ssid.count) else {
            return "ssid \"\(name)\" must be 1 to 32 bytes"
        }
        guard !ssid.contains(UInt8(ascii: ":")) else {
            return "ssid \"\(name)\" contains a colon, which wifiman.conf cannot hold (it separates SSID and password)"
        }
        let rawKey = password.count == rawKeyHexDigits && password.allSatisfy(isHexDigit)
        guard password.isEmpty || rawKey || passphraseBytes.contains(password.count) else {
            return "the password for \"\(name)\" must be 8 to 63 characters, 64 hex digits, or empty for an open network"
        }
        for b in ssid + password where b < 0x20 || b == 0x7F {
            return "ssid and password for \"\(name)\" must not contain control characters"
        }
        return nil
    }

    static func isHexDigit(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): return true
        default: return false
        }
    }
}
