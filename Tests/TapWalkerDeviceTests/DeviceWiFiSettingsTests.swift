import Testing
import TapWalkerCore
import TapWalkerServices
@testable import TapWalkerDevice

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A mutex that records whether it is held, so that a test can see the radio is only ever used
/// under it.
final class RecordingMutex: PlatformMutex {
    private(set) var held = false
    private(set) var locks = 0
    func lock() { precondition(!held, "locked twice"); held = true; locks += 1 }
    func unlock() { precondition(held, "unlocked while free"); held = false }
}

/// A radio that notes every call made without the mutex held.
final class GuardedRadio: WiFiRadio {
    let inner = FakeRadio()
    let mutex: RecordingMutex
    var unguarded: [String] = []
    init(_ mutex: RecordingMutex) { self.mutex = mutex }
    var macAddress: [UInt8] { inner.macAddress }
    private func check(_ what: String) { if !mutex.held { unguarded.append(what) } }
    func startScan() throws(TapWalkerError) { check("scan"); try inner.startScan() }
    func connect(_ network: WiFiNetwork) throws(TapWalkerError) { check("connect"); try inner.connect(network) }
    func disconnect() { check("disconnect"); inner.disconnect() }
    func startAccessPoint(ssid: [UInt8], password: [UInt8]?) throws(TapWalkerError) { check("ap"); try inner.startAccessPoint(ssid: ssid, password: password) }
    func stopAccessPoint() { check("ap off"); inner.stopAccessPoint() }
    func nextEvent() -> WiFiRadioEvent? { check("event"); return inner.nextEvent() }
}

@Suite struct DeviceWiFiSettingsTests {
    private func make(_ files: MemoryFileSystem) throws -> (DeviceWiFiSettings, GuardedRadio, ManualClock) {
        let mutex = RecordingMutex(), radio = GuardedRadio(mutex), clock = ManualClock()
        let station = WiFiStation(radio: radio, clock: clock, led: nil, networks: try WiFiManFile.load(from: files).networks,
                                  settings: DeviceConfiguration.WiFi())
        let settings = DeviceWiFiSettings(files: files, station: station, mutex: mutex)
        mutex.lock(); station.start(); mutex.unlock()
        return (settings, radio, clock)
    }

