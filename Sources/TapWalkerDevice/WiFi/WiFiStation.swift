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

    /// Takes every pending radio event, then fires the roaming's timer if it is due.
    public func poll() {
        while let event = radio.nextEvent() {
            switch event {
            case .scanCompleted(let results): feed(.scanCompleted(results))
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
            case .scan: try radio.startScan()
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
