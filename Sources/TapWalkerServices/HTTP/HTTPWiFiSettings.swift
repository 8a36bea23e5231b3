import TapWalkerCore

/// The device's WiFi settings as the web page sees and edits them: the networks of wifiman.conf
/// (their SSIDs only; passwords never leave the device), what the radio is doing, and a scan to
/// pick a network from. The device implements it over wifiman.conf and its radio; a server
/// without one (the host, whose network is the computer's) answers /api/wifi with 404.
///
/// The HTTP server calls it from its own task, so an implementation guards its state itself.
public protocol HTTPWiFiSettings: AnyObject {
    func state() -> HTTPWiFiState
    /// Adds a network to wifiman.conf or changes its password, and lets the radio try it. The
    /// router has already checked both against `WiFiCredentialRules`. A `.usage` or `.input` error
    /// is the request's fault (400); anything else is the device's (500).
    func add(ssid: [UInt8], password: [UInt8]) throws(TapWalkerError)
    /// Removes every line for `ssid` from wifiman.conf.
    func remove(ssid: [UInt8]) throws(TapWalkerError)
    /// Starts a scan; its result shows in a later `state()`. Throws when the radio cannot scan now.
    func startScan() throws(TapWalkerError)
}
