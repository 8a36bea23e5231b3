import TapWalkerCore
import TapWalkerServices

/// Board support: TCP over the network interface the WiFi roaming brought up. BSD sockets in both
/// places: lwIP's on the chip, the host's on the virtual ESP32 (which listens on 127.0.0.1 only).
/// FTP's data connections (`FTPDataChannels`) come from here too.
public protocol DeviceNetwork: FTPDataChannels {
    /// Listens on TCP `port` (every interface of the device; 127.0.0.1 on the virtual ESP32).
    /// Throws with the reason when the port cannot be had.
    func listen(port: Int) throws(TapWalkerError) -> any ConnectionListeners
    /// A new, not yet connected TCP connection (HTTP sources).
    func makeConnection() -> any NetworkConnection
}
