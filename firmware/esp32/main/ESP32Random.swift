import TapWalkerServices

/// RandomSource over the chip's hardware random number generator (esp_fill_random, bsp_system.c).
final class ESP32Random: RandomSource {
    func fill(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { tapwalker_random_fill($0.baseAddress, $0.count) }
    }
}
