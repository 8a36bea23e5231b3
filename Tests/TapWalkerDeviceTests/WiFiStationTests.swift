import Testing
import TapWalkerCore
import TapWalkerServices
@testable import TapWalkerDevice

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

final class FakeRadio: WiFiRadio {
    let macAddress: [UInt8] = [0x24, 0x0a, 0xc4, 0x12, 0xbe, 0xef]
    var calls: [String] = []
    var events: [WiFiRadioEvent] = []
    var scanFails = false
    func startScan() throws(TapWalkerError) {
        calls.append("scan")
        if scanFails { throw TapWalkerError(.device, "radio not started") }
    }
    func connect(_ network: WiFiNetwork) throws(TapWalkerError) { calls.append("connect " + String(decoding: network.ssid, as: UTF8.self)) }
    func disconnect() { calls.append("disconnect") }
    func startAccessPoint(ssid: [UInt8], password: [UInt8]?) throws(TapWalkerError) {
        calls.append("ap " + String(decoding: ssid, as: UTF8.self))
    }
    func stopAccessPoint() { calls.append("ap off") }
    func nextEvent() -> WiFiRadioEvent? { events.isEmpty ? nil : events.removeFirst() }
}

final class RecordingLED: StatusLED {
    var shown: [DeviceStatus] = []
    func show(_ status: DeviceStatus) { shown.append(status) }
}

@Suite struct WiFiStationTests {
    @Test func joinsTheStrongestConfiguredNetworkAndShowsIt() {
        let radio = FakeRadio(), clock = ManualClock(), led = RecordingLED()
        let station = WiFiStation(radio: radio, clock: clock, led: led,
                                  networks: [WiFiNetwork(ssid: b("home"), password: b("homepass1")),
                                             WiFiNetwork(ssid: b("lab"), password: b("labpass12"))],
                                  settings: DeviceConfiguration.WiFi())
        station.start()
        #expect(radio.calls == ["scan"])
        #expect(led.shown.last == .joiningNetwork)
        radio.events = [.scanCompleted([WiFiScanResult(ssid: b("home"), rssi: -70), WiFiScanResult(ssid: b("lab"), rssi: -40)])]
        station.poll()
        #expect(radio.calls == ["scan", "connect lab"])
        radio.events = [.connected(address: [192, 168, 1, 7])]
        station.poll()
        #expect(station.address == [192, 168, 1, 7])
        #expect(led.shown.last == .connected)
        radio.events = [.disconnected]
        station.poll()
        #expect(station.address == nil && radio.calls.last == "scan")
    }

    @Test func aRadioThatCannotScanEndsInTheAccessPoint() {
        let radio = FakeRadio(), clock = ManualClock(), led = RecordingLED()
        radio.scanFails = true
        let station = WiFiStation(radio: radio, clock: clock, led: led,
                                  networks: [WiFiNetwork(ssid: b("home"), password: b("homepass1"))],
                                  settings: DeviceConfiguration.WiFi())
        station.start()
        var polls = 0
        while !station.roaming.accessPointActive && polls < 10 {
            clock.now = station.roaming.deadline!
            station.poll()
            polls += 1
        }
        #expect(radio.calls == ["scan", "scan", "scan", "ap tapwalker-BEEF"])
        #expect(station.lastProblem == "radio not started")
        #expect(led.shown.last == .accessPoint)
        // The radio recovers; the next scan hears "home" and the access point closes on joining.
        radio.scanFails = false
        clock.now = station.roaming.deadline!
        station.poll()
        radio.events = [.scanCompleted([WiFiScanResult(ssid: b("home"), rssi: -60)]), .connected(address: [10, 0, 0, 2])]
        station.poll()
        #expect(Array(radio.calls.suffix(3)) == ["scan", "connect home", "ap off"])
        #expect(led.shown.last == .connected)
    }

    @Test func withNoNetworksTheAccessPointOpensAtOnceAndAddingOneScans() {
        let radio = FakeRadio(), clock = ManualClock()
        let station = WiFiStation(radio: radio, clock: clock, led: nil, networks: [], settings: DeviceConfiguration.WiFi())
        station.start()
        #expect(radio.calls == ["ap tapwalker-BEEF"])
        station.networksChanged([WiFiNetwork(ssid: b("home"), password: b("homepass1"))])
        #expect(radio.calls == ["ap tapwalker-BEEF", "scan"])
    }
}

@Suite struct ConfigurationFilesTests {
    @Test func missingFilesMeanNothingConfigured() throws {
        let files = MemoryFileSystem()
        let config = try DeviceConfiguration.load(from: files)
        #expect(config.login == nil && config.jtag.pins == nil)
        for service in DeviceService.allCases { #expect(config.refusal(service) != nil) }
        #expect(try WiFiManFile.load(from: files).networks.isEmpty)
    }

    @Test func presentFilesAreParsedWithTheirNamesInErrors() throws {
        let files = MemoryFileSystem()
        files.files["/tapwalker.conf"] = b("[services]\nftp = 21\n[login]\nuser = u\npassword = p\n")
        files.files["/wifiman.conf"] = b("home:homepass1\n")
        #expect(try DeviceConfiguration.load(from: files).refusal(.ftp) == nil)
        #expect(try WiFiManFile.load(from: files).networks == [WiFiNetwork(ssid: b("home"), password: b("homepass1"))])
        files.files["/tapwalker.conf"] = b("[services]\nftp = 21\n[wifi]\nap_pasword = x\n")
        #expect(throws: TapWalkerError.self) { try DeviceConfiguration.load(from: files) }
        do { _ = try DeviceConfiguration.load(from: files) } catch { #expect(error.message.hasPrefix("tapwalker.conf:4: unknown key [wifi] ap_pasword")) }
    }

    @Test func anOversizedFileIsRefusedBeforeItIsRead() {
        let files = MemoryFileSystem()
        files.files["/tapwalker.conf"] = [UInt8](repeating: UInt8(ascii: "#"), count: 9000)
        do { _ = try DeviceConfiguration.load(from: files); Issue.record("accepted") } catch {
            #expect(error.message == "flash:/tapwalker.conf is 9000 bytes, more than the 8192 it may have")
        }
    }
}
