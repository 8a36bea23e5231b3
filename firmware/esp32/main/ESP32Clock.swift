import TapWalkerDevice

/// DeviceClock over esp_timer (microseconds since boot) and FreeRTOS (bsp_time.c).
final class ESP32Clock: DeviceClock {
    /// Waits shorter than this busy-wait instead of sleeping: a FreeRTOS sleep lasts at least one
    /// tick (10 ms at IDF's default CONFIG_FREERTOS_HZ of 100), far longer than a JTAG run-test
    /// delay of a few microseconds should take.
    static let busyWaitBelowMicroseconds: UInt32 = 1000

    func microseconds() -> UInt64 {
        UInt64(tapwalker_time_us())
    }

    func sleep(microseconds: UInt32) {
        if microseconds < Self.busyWaitBelowMicroseconds {
            tapwalker_delay_us(microseconds)
        } else {
            // Rounded up: the caller asked for at least this long.
            tapwalker_sleep_ms(microseconds / 1000 + (microseconds % 1000 == 0 ? 0 : 1))
        }
    }
}
