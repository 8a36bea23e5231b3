import TapWalkerDevice

/// ConsolePort over standard input and output, which IDF's VFS connects to the console port
/// chosen in menuconfig (UART0 by default, or the USB-Serial/JTAG port; bsp_console.c).
/// Standard input is made non-blocking, so a read with a timeout polls and sleeps between polls
/// instead of holding the task.
final class ESP32Console: ConsolePort {
    /// One FreeRTOS tick at IDF's default CONFIG_FREERTOS_HZ (100): typed characters wait at most
    /// this long before the console sees them.
    static let pollMilliseconds: Int64 = 10

    init() {
        _ = tapwalker_console_init()
    }

    /// The chip's console never ends, so this never returns nil; a read error counts as nothing
    /// typed (the USB-Serial/JTAG driver fails reads while no host has the port open).
    func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) -> Int? {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let start = tapwalker_time_us()
        while true {
            let n = tapwalker_console_read(base, buffer.count)
            if n > 0 { return Int(n) }
            let waited = (tapwalker_time_us() - start) / 1000
            let left = Int64(timeoutMilliseconds) - waited
            if left <= 0 { return 0 }
            tapwalker_sleep_ms(UInt32(min(left, Self.pollMilliseconds)))
        }
    }

    func write(_ text: String) {
        var text = text
        text.withUTF8 { tapwalker_console_write($0.baseAddress, $0.count) }
    }
}
