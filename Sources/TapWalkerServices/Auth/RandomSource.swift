import TapWalkerCore

/// Unpredictable bytes for session tokens: /dev/urandom or getrandom on the host, the hardware RNG
/// (esp_fill_random) on the ESP32. Never a seeded pseudo-random generator.
public protocol RandomSource: AnyObject {
    func fill(_ bytes: inout [UInt8])
}
