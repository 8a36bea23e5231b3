import Testing
import TapWalkerCore
import TapWalkerServices

private let basic = "Authorization: Basic YWRtaW46c2VjcmV0\r\n"  // admin:secret

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

private func request(_ method: String, _ target: String, _ headers: String = basic, body: String = "") -> String {
    "\(method) \(target) HTTP/1.1\r\nHost: x\r\n\(headers)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
}

/// WiFi settings in memory: records what it was asked, answers as told.
final class FakeWiFi: HTTPWiFiSettings {
    var networks: [(ssid: [UInt8], password: [UInt8])] = [(Array("home".utf8), Array("homepass1".utf8))]
    var heard: [HTTPWiFiState.Heard] = []
    var accessPoint = false
    var scans = 0
    var scanRefusal: String?
    var addFailure: TapWalkerError?

    func state() -> HTTPWiFiState {
        HTTPWiFiState(
            name: Array("tapwalker-BEEF".utf8), networks: networks.map { $0.ssid },
            connected: accessPoint ? nil : Array("home".utf8), address: accessPoint ? nil : [192, 168, 1, 40],
            accessPoint: accessPoint, scanning: scans > 0 && heard.isEmpty, heard: heard)
    }
    func add(ssid: [UInt8], password: [UInt8]) throws(TapWalkerError) {
        if let addFailure { throw addFailure }
        if let i = networks.firstIndex(where: { $0.ssid == ssid }) { networks[i].password = password } else { networks.append((ssid, password)) }
    }
    func remove(ssid: [UInt8]) throws(TapWalkerError) { networks.removeAll { $0.ssid == ssid } }
    func startScan() throws(TapWalkerError) {
        if let scanRefusal { throw TapWalkerError(.device, scanRefusal) }
        scans += 1
    }
}

@Suite("HTTP WiFi settings routes")
struct HTTPWiFiRoutesTests {
    @Test("without a provider (the host) every WiFi route answers 404 saying there is no WiFi here")
    func hostHasNoWiFi() {
        let h = HTTPHarness()
        for r in [request("GET", "/api/wifi"), request("POST", "/api/wifi", body: "ssid=x"), request("DELETE", "/api/wifi?ssid=x"), request("POST", "/api/wifi/scan")] {
            let out = h.exchange(r)
            #expect(HTTPHarness.statuses(out) == [404] && out.contains("{\"ok\":false,\"error\":\"this server has no WiFi"))
        }
        #expect(h.exchange(request("GET", "/api/session")).contains("\"wifi\":false"))
    }

