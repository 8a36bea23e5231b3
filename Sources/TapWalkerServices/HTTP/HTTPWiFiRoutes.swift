import TapWalkerCore

/// The device's WiFi settings under /api/wifi, answered through `HTTPWiFiSettings`:
/// - GET /api/wifi: the state (configured SSIDs, never passwords; the network joined and the
///   address; the access point; the last scan, strongest first);
/// - POST /api/wifi: adds a network or changes its password, from a form (ssid=…&password=…) or a
///   JSON object ({"ssid":"…","password":"…"}); answers with the new state;
/// - DELETE /api/wifi?ssid=NAME: forgets a network;
/// - POST /api/wifi/scan: starts a scan (202); GET /api/wifi shows `scanning` until it is done.
/// Every route needs the full login, and with a session cookie the CSRF token (the access point
/// page included: whoever joins the access point must still log in). Without a provider (the
/// host) every route answers 404.
extension HTTPRouter {
    static func isWiFiPath(_ path: String) -> Bool {
        ASCII.equal(path, "/api/wifi") || ASCII.equal(path, "/api/wifi/scan")
    }

    /// At most this many networks of a scan are listed (a busy place hears dozens).
    public static let wifiScanListLimit = 30

    func wifiRoute(_ x: HTTPExchange) throws(TapWalkerError) {
        guard let wifi else {
            return try x.response.error(404, "this server has no WiFi settings: it runs on a computer, whose network is the computer's own")
        }
        let r = x.request
        let scan = r.isPath("/api/wifi/scan")
        let allowed = scan ? r.isMethod("POST") : (r.isMethod("GET") || r.isMethod("HEAD") || r.isMethod("POST") || r.isMethod("DELETE"))
        guard allowed else {
            return try x.response.error(405, scan ? "/api/wifi/scan takes POST" : "/api/wifi takes GET, POST or DELETE")
        }
        guard try admit(x, .full) else { return }
        if scan {
            do throws(TapWalkerError) { try wifi.startScan() } catch { return try x.response.error(409, error.message) }
            log(x.peer, "started a WiFi scan")
            return try x.response.json(202, "{\"ok\":true,\"scanning\":true}")
        }
        switch r.verb {
        case .post:
            let body = try x.body.readSmall()
            guard let (ssid, password) = HTTPRouter.wifiFields(body) else {
                return try x.response.error(400, "send ssid and password (empty for an open network) as a form or a JSON object")
            }
            if let problem = WiFiCredentialRules.problem(ssid: ssid, password: password) {
                return try x.response.error(400, problem)
            }
            do throws(TapWalkerError) { try wifi.add(ssid: ssid, password: password) } catch {
                return try x.response.error(error.kind == .usage || error.kind == .input ? 400 : 500, error.message)
            }
            log(x.peer, "added WiFi network \(ASCII.printable(ssid))")
            try x.response.json(200, HTTPRouter.wifiJSON(wifi.state()))
        case .delete:
            guard let name = r.query("ssid"), !name.isEmpty else { return try x.response.error(400, "DELETE /api/wifi needs ssid=NAME") }
            let ssid = Array(name.utf8)
            guard wifi.state().networks.contains(ssid) else {
                return try x.response.error(404, "no network \"\(ASCII.printable(ssid))\" in wifiman.conf")
            }
            do throws(TapWalkerError) { try wifi.remove(ssid: ssid) } catch {
                return try x.response.error(error.kind == .usage || error.kind == .input ? 400 : 500, error.message)
            }
            log(x.peer, "removed WiFi network \(ASCII.printable(ssid))")
            try x.response.json(200, HTTPRouter.wifiJSON(wifi.state()))
        default:
            try x.response.json(200, HTTPRouter.wifiJSON(wifi.state()))
        }
    }

    /// ssid and password from a form or a JSON object (a body starting with "{"); a missing
    /// password is an open network. Nil when the body is neither or has no ssid.
    static func wifiFields(_ body: [UInt8]) -> (ssid: [UInt8], password: [UInt8])? {
        let first = body.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        if first == UInt8(ascii: "{") {
            guard let members = HTTPJSONObject.strings(body),
                let ssid = members.first(where: { ASCII.equal($0.name, "ssid") })?.value
            else { return nil }
            return (ssid, members.first(where: { ASCII.equal($0.name, "password") })?.value ?? [])
        }
        guard let pairs = HTTPRequest.parseForm(body[...]), let ssid = HTTPRequest.value("ssid", in: pairs) else { return nil }
        return (Array(ssid.utf8), Array((HTTPRequest.value("password", in: pairs) ?? "").utf8))
    }

    /// What a scan heard, for the page: one entry per SSID at its strongest, strongest first,
    /// hidden networks (empty SSID) left out, at most `wifiScanListLimit`.
    public static func heardNetworks(_ heard: [HTTPWiFiState.Heard]) -> [HTTPWiFiState.Heard] {
        var best: [HTTPWiFiState.Heard] = []
        for h in heard where !h.ssid.isEmpty {
            if let i = best.firstIndex(where: { $0.ssid == h.ssid }) {
                if h.rssi > best[i].rssi { best[i].rssi = h.rssi }
            } else {
                best.append(h)
            }
        }
        // A stable order for equal strengths: the order the radio reported them.
        let ordered = best.enumerated().sorted { $0.element.rssi != $1.element.rssi ? $0.element.rssi > $1.element.rssi : $0.offset < $1.offset }
        return Array(ordered.map { $0.element }.prefix(wifiScanListLimit))
    }

    static func wifiJSON(_ s: HTTPWiFiState) -> String {
        func text(_ b: [UInt8]?) -> String { b.map { HTTPJSON.string(String(decoding: $0, as: UTF8.self)) } ?? "null" }
        var address = "null"
        if let a = s.address, a.count == 4 { address = "\"\(a[0]).\(a[1]).\(a[2]).\(a[3])\"" }
        var json = "{\"ok\":true,\"name\":\(text(s.name)),\"accessPoint\":\(HTTPJSON.bool(s.accessPoint)),\"connected\":\(text(s.connected)),\"address\":\(address),\"joining\":\(text(s.joining)),\"scanning\":\(HTTPJSON.bool(s.scanning)),\"networks\":["
        for (i, n) in s.networks.enumerated() { json += (i > 0 ? "," : "") + text(n) }
        json += "],\"heard\":["
        for (i, h) in heardNetworks(s.heard).enumerated() {
            json += (i > 0 ? "," : "") + "{\"ssid\":\(text(h.ssid)),\"rssi\":\(h.rssi),\"known\":\(HTTPJSON.bool(s.networks.contains(h.ssid)))}"
        }
        return json + "],\"problem\":\(s.problem.map { HTTPJSON.string($0) } ?? "null")}"
    }
}
