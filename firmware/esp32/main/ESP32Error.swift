import TapWalkerCore

/// ESP-IDF's error codes (esp_err_t) as TapWalker errors, named the way IDF names them
/// (esp_err_to_name), so a console or web message says which driver refused and why.
enum ESP32Error {
    /// Throws unless `code` is ESP_OK; `what` names the operation ("SD card read").
    static func check(_ code: esp_err_t, _ what: String, kind: TapWalkerError.Kind = .device) throws(TapWalkerError) {
        guard code != ESP_OK else { return }
        throw TapWalkerError(kind, "\(what): \(name(code))")
    }

    static func name(_ code: esp_err_t) -> String {
        guard let text = esp_err_to_name(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
