/// What the status LED shows; each board maps it to a colour or a blink pattern.
public enum DeviceStatus: Sendable {
    case starting
    /// Looking for or joining a configured network.
    case joiningNetwork
    /// Joined; idle.
    case connected
    /// The fallback access point is up: join `tapwalker-XXXX` to set the WiFi.
    case accessPoint
    /// A job is moving bits to the board.
    case busy
    /// The last job failed.
    case failed
}

/// Board support: the status LED (a plain GPIO LED or an addressable RGB one).
public protocol StatusLED: AnyObject {
    func show(_ status: DeviceStatus)
}
