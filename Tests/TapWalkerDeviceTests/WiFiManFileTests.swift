import Testing
import TapWalkerCore
@testable import TapWalkerDevice

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }
private func text(_ f: WiFiManFile) -> String { String(decoding: f.text, as: UTF8.self) }

@Suite struct WiFiManFileTests {
    @Test func readsTheOriginalFormat() throws {
        let f = try WiFiManFile(b("username1:password1\nusername2:password2\n"))
        #expect(f.networks == [WiFiNetwork(ssid: b("username1"), password: b("password1")),
                               WiFiNetwork(ssid: b("username2"), password: b("password2"))])
    }

    @Test func colonsBlankLinesCommentsAndDuplicates() throws {
        let f = try WiFiManFile(b("""
            # home network
            home:pa:ss:word\r

            cafe:
            # note: keep
            home:newer
             spaced : pw 
            """))
        #expect(f.networks == [WiFiNetwork(ssid: b("home"), password: b("newer")),
                               WiFiNetwork(ssid: b("cafe"), password: []),
                               WiFiNetwork(ssid: b("# note"), password: b(" keep")),
                               WiFiNetwork(ssid: b(" spaced "), password: b(" pw "))])
        let only = try WiFiManFile(b("home:pa:ss:word\r\n"))
        #expect(only.networks == [WiFiNetwork(ssid: b("home"), password: b("pa:ss:word"))])
    }

    @Test func impossibleSSIDIsAnErrorNamingTheLine() {
        #expect(throws: TapWalkerError.self) { try WiFiManFile(b("ok:x\n:nossid\n")) }
        do { _ = try WiFiManFile(b("ok:x\n" + String(repeating: "s", count: 33) + ":pw\n")) } catch {
            #expect(error.message.hasPrefix("wifiman.conf:2: ssid \"sssss"))
        }
    }

    @Test func addReplacesInPlaceAndKeepsOtherLines() throws {
        var f = try WiFiManFile(b("# mine\nhome:old\n\ncafe:latte1234\nhome:older\n"))
        try f.add(WiFiNetwork(ssid: b("home"), password: b("brand-new")))
        #expect(text(f) == "# mine\nhome:brand-new\n\ncafe:latte1234\n")
        try f.add(WiFiNetwork(ssid: b("lab"), password: []))
        #expect(text(f) == "# mine\nhome:brand-new\n\ncafe:latte1234\nlab:\n")
        #expect(try WiFiManFile(f.text).networks.count == 3)
    }

    @Test func removeDropsEveryLineOfThatNetworkOnly() throws {
        var f = try WiFiManFile(b("# mine\nhome:a1234567\ncafe:b1234567\nhome:c1234567\n"))
        try f.remove(ssid: b("home"))
        #expect(text(f) == "# mine\ncafe:b1234567\n")
        #expect(throws: TapWalkerError.self) { try f.remove(ssid: b("home")) }
        #expect(text(f) == "# mine\ncafe:b1234567\n")
    }

    @Test func addRefusesWhatTheFileCannotHold() throws {
        var f = try WiFiManFile(b("home:a1234567\n"))
        for bad in [WiFiNetwork(ssid: b("a:b"), password: b("12345678")),
                    WiFiNetwork(ssid: [], password: b("12345678")),
                    WiFiNetwork(ssid: b("x"), password: b("short")),
                    WiFiNetwork(ssid: b("x"), password: b(String(repeating: "z", count: 64))),
                    WiFiNetwork(ssid: b("x"), password: b("line\nbreak"))] {
            #expect(throws: TapWalkerError.self) { try f.add(bad) }
        }
        try f.add(WiFiNetwork(ssid: b("psk"), password: b(String(repeating: "a0", count: 32))))
        #expect(f.networks.count == 2)
        #expect(text(f).hasPrefix("home:a1234567\n"))
    }
}
