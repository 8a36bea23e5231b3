import TapWalkerDevice

/// StatusLED over one GPIO (bsp_led.c). A single plain LED shows only on and off: lit while the
/// device is usable or working (connected, access point up, a job running, starting), dark while
/// it looks for a network or after a failed job.
final class ESP32StatusLED: StatusLED {
    /// Nil when the pin cannot be configured (no LED on that board, or a pin the chip lacks).
    init?(pin: Int, activeHigh: Bool) {
        guard tapwalker_led_init(Int32(pin), activeHigh) == ESP_OK else { return nil }
    }

    func show(_ status: DeviceStatus) {
        _ = tapwalker_led_set(Self.lit(status))
    }

    static func lit(_ status: DeviceStatus) -> Bool {
        switch status {
        case .starting, .connected, .accessPoint, .busy: return true
        case .joiningNetwork, .failed: return false
        }
    }
}
