import TapWalkerCore
import TapWalkerServices

/// Runs `WiFiRoaming` against the radio: hands it the radio's events and the clock's time, carries
/// out its actions, and shows the state on the status LED. The firmware calls `poll` from its
/// main loop. A radio call that fails is taken as the matching failure event (a scan that cannot
/// start heard nothing; a connection that cannot start was refused), so the roaming's back-off
/// and access point fallback also cover a misbehaving radio.
public final class WiFiStation {
    public private(set) var roaming: WiFiRoaming
    public let radio: any WiFiRadio
    public let clock: any DeviceClock
    public let led: (any StatusLED)?
    /// The IPv4 address while connected.
    public private(set) var address: [UInt8]? = nil
    /// What went wrong last, for `status`.
    public private(set) var lastProblem: String? = nil
    /// What the last completed scan heard (the roaming's scans and those asked for by `startScan`).
    public private(set) var lastScan: [WiFiScanResult] = []
    /// When the scan under way started; nil when none is.
    private var scanStarted: UInt64? = nil

    public init(radio: any WiFiRadio, clock: any DeviceClock, led: (any StatusLED)?,
                networks: [WiFiNetwork], settings: DeviceConfiguration.WiFi) {
        self.radio = radio
        self.clock = clock
        self.led = led
        roaming = WiFiRoaming(networks: networks, macAddress: radio.macAddress,
                              accessPointPassword: settings.accessPointPassword, timing: WiFiRoaming.Timing(settings))
    }

    public func start() {
        feed(.start)
    }

    /// wifiman.conf changed (console, web page).
    public func networksChanged(_ networks: [WiFiNetwork]) {
        feed(.networksChanged(networks))
    }

    /// Whether a scan is under way (one that never reports counts as over after the roaming's
    /// scan timeout).
    public var scanning: Bool {
        guard let started = scanStarted else { return false }
        return clock.microseconds() &- started < roaming.timing.scanTimeout
    }

    /// A scan for the web page's list of networks; its results arrive like the roaming's (a
    /// roaming that is scanning itself takes them too). Nothing new starts while a scan is under
    /// way. While the device is joining a network the radio cannot scan, so that is refused.
    public func startScan() throws(TapWalkerError) {
        if scanning { return }
        if case .connecting(let network) = roaming.phase {
            throw TapWalkerError(.device, "the device is joining \"\(ASCII.printable(network.ssid))\"; scan again in a few seconds")
        }
        try radio.startScan()
        scanStarted = clock.microseconds()
    }

    /// Takes every pending radio event, then fires the roaming's timer if it is due.
    public func poll() {
        while let event = radio.nextEvent() {
            switch event {
            case .scanCompleted(let results):
                lastScan = results
                scanStarted = nil
                feed(.scanCompleted(results))
            case .connected(let a): address = a; feed(.connected)
            case .connectFailed: feed(.connectFailed)
            case .disconnected: address = nil; feed(.disconnected)
            case .accessPointClientsChanged: break
            }
        }
        if let deadline = roaming.deadline, clock.microseconds() >= deadline { feed(.timer) }
    }

    private func feed(_ event: WiFiRoaming.Event) {
        var pending = roaming.handle(event, now: clock.microseconds())
        while !pending.isEmpty {
            let action = pending.removeFirst()
            if let failure = perform(action) {
                pending += roaming.handle(failure, now: clock.microseconds())
            }
        }
        showStatus()
    }

    /// Carries out `action`; returns the event that stands for its failure, if it failed.
    private func perform(_ action: WiFiRoaming.Action) -> WiFiRoaming.Event? {
        do throws(TapWalkerError) {
            switch action {
            case .scan:
                // A scan already under way (one the page asked for) reports to the roaming too.
                if !scanning {
                    try radio.startScan()
                    scanStarted = clock.microseconds()
                }
            case .connect(let network): try radio.connect(network)
            case .disconnect: radio.disconnect(); address = nil
            case .startAccessPoint(let ssid, let password): try radio.startAccessPoint(ssid: ssid, password: password)
            case .stopAccessPoint: radio.stopAccessPoint()
            }
            return nil
        } catch {
            lastProblem = error.message
            switch action {
            case .scan: return .scanCompleted([])
            case .connect: return .connectFailed
            case .startAccessPoint, .disconnect, .stopAccessPoint: return nil
            }
        }
    }

    private func showStatus() {
        guard let led else { return }
        switch roaming.phase {
        case .connected: led.show(.connected)
        case .stopped, .scanning, .connecting, .waiting: led.show(roaming.accessPointActive ? .accessPoint : .joiningNetwork)
        }
    }
}
