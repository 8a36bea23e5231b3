// The firmware's entry point. ESP-IDF starts `app_main` on the main task (stack size in
// sdkconfig.defaults) once the system is up.
//
// This is the seam between the chip and TapWalker: the Swift board-support adapter wraps the
// functions of tapwalker_bsp.h, and TapWalkerDevice (boot, configuration, WiFi roaming, services)
// runs on it. Until that adapter is here, app_main brings up the status LED and the internal
// storage and reports what it found.

@_cdecl("app_main")
func appMain() {
    let led = tapwalker_led_init(Int32(TAPWALKER_DEFAULT_PIN_LED), true)
    if led == ESP_OK {
        _ = tapwalker_led_set(true)
    }
    let storage = tapwalker_storage_mount()
    var total: UInt64 = 0
    var free: UInt64 = 0
    if storage == ESP_OK, tapwalker_storage_info(&total, &free) == ESP_OK {
        print("TapWalker: /storage \(free / 1024) KB free of \(total / 1024) KB")
    } else {
        print("TapWalker: /storage not mounted (error \(storage))")
    }
}