    @Test func firstSetupOnTheAccessPoint() throws {
        let files = MemoryFileSystem()
        let (settings, radio, clock) = try make(files)
        var state = settings.state()
        #expect(state.accessPoint && state.name == b("tapwalker-BEEF") && state.networks.isEmpty && state.connected == nil)
        #expect(radio.inner.calls == ["ap tapwalker-BEEF"])

        // The page asks for a scan; its result shows, and the roaming (nothing configured) ignores it.
        try settings.startScan()
        #expect(settings.state().scanning && radio.inner.calls.last == "scan")
        try settings.startScan()  // a scan is under way: no second one
        #expect(radio.inner.calls.filter { $0 == "scan" }.count == 1)
        radio.inner.events = [.scanCompleted([WiFiScanResult(ssid: b("home"), rssi: -61), WiFiScanResult(ssid: b("cafe"), rssi: -75)])]
        clock.now += 3_000_000
        settings.poll()
        state = settings.state()
        #expect(!state.scanning && state.heard == [HTTPWiFiState.Heard(ssid: b("home"), rssi: -61), HTTPWiFiState.Heard(ssid: b("cafe"), rssi: -75)])
        #expect(radio.inner.calls.count == 2)

        // Adding a network writes wifiman.conf through a temporary and sends the roaming scanning for it.
        try settings.add(ssid: b("home"), password: b("homepass1"))
        #expect(files.text("/wifiman.conf") == "home:homepass1\n")
        #expect(files.renames.count == 1 && files.renames[0] == ("/wifiman.conf.new", "/wifiman.conf"))
        #expect(settings.state().networks == [b("home")])
        #expect(radio.inner.calls.last == "scan")
        radio.inner.events = [.scanCompleted([WiFiScanResult(ssid: b("home"), rssi: -58)])]
        settings.poll()
        #expect(radio.inner.calls.last == "connect home")
        state = settings.state()
        #expect(state.joining == b("home") && state.accessPoint)
        // While joining, the radio cannot scan: refused with the reason.
        do { try settings.startScan(); Issue.record("scan while joining") } catch { #expect(error.message.contains("joining \"home\"")) }
        radio.inner.events = [.connected(address: [192, 168, 1, 40])]
        settings.poll()
        state = settings.state()
        #expect(state.connected == b("home") && state.address == [192, 168, 1, 40] && !state.accessPoint && state.joining == nil)
        #expect(radio.inner.calls.last == "ap off")
        #expect(radio.unguarded.isEmpty, "\(radio.unguarded)")
    }

    @Test func editsKeepOtherLinesAndRefuseWhatTheConsoleRefuses() throws {
        let files = MemoryFileSystem()
        files.renameRefusesExisting = true  // FAT
        files.files["/wifiman.conf"] = b("# my networks\nhome:homepass1\nlab:labpass12\nhome:second11\n")
        let (settings, radio, _) = try make(files)
        try settings.add(ssid: b("home"), password: b("changed12"))
        #expect(files.text("/wifiman.conf") == "# my networks\nhome:changed12\nlab:labpass12\n")
        try settings.add(ssid: b("cafe"), password: [])
        try settings.remove(ssid: b("lab"))
        #expect(files.text("/wifiman.conf") == "# my networks\nhome:changed12\ncafe:\n")
        #expect(settings.station.roaming.networks == [WiFiNetwork(ssid: b("home"), password: b("changed12")), WiFiNetwork(ssid: b("cafe"), password: [])])
        for (ssid, password, reason) in [("x", "short", "must be 8 to 63"), ("a:b", "abcdefgh", "contains a colon"), ("", "abcdefgh", "1 to 32 bytes")] {
            do { try settings.add(ssid: b(ssid), password: b(password)); Issue.record("accepted \(ssid)") } catch {
                #expect(error.message.contains(reason) && error.message.hasSuffix("wifiman.conf was not changed"))
            }
        }
        do { try settings.remove(ssid: b("lab")); Issue.record("removed twice") } catch { #expect(error.message.hasPrefix("no network \"lab\"")) }
        #expect(files.text("/wifiman.conf") == "# my networks\nhome:changed12\ncafe:\n")
        // A failing flash write leaves the old file whole.
        files.failWrites = true
        do { try settings.add(ssid: b("new"), password: b("newpass12")); Issue.record("write failed silently") } catch { #expect(error.message == "flash full") }
        #expect(files.text("/wifiman.conf") == "# my networks\nhome:changed12\ncafe:\n" && files.files["/wifiman.conf.new"] == nil)
        #expect(radio.unguarded.isEmpty)
    }

    @Test func aBrokenFileIsReportedNotHidden() throws {
        let files = MemoryFileSystem()
        files.files["/wifiman.conf"] = b("home:homepass1\n")
        let (settings, _, _) = try make(files)
        files.files["/wifiman.conf"] = b("home:homepass1\n\(String(repeating: "s", count: 33)):password1\n")
        let state = settings.state()
        #expect(state.networks == [b("home")])  // the list the roaming uses
        #expect(state.problem?.hasPrefix("wifiman.conf:2: ssid") == true)
    }

    final class Actions: ConsoleActions {
        let settings: DeviceWiFiSettings
        var told: [[WiFiNetwork]] = []
        init(_ s: DeviceWiFiSettings) { settings = s }
        func status() throws(TapWalkerError) -> String { "" }
        func program(file: String) throws(TapWalkerError) -> String { "" }
        func flash(file: String, address: Int) throws(TapWalkerError) -> String { "" }
        func svf(file: String) throws(TapWalkerError) -> String { "" }
        func passthru() throws(TapWalkerError) -> String { "" }
        func networksChanged(_ networks: [WiFiNetwork]) { told.append(networks); settings.networksChanged(networks) }
        func reboot() {}
    }

    @Test func theConsoleEditsThroughTheSettingsUnderTheirMutex() throws {
        let files = MemoryFileSystem()
        let (settings, radio, _) = try make(files)
        let actions = Actions(settings)
        let console = Console(actions: actions, files: files, wifiEditor: settings)
        #expect(console.reply(to: b("wifi add home homepass1")) == "added \"home\"\n")
        #expect(files.text("/wifiman.conf") == "home:homepass1\n")
        #expect(settings.state().networks == [b("home")] && radio.inner.calls.last == "scan")
        #expect(settings.station.roaming.networks == [WiFiNetwork(ssid: b("home"), password: b("homepass1"))])
        try settings.add(ssid: b("lab"), password: b("labpass12"))
        #expect(console.reply(to: b("wifi list")) == "home\nlab\n")
        #expect(console.reply(to: b("wifi remove home")) == "removed \"home\"\n")
        #expect(console.reply(to: b("wifi add x short")).hasPrefix("error: the password for \"x\" must be 8 to 63"))
        #expect(files.text("/wifiman.conf") == "lab:labpass12\n")
        #expect(settings.station.roaming.networks == [WiFiNetwork(ssid: b("lab"), password: b("labpass12"))])
        // The settings told the roaming; the console's actions were not asked to do it again.
        #expect(actions.told.isEmpty)
        #expect(radio.unguarded.isEmpty)
    }

    @Test func aConsoleThatEditsTheFileItselfTellsTheStationThroughTheSettings() throws {
        let files = MemoryFileSystem()
        let (settings, radio, _) = try make(files)
        let actions = Actions(settings)
        let console = Console(actions: actions, files: files)
        #expect(console.reply(to: b("wifi add home homepass1")) == "added \"home\"\n")
        #expect(actions.told == [[WiFiNetwork(ssid: b("home"), password: b("homepass1"))]])
        #expect(settings.state().networks == [b("home")] && radio.inner.calls.last == "scan")
        #expect(radio.unguarded.isEmpty)
    }
}

@Suite struct WiFiStationScanTests {
    @Test func aScanAskedForAndTheRoamingsShareOneRadioScan() throws {
        let radio = FakeRadio(), clock = ManualClock()
        let station = WiFiStation(radio: radio, clock: clock, led: nil, networks: [WiFiNetwork(ssid: b("home"), password: b("homepass1"))],
                                  settings: DeviceConfiguration.WiFi())
        // The page's scan first; the roaming's own start then finds it under way and waits for its result.
        try station.startScan()
        station.start()
        #expect(radio.calls == ["scan"] && station.scanning)
        radio.events = [.scanCompleted([WiFiScanResult(ssid: b("home"), rssi: -50)])]
        station.poll()
        #expect(radio.calls == ["scan", "connect home"] && !station.scanning)
        #expect(station.lastScan == [WiFiScanResult(ssid: b("home"), rssi: -50)])
    }

    @Test func aScanThatNeverReportsIsOverAfterTheScanTimeout() throws {
        let radio = FakeRadio(), clock = ManualClock()
        let station = WiFiStation(radio: radio, clock: clock, led: nil, networks: [], settings: DeviceConfiguration.WiFi())
        station.start()  // nothing configured: the access point
        try station.startScan()
        clock.now += station.roaming.timing.scanTimeout - 1
        #expect(station.scanning)
        try station.startScan()
        #expect(radio.calls == ["ap tapwalker-BEEF", "scan"])
        clock.now += 1
        #expect(!station.scanning)
        try station.startScan()
        #expect(radio.calls == ["ap tapwalker-BEEF", "scan", "scan"])
        // A radio that refuses leaves no scan under way.
        clock.now += station.roaming.timing.scanTimeout
        radio.scanFails = true
        do { try station.startScan(); Issue.record("a failed scan was taken as started") } catch { #expect(error.message == "radio not started") }
        #expect(!station.scanning)
    }
}
