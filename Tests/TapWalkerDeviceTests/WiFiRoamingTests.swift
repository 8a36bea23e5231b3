import Testing
@testable import TapWalkerDevice

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }
private func net(_ ssid: String, _ password: String = "password1") -> WiFiNetwork { WiFiNetwork(ssid: b(ssid), password: b(password)) }
private func heard(_ ssid: String, _ rssi: Int) -> WiFiScanResult { WiFiScanResult(ssid: b(ssid), rssi: rssi) }
private let mac: [UInt8] = [0x24, 0x0a, 0xc4, 0x12, 0x3a, 0x7f]

@Suite struct WiFiRoamingTests {
    @Test func accessPointNameFromTheMACsLastTwoBytes() {
        #expect(WiFiRoaming.accessPointName(macAddress: mac) == b("tapwalker-3A7F"))
    }

    @Test func strongestConfiguredNetworkFirstAndUnknownSSIDsIgnored() {
        var r = WiFiRoaming(networks: [net("home"), net("lab"), net("cafe")], macAddress: mac, accessPointPassword: nil)
        #expect(r.handle(.start, now: 0) == [.scan])
        let scan = [heard("open-stranger", -20), heard("lab", -70), heard("home", -60), heard("lab", -50), heard("other", -30)]
        #expect(r.handle(.scanCompleted(scan), now: 1_000) == [.connect(net("lab"))])
        #expect(r.handle(.connectFailed, now: 2_000) == [.connect(net("home"))])
        // "cafe" was not heard and the strangers are never tried: the round has failed.
        #expect(r.handle(.connectFailed, now: 3_000) == [])
        #expect(r.phase == .waiting && r.failedRounds == 1)
        #expect(r.deadline == 3_000 + r.timing.firstRetry)
    }

    @Test func eachAttemptHasBoundedTime() {
        var r = WiFiRoaming(networks: [net("home"), net("lab")], macAddress: mac, accessPointPassword: nil)
        _ = r.handle(.start, now: 0)
        _ = r.handle(.scanCompleted([heard("home", -40), heard("lab", -60)]), now: 0)
        #expect(r.handle(.timer, now: r.timing.connectTimeout - 1) == [])  // early timer: keep waiting
        #expect(r.handle(.timer, now: r.timing.connectTimeout) == [.disconnect, .connect(net("lab"))])
        #expect(r.handle(.connected, now: r.timing.connectTimeout + 5) == [])
        #expect(r.phase == .connected(net("lab")) && r.deadline == nil)
    }

    @Test func backOffDoublesAndStaysBounded() {
        var t = WiFiRoaming.Timing()
        t.roundsBeforeAccessPoint = 100
        let r = WiFiRoaming(networks: [net("home")], macAddress: mac, accessPointPassword: nil, timing: t)
        let delays = (1...12).map { r.retryDelay(afterRounds: $0) }
        #expect(Array(delays.prefix(5)) == [2_000_000, 4_000_000, 8_000_000, 16_000_000, 32_000_000])
        #expect(delays.dropFirst(5).allSatisfy { $0 == t.maximumRetry })
        #expect(r.retryDelay(afterRounds: 1_000_000) == t.maximumRetry)

        // Driven through events: the deadlines after successive empty scans follow the same delays.
        var m = WiFiRoaming(networks: [net("home")], macAddress: mac, accessPointPassword: nil, timing: t)
        var now: UInt64 = 0
        _ = m.handle(.start, now: now)
        for round in 1...8 {
            _ = m.handle(.scanCompleted([heard("elsewhere", -30)]), now: now)
            #expect(m.deadline == now + r.retryDelay(afterRounds: round))
            now = m.deadline!
            #expect(m.handle(.timer, now: now) == [.scan])
        }
    }

    @Test func fallsBackToAccessPointWhenNothingIsConfigured() {
        var r = WiFiRoaming(networks: [], macAddress: mac, accessPointPassword: b("apsecret1"))
        #expect(r.handle(.start, now: 0) == [.startAccessPoint(ssid: b("tapwalker-3A7F"), password: b("apsecret1"))])
        #expect(r.accessPointActive && r.deadline == nil)
        // The page adds a network: scan for it.
        #expect(r.handle(.networksChanged([net("home")]), now: 10) == [.scan])
    }

    @Test func fallsBackToAccessPointWhenNothingAnswersAndLeavesItWhenANetworkAppears() {
        var r = WiFiRoaming(networks: [net("home")], macAddress: mac, accessPointPassword: nil)
        var now: UInt64 = 0
        _ = r.handle(.start, now: now)
        var actions: [WiFiRoaming.Action] = []
        for _ in 1...r.timing.roundsBeforeAccessPoint {
            actions = r.handle(.scanCompleted([heard("home", -50)]), now: now)  // heard …
            #expect(actions == [.connect(net("home"))])
            actions = r.handle(.connectFailed, now: now)                        // … but refuses
            if !r.accessPointActive { now = r.deadline!; #expect(r.handle(.timer, now: now) == [.scan]) }
        }
        #expect(actions == [.startAccessPoint(ssid: b("tapwalker-3A7F"), password: nil)])
        #expect(r.deadline == now + r.timing.accessPointRescan)
        // Scans in access point mode that hear nothing keep the access point.
        now = r.deadline!
        #expect(r.handle(.timer, now: now) == [.scan])
        #expect(r.handle(.scanCompleted([]), now: now) == [])
        #expect(r.accessPointActive && r.deadline == now + r.timing.accessPointRescan)
        // The network comes back: join it and close the access point.
        now = r.deadline!
        _ = r.handle(.timer, now: now)
        #expect(r.handle(.scanCompleted([heard("home", -45)]), now: now) == [.connect(net("home"))])
        #expect(r.handle(.connected, now: now + 1) == [.stopAccessPoint])
        #expect(!r.accessPointActive && r.failedRounds == 0)
    }

    @Test func aDroppedConnectionRescans() {
        var r = WiFiRoaming(networks: [net("home")], macAddress: mac, accessPointPassword: nil)
        _ = r.handle(.start, now: 0)
        _ = r.handle(.scanCompleted([heard("home", -50)]), now: 0)
        _ = r.handle(.connected, now: 1)
        #expect(r.handle(.disconnected, now: 100) == [.scan])
        #expect(r.phase == .scanning)
        // A scan that never reports counts as a failed round.
        #expect(r.handle(.timer, now: 100 + r.timing.scanTimeout) == [])
        #expect(r.phase == .waiting && r.failedRounds == 1)
    }

    @Test func removingTheCurrentNetworkLeavesIt() {
        var r = WiFiRoaming(networks: [net("home"), net("lab")], macAddress: mac, accessPointPassword: nil)
        _ = r.handle(.start, now: 0)
        _ = r.handle(.scanCompleted([heard("home", -50)]), now: 0)
        _ = r.handle(.connected, now: 1)
        #expect(r.handle(.networksChanged([net("home"), net("cafe")]), now: 2) == [])
        #expect(r.handle(.networksChanged([net("lab")]), now: 3) == [.disconnect, .scan])
    }

    @Test func timingComesFromTheConfiguration() {
        var wifi = DeviceConfiguration.WiFi()
        wifi.connectSeconds = 7
        wifi.scanSeconds = 90
        let t = WiFiRoaming.Timing(wifi)
        #expect(t.connectTimeout == 7_000_000 && t.accessPointRescan == 90_000_000)
    }
}
