/// Which network the device joins, as a state machine fed with radio events and the time, so
/// that every choice can be tested without a radio. The firmware passes each WiFi event (and a
/// `.timer` event once `deadline` has passed) to `handle` and carries out the actions it returns.
///
/// The policy, after the original MicroPython programmer's (scan, strongest known network first,
/// 10 s each):
/// - scan, then try the configured networks that were heard, strongest first, each for at most
///   `connectTimeout`; SSIDs that are not configured are ignored (the original also joined any
///   open network it heard, which lets whoever runs an open network take the device);
/// - when none answers, scan again after a back-off that doubles from `firstRetry` up to
///   `maximumRetry`; after `roundsBeforeAccessPoint` such rounds, or at once when no network is
///   configured, open the access point `tapwalker-XXXX` whose web page sets the WiFi, and keep
///   scanning every `accessPointRescan`;
/// - leave the access point once a configured network shows up in a scan and accepts the
///   connection; a dropped connection starts again with a scan.
public struct WiFiRoaming {
    public struct Timing: Sendable {
        public var scanTimeout: UInt64 = 15_000_000
        public var connectTimeout: UInt64 = 10_000_000
        public var firstRetry: UInt64 = 2_000_000
        public var maximumRetry: UInt64 = 60_000_000
        public var accessPointRescan: UInt64 = 30_000_000
        public var roundsBeforeAccessPoint = 3

        public init() {}

        /// `[wifi]` of tapwalker.conf: connect_seconds and scan_seconds.
        public init(_ wifi: DeviceConfiguration.WiFi) {
            connectTimeout = UInt64(wifi.connectSeconds) * 1_000_000
            accessPointRescan = UInt64(wifi.scanSeconds) * 1_000_000
        }
    }

    public enum Event: Equatable {
        /// The radio is up; begin.
        case start
        case scanCompleted([WiFiScanResult])
        case connected
        /// The attempt to join was refused (wrong password, no answer).
        case connectFailed
        /// An established connection was lost.
        case disconnected
        /// `deadline` has passed (an early timer is ignored).
        case timer
        /// wifiman.conf was edited.
        case networksChanged([WiFiNetwork])
    }

    public enum Action: Equatable {
        case scan
        case connect(WiFiNetwork)
        /// Abandon a connection attempt that took too long, or a network no longer configured.
        case disconnect
        case startAccessPoint(ssid: [UInt8], password: [UInt8]?)
        case stopAccessPoint
    }

    public enum Phase: Equatable {
        case stopped
        case scanning
        case connecting(WiFiNetwork)
        case connected(WiFiNetwork)
        /// Until `deadline` (back-off) or, with the access point up and nothing configured, until
        /// the networks change.
        case waiting
    }

    public private(set) var phase: Phase = .stopped
    public private(set) var accessPointActive = false
    /// When to deliver `.timer`; nil when nothing is timed.
    public private(set) var deadline: UInt64? = nil
    /// Scan rounds in a row in which no configured network accepted a connection.
    public private(set) var failedRounds = 0
    public private(set) var networks: [WiFiNetwork]

    public let timing: Timing
    public let accessPointSSID: [UInt8]
    public let accessPointPassword: [UInt8]?
    private var candidates: [WiFiNetwork] = []

    public init(networks: [WiFiNetwork], macAddress: [UInt8], accessPointPassword: [UInt8]?, timing: Timing = Timing()) {
        self.networks = networks
        self.timing = timing
        self.accessPointSSID = WiFiRoaming.accessPointName(macAddress: macAddress)
        self.accessPointPassword = accessPointPassword
    }

    /// "tapwalker-" and the last two bytes of the MAC address in upper-case hex, so that two
    /// devices in one room have different names.
    public static func accessPointName(macAddress: [UInt8]) -> [UInt8] {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var name = Array("tapwalker-".utf8)
        for b in macAddress.suffix(2) {
            name.append(digits[Int(b >> 4)])
            name.append(digits[Int(b & 0xF)])
        }
        return name
    }

