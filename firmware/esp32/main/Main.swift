// The firmware's entry point. ESP-IDF starts `app_main` on the main task (stack size in
// sdkconfig.defaults) once the system is up.
//
// The ESP32* adapters in this directory implement TapWalkerDevice's board-support protocols over
// tapwalker_bsp.h. Until the device application and the shared file-system, network and task
// adapters are part of the firmware, app_main brings up the status LED, the internal storage,
// the console and the radio, and reports what it found.
import TapWalkerCore
import TapWalkerDevice

@_cdecl("app_main")
func appMain() {
    let console = ESP32Console()
    let led = ESP32StatusLED(pin: Int(TAPWALKER_DEFAULT_PIN_LED), activeHigh: true)
    led?.show(.starting)
    let chip = ESP32Chip.running
    console.write("TapWalker on \(chip?.name ?? "an unknown chip")\n")

    let storage = tapwalker_storage_mount()
    var total: UInt64 = 0
    var free: UInt64 = 0
    if storage == ESP_OK, tapwalker_storage_info(&total, &free) == ESP_OK {
        console.write("\(TAPWALKER_STORAGE_MOUNT): \(free / 1024) KB free of \(total / 1024) KB\n")
    } else {
        console.write("\(TAPWALKER_STORAGE_MOUNT) not mounted: \(ESP32Error.name(storage))\n")
    }
    let radio = ESP32WiFiRadio()
    if let failure = radio.failure {
        console.write("\(failure.message)\n")
    } else {
        console.write("WiFi ready, MAC \(radio.macAddress.map { hex($0) }.joined(separator: ":"))\n")
    }
    led?.show(.joiningNetwork)
}

private func hex(_ byte: UInt8) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
    return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
}
