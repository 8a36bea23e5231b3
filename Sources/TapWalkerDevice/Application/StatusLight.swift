import TapWalkerServices

/// What the status LED shows, from three sources: the WiFi state (`WiFiStation` shows it through
/// this object), whether a job holds the board, and whether something failed. A job in progress
/// wins, then a failure (a configuration file that could not be read stays shown until the device
/// restarts; a failed console job until the next one succeeds), then the WiFi state.
final class StatusLight: StatusLED {
    private let led: (any StatusLED)?
    private let mutex: any PlatformMutex
    private var network: DeviceStatus = .starting
    private var busy = false
    private var configurationFault = false
    private var jobFailed = false
    private var shown: DeviceStatus? = nil

    init(led: (any StatusLED)?, mutex: any PlatformMutex) {
        self.led = led
        self.mutex = mutex
    }

    /// The WiFi state.
    func show(_ status: DeviceStatus) {
        update { network = status }
    }

    func setBusy(_ value: Bool) {
        update { busy = value }
    }

    /// A configuration file could not be read, or a setting of it could not be applied.
    func fault() {
        update { configurationFault = true }
    }

    func jobEnded(failed: Bool) {
        update { busy = false; jobFailed = failed }
    }

    private func update(_ change: () -> Void) {
        mutex.lock()
        change()
        let wanted: DeviceStatus = busy ? .busy : (configurationFault || jobFailed) ? .failed : network
        let changed = shown != wanted
        shown = wanted
        mutex.unlock()
        if changed { led?.show(wanted) }
    }
}