    /// The wait before the scan that follows `rounds` failed rounds (1, 2, …): doubling from
    /// `firstRetry`, never more than `maximumRetry`.
    public func retryDelay(afterRounds rounds: Int) -> UInt64 {
        var delay = timing.firstRetry
        var n = 1
        while n < rounds && delay < timing.maximumRetry {
            delay *= 2
            n += 1
        }
        return min(delay, timing.maximumRetry)
    }

    /// The configured networks heard in `results`, strongest first (for an SSID heard from
    /// several access points, the strongest of them); equal strengths keep wifiman.conf's order.
    public func candidates(in results: [WiFiScanResult]) -> [WiFiNetwork] {
        var found: [(network: WiFiNetwork, rssi: Int, order: Int)] = []
        for (order, network) in networks.enumerated() {
            var best: Int? = nil
            for r in results where r.ssid == network.ssid {
                best = max(best ?? r.rssi, r.rssi)
            }
            if let best { found.append((network, best, order)) }
        }
        found.sort { $0.rssi != $1.rssi ? $0.rssi > $1.rssi : $0.order < $1.order }
        return found.map { $0.network }
    }

    public mutating func handle(_ event: Event, now: UInt64) -> [Action] {
        switch event {
        case .start:
            guard phase == .stopped else { return [] }
            if networks.isEmpty { return openAccessPoint(now: now) }
            return scan(now: now)

        case .scanCompleted(let results):
            guard phase == .scanning else { return [] }
            candidates = candidates(in: results)
            return tryNextCandidate(now: now)

        case .connected:
            guard case .connecting(let network) = phase else { return [] }
            phase = .connected(network)
            failedRounds = 0
            deadline = nil
            candidates = []
            if accessPointActive {
                accessPointActive = false
                return [.stopAccessPoint]
            }
            return []

        case .connectFailed:
            guard case .connecting = phase else { return [] }
            return tryNextCandidate(now: now)

        case .disconnected:
            switch phase {
            case .connecting: return tryNextCandidate(now: now)
            case .connected: return scan(now: now)
            default: return []
            }

        case .timer:
            guard let d = deadline, now >= d else { return [] }
            switch phase {
            case .waiting: return scan(now: now)
            case .scanning: return roundFailed(now: now)  // the scan never finished
            case .connecting: return [.disconnect] + tryNextCandidate(now: now)
            case .stopped, .connected: deadline = nil; return []
            }

        case .networksChanged(let list):
            networks = list
            switch phase {
            case .connected(let current):
                guard !list.contains(where: { $0.ssid == current.ssid }) else { return [] }
                return [.disconnect] + (list.isEmpty ? openAccessPoint(now: now) : scan(now: now))
            case .waiting:
                return list.isEmpty ? openAccessPoint(now: now) : scan(now: now)
            case .stopped, .scanning, .connecting:
                return []  // the next scan uses the new list
            }
        }
    }

    private mutating func scan(now: UInt64) -> [Action] {
        phase = .scanning
        deadline = now + timing.scanTimeout
        return [.scan]
    }

    private mutating func tryNextCandidate(now: UInt64) -> [Action] {
        guard !candidates.isEmpty else { return roundFailed(now: now) }
        let next = candidates.removeFirst()
        phase = .connecting(next)
        deadline = now + timing.connectTimeout
        return [.connect(next)]
    }

    private mutating func roundFailed(now: UInt64) -> [Action] {
        failedRounds += 1
        candidates = []
        if networks.isEmpty { return openAccessPoint(now: now) }
        var actions: [Action] = []
        if !accessPointActive && failedRounds >= timing.roundsBeforeAccessPoint {
            actions = openAccessPoint(now: now)
        }
        phase = .waiting
        deadline = now + (accessPointActive ? timing.accessPointRescan : retryDelay(afterRounds: failedRounds))
        return actions
    }

    /// Opens the access point (once); with nothing configured there is nothing to scan for until
    /// the page adds a network.
    private mutating func openAccessPoint(now: UInt64) -> [Action] {
        phase = .waiting
        deadline = networks.isEmpty ? nil : now + timing.accessPointRescan
        guard !accessPointActive else { return [] }
        accessPointActive = true
        return [.startAccessPoint(ssid: accessPointSSID, password: accessPointPassword)]
    }
}