    @Test("GET /api/wifi: SSIDs without passwords, the connection, the access point, the scan strongest first without duplicates or hidden networks")
    func state() {
        let wifi = FakeWiFi()
        wifi.heard = [.init(ssid: b("cafe"), rssi: -80), .init(ssid: b("home"), rssi: -60), .init(ssid: [], rssi: -30),
                      .init(ssid: b("cafe"), rssi: -50), .init(ssid: b("lab \"2\""), rssi: -60)]
        let h = HTTPHarness(wifi: wifi)
        let out = h.exchange(request("GET", "/api/wifi"))
        #expect(HTTPHarness.statuses(out) == [200])
        #expect(out.hasSuffix(
            "{\"ok\":true,\"name\":\"tapwalker-BEEF\",\"accessPoint\":false,\"connected\":\"home\",\"address\":\"192.168.1.40\",\"joining\":null,\"scanning\":false,"
                + "\"networks\":[\"home\"],\"heard\":[{\"ssid\":\"cafe\",\"rssi\":-50,\"known\":false},{\"ssid\":\"home\",\"rssi\":-60,\"known\":true},"
                + "{\"ssid\":\"lab \\\"2\\\"\",\"rssi\":-60,\"known\":false}],\"problem\":null}"))
        #expect(!out.contains("homepass1"))
        #expect(h.exchange(request("GET", "/api/session")).contains("\"wifi\":true"))
        // A long scan is cut to the limit.
        wifi.heard = (0..<50).map { HTTPWiFiState.Heard(ssid: b("n\($0)"), rssi: -40 - $0) }
        let long = h.exchange(request("GET", "/api/wifi"))
        #expect(long.contains("\"n29\"") && !long.contains("\"n30\""))
    }

    @Test("POST /api/wifi adds from a form or JSON and answers with the new state; changing a password keeps one entry")
    func add() {
        let wifi = FakeWiFi()
        let h = HTTPHarness(wifi: wifi)
        let form = h.exchange(request("POST", "/api/wifi", body: "ssid=Lab+2&password=labpass12"))
        #expect(HTTPHarness.statuses(form) == [200] && form.contains("\"networks\":[\"home\",\"Lab 2\"]"))
        let json = h.exchange(request("POST", "/api/wifi", body: "{\"ssid\": \"caf\\u00e9\", \"password\": \"\"}"))
        #expect(HTTPHarness.statuses(json) == [200])
        #expect(wifi.networks.last!.ssid == [0x63, 0x61, 0x66, 0xC3, 0xA9] && wifi.networks.last!.password.isEmpty)
        #expect(HTTPHarness.statuses(h.exchange(request("POST", "/api/wifi", body: "{\"ssid\":\"home\",\"password\":\"n\\\"ewpass12\"}"))) == [200])
        #expect(wifi.networks.count == 3 && wifi.networks[0].password == b("n\"ewpass12"))
        // A 64-hex-digit raw key is a password too.
        let key = String(repeating: "0a", count: 32)
        #expect(HTTPHarness.statuses(h.exchange(request("POST", "/api/wifi", body: "ssid=raw&password=\(key)"))) == [200])
    }

    @Test("bad input is refused with the reason, as the console's wifi add refuses it; nothing is stored")
    func badInput() {
        let wifi = FakeWiFi()
        let h = HTTPHarness(wifi: wifi)
        let cases: [(String, String)] = [
            ("ssid=&password=abcdefgh", "must be 1 to 32 bytes"),
            ("ssid=\(String(repeating: "x", count: 33))&password=abcdefgh", "must be 1 to 32 bytes"),
            ("ssid=a:b&password=abcdefgh", "contains a colon"),
            ("ssid=short&password=1234567", "must be 8 to 63 characters"),
            ("ssid=long&password=\(String(repeating: "p", count: 64))", "must be 8 to 63 characters"),
            ("{\"ssid\":\"tab\",\"password\":\"abc\\tdefgh\"}", "control characters"),
            ("ssid=tab&password=abc%09defgh", "send ssid and password"),
            ("password=abcdefgh", "send ssid and password"),
            ("{\"ssid\":1}", "send ssid and password"),
            ("{\"ssid\":\"x\",", "send ssid and password"),
            ("{\"ssid\":\"x\\ud800\"}", "send ssid and password"),
        ]
        for (body, reason) in cases {
            let out = h.exchange(request("POST", "/api/wifi", body: body))
            #expect(HTTPHarness.statuses(out) == [400] && out.contains(reason), "\(body)")
        }
        #expect(wifi.networks.count == 1)
        // The provider's own refusal is passed on: a full file is the request's fault, a broken flash the device's.
        wifi.addFailure = TapWalkerError(.usage, "wifiman.conf would grow past 8192 bytes")
        let full = h.exchange(request("POST", "/api/wifi", body: "ssid=more&password=abcdefgh"))
        #expect(HTTPHarness.statuses(full) == [400] && full.contains("would grow past"))
        wifi.addFailure = TapWalkerError(.device, "flash write failed")
        #expect(HTTPHarness.statuses(h.exchange(request("POST", "/api/wifi", body: "ssid=more&password=abcdefgh"))) == [500])
    }

    @Test("DELETE /api/wifi?ssid= forgets a network; an unknown one is 404, a missing ssid 400")
    func remove() {
        let wifi = FakeWiFi()
        wifi.networks.append((b("Lab 2"), b("labpass12")))
        let h = HTTPHarness(wifi: wifi)
        let out = h.exchange(request("DELETE", "/api/wifi?ssid=Lab%202"))
        #expect(HTTPHarness.statuses(out) == [200] && out.contains("\"networks\":[\"home\"]"))
        #expect(wifi.networks.map { $0.ssid } == [b("home")])
        let unknown = h.exchange(request("DELETE", "/api/wifi?ssid=Lab%202"))
        #expect(HTTPHarness.statuses(unknown) == [404] && unknown.contains("no network \\\"Lab 2\\\""))
        #expect(HTTPHarness.statuses(h.exchange(request("DELETE", "/api/wifi"))) == [400])
    }

    @Test("POST /api/wifi/scan starts a scan (202); a radio that cannot scan now is 409 with its reason; other methods 405")
    func scan() {
        let wifi = FakeWiFi()
        let h = HTTPHarness(wifi: wifi)
        let out = h.exchange(request("POST", "/api/wifi/scan"))
        #expect(HTTPHarness.statuses(out) == [202] && wifi.scans == 1)
        #expect(h.exchange(request("GET", "/api/wifi")).contains("\"scanning\":true"))
        wifi.scanRefusal = "the device is joining \"home\"; scan again in a few seconds"
        let refused = h.exchange(request("POST", "/api/wifi/scan"))
        #expect(HTTPHarness.statuses(refused) == [409] && refused.contains("joining"))
        #expect(HTTPHarness.statuses(h.exchange(request("GET", "/api/wifi/scan"))) == [405])
        #expect(HTTPHarness.statuses(h.exchange(request("PUT", "/api/wifi"))) == [405])
        #expect(wifi.scans == 1)
    }

    @Test("every WiFi route needs the login; with a session cookie the changes need the CSRF token")
    func loginAndCSRF() {
        let wifi = FakeWiFi()
        let h = HTTPHarness(anonymousRead: true, wifi: wifi)
        for r in [request("GET", "/api/wifi", ""), request("POST", "/api/wifi", "", body: "ssid=x&password=abcdefgh"),
                  request("DELETE", "/api/wifi?ssid=home", ""), request("POST", "/api/wifi/scan", "")] {
            let out = h.exchange(r)
            // Anonymous reading of files is on, yet the WiFi settings are not anonymous.
            #expect(HTTPHarness.statuses(out) == [401], "\(r)")
        }
        #expect(HTTPHarness.statuses(h.exchange(request("GET", "/api/wifi", "Authorization: Basic YWRtaW46d3Jvbmc=\r\n"), peer: "10.0.0.9:40000")) == [401])
        let (cookie, csrf) = h.login()
        let c = "Cookie: tw_session=\(cookie)\r\n"
        #expect(HTTPHarness.statuses(h.exchange(request("GET", "/api/wifi", c))) == [200])
        for r in [request("POST", "/api/wifi", c, body: "ssid=x&password=abcdefgh"), request("DELETE", "/api/wifi?ssid=home", c),
                  request("POST", "/api/wifi/scan", c), request("POST", "/api/wifi/scan", c + "X-CSRF-Token: 0000\r\n")] {
            #expect(HTTPHarness.statuses(h.exchange(r)) == [403], "\(r)")
        }
        #expect(wifi.networks.count == 1 && wifi.scans == 0)
        let t = c + "X-CSRF-Token: \(csrf)\r\n"
        #expect(HTTPHarness.statuses(h.exchange(request("POST", "/api/wifi", t, body: "ssid=x&password=abcdefgh"))) == [200])
        #expect(HTTPHarness.statuses(h.exchange(request("DELETE", "/api/wifi?ssid=home", t))) == [200])
        #expect(HTTPHarness.statuses(h.exchange(request("POST", "/api/wifi/scan", t))) == [202])
        #expect(wifi.networks.map { $0.ssid } == [b("x")] && wifi.scans == 1)
    }
}
