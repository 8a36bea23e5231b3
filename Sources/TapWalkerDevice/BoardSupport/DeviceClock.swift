import TapWalkerServices

/// Board support: time. On the chip, esp_timer (microseconds since boot) and vTaskDelay; on the
/// host, clock_gettime and nanosleep; in tests, a clock that moves only when told. `WiFiRoaming`,
/// the console and the services' timeouts read the same clock, so it is the services' own
/// `ServiceClock` under the name the board-support interface uses.
public typealias DeviceClock = ServiceClock
