import TapWalkerDevice

extension ESP32Chip {
    /// The chip this firmware was built for (CONFIG_IDF_TARGET, set by `idf.py set-target`).
    static var running: ESP32Chip? {
        named(Array(CONFIG_IDF_TARGET.utf8))
    }
}
