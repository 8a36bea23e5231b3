import TapWalkerCore
import TapWalkerServices

/// The web page's WiFi settings on the device: wifiman.conf on the device's file system, edited
/// as the console edits it (`WiFiManFile.edit`: the same checks, the file replaced whole through
/// `replaceFile`), and the radio through the `WiFiStation`.
///
/// The HTTP server runs on its own task while the main loop polls the station and runs the
/// console, so every use of the station and of wifiman.conf goes through one mutex: the main loop
/// calls `poll()` here instead of `station.poll()` and reads the station through `withStation`,
/// and the console edits wifiman.conf through this object (`Console(…, wifiEditor:)`, as
/// `WiFiManEditing`), so that its edits and the page's never overlap.
public final class DeviceWiFiSettings: HTTPWiFiSettings, WiFiManEditing {
    public let files: any DeviceFileSystem
    public let station: WiFiStation
    /// Where wifiman.conf is in `files`.
    public let path: String
    private let mutex: any PlatformMutex

    public init(files: any DeviceFileSystem, station: WiFiStation, mutex: any PlatformMutex, path: String = "/" + WiFiManFile.fileName) {
        self.files = files
        self.station = station
        self.mutex = mutex
        self.path = path
    }

    /// The main loop's turn with the station: its radio events and timers.
    public func poll() {
        mutex.lock()
        defer { mutex.unlock() }
        station.poll()
    }

    /// Reads (or uses) the station under the mutex: for the console's `status` and the address
    /// the main loop announces, which must not read it while the page is changing it.
    public func withStation<Result>(_ body: (WiFiStation) -> Result) -> Result {
        mutex.lock()
        defer { mutex.unlock() }
        return body(station)
    }

    /// wifiman.conf was changed elsewhere (a console that edits the file itself).
    public func networksChanged(_ networks: [WiFiNetwork]) {
        mutex.lock()
        defer { mutex.unlock() }
        station.networksChanged(networks)
    }

    public func state() -> HTTPWiFiState {
        mutex.lock()
        defer { mutex.unlock() }
        let roaming = station.roaming
        var networks = roaming.networks
        var problem = station.lastProblem
        do throws(TapWalkerError) {
            networks = try WiFiManFile.load(from: files, path: path).networks
        } catch {
            problem = error.message
        }
        var state = HTTPWiFiState(
            name: roaming.accessPointSSID, networks: networks.map { $0.ssid }, accessPoint: roaming.accessPointActive,
            scanning: station.scanning, heard: station.lastScan.map { HTTPWiFiState.Heard(ssid: $0.ssid, rssi: $0.rssi) },
            problem: problem)
        switch roaming.phase {
        case .connected(let network):
            state.connected = network.ssid
            state.address = station.address
        case .connecting(let network):
            state.joining = network.ssid
        case .stopped, .scanning, .waiting:
            break
        }
        return state
    }

    public func add(ssid: [UInt8], password: [UInt8]) throws(TapWalkerError) {
        _ = try edit { (file) throws(TapWalkerError) in try file.add(WiFiNetwork(ssid: ssid, password: password)) }
    }

    public func remove(ssid: [UInt8]) throws(TapWalkerError) {
        _ = try edit { (file) throws(TapWalkerError) in try file.remove(ssid: ssid) }
    }

    public func startScan() throws(TapWalkerError) {
        mutex.lock()
        defer { mutex.unlock() }
        try station.startScan()
    }

    public func load() throws(TapWalkerError) -> WiFiManFile {
        mutex.lock()
        defer { mutex.unlock() }
        return try WiFiManFile.load(from: files, path: path)
    }

    /// Edits wifiman.conf and hands the station the new list, both under the mutex, so that two
    /// edits at once cannot lose one another.
    public func edit(_ change: (inout WiFiManFile) throws(TapWalkerError) -> Void) throws(TapWalkerError) -> WiFiManFile {
        mutex.lock()
        defer { mutex.unlock() }
        let file = try WiFiManFile.edit(in: files, path: path, change)
        station.networksChanged(file.networks)
        return file
    }
}
