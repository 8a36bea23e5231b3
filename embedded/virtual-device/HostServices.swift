import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices

/// The ESP32's esp_timer and vTaskDelay, as the host's CLOCK_MONOTONIC and nanosleep.
final class VirtualClock: DeviceClock {
    func microseconds() -> UInt64 { virtual_microseconds() }
    func sleep(microseconds: UInt32) { virtual_sleep(microseconds) }
}

/// The ESP32's hardware RNG (esp_fill_random), as the host's getrandom.
final class VirtualRandom: RandomSource {
    func fill(_ bytes: inout [UInt8]) {
        let ok = bytes.withUnsafeMutableBytes { virtual_random($0.baseAddress, $0.count) } == 0
        // Session tokens from predictable bytes would let anyone in; the chip's RNG cannot fail.
        if !ok { fatalError("virtual ESP32: the host gave no random bytes") }
    }
}

/// The serial console as standard input and output: poll on descriptor 0; the end of standard
/// input closes the console for good.
final class StandardConsole: ConsolePort {
    private var closed = false

    func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) -> Int? {
        if closed { return nil }
        let r = bsd_poll(0, 1, Int32(clamping: timeoutMilliseconds))
        if r <= 0 { return 0 }
        let n = bsd_read(0, buffer.baseAddress, buffer.count)
        if n < 0 {
            let error = bsd_errno()
            if bsd_is_interrupted(error) != 0 || bsd_would_block(error) != 0 { return 0 }
        }
        if n <= 0 {
            closed = true
            return nil
        }
        return n
    }

    func write(_ text: String) { Log.out(text) }
}

/// The status LED as lines on standard error ("LED: connected"), each change once.
final class LinesLED: StatusLED {
    private var last: DeviceStatus?

    func show(_ status: DeviceStatus) {
        if let last, last == status { return }
        last = status
        Log.err("LED: \(LinesLED.name(status))\n")
    }

    static func name(_ status: DeviceStatus) -> String {
        switch status {
        case .starting: return "starting"
        case .joiningNetwork: return "joining network"
        case .connected: return "connected"
        case .accessPoint: return "access point"
        case .busy: return "busy"
        case .failed: return "failed"
        }
    }
}

/// Writing to the host's standard output and error.
enum Log {
    static func out(_ text: String) { text.withCString { virtual_out($0) } }
    static func err(_ text: String) { text.withCString { virtual_err($0) } }
    /// A line of the device's log ("virtual ESP32: …") on standard output.
    static func line(_ text: String) { out("virtual ESP32: " + text + "\n") }
}

/// The heap as the capped allocator counts it (embedded/check/meter.c): what is free below the
/// cap, and each task's own use, for the admission by memory and its figures.
final class VirtualHeapGauge: HeapGauge {
    func freeBytes() -> Int { heapCapBytes - meter_heap_live() }
    func beginMeasuring() -> Int? {
        let mark = meter_thread_begin()
        return mark < 0 ? nil : Int(mark)
    }
    func endMeasuring(_ mark: Int) -> Int { meter_thread_end(Int32(mark)) }
}
