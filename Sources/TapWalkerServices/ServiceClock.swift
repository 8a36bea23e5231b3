import TapWalkerCore

/// Wall-clock time for the servers and network cables: idle accounting, timeouts, sleeps.
/// The host implements it with clock_gettime/nanosleep, the ESP32 with esp_timer/vTaskDelay.
public protocol ServiceClock: AnyObject {
    /// Microseconds since an arbitrary start, monotonic.
    func microseconds() -> UInt64
    /// Lets at least `microseconds` of wall time pass.
    func sleep(microseconds: UInt32)
}
