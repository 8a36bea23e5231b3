/// Board support: time. On the chip, esp_timer (microseconds since boot) and vTaskDelay; on the
/// host, clock_gettime and nanosleep; in tests, a clock that moves only when told. `WiFiRoaming`
/// and the services' timeouts read it.
public protocol DeviceClock: AnyObject {
    /// Microseconds since an arbitrary start, never going back.
    func microseconds() -> UInt64
    /// Lets at least `microseconds` pass, giving the CPU to other tasks meanwhile.
    func sleep(microseconds: UInt32)
}
