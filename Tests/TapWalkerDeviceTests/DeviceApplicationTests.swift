import Foundation
import Testing
import TapWalkerCore
import TapWalkerServices
import TapWalkerSim
@testable import TapWalkerDevice

private let login = "[login]\nuser = ulx3s\npassword = secret\n"
private let allServices = "[services]\nftp = 2121\nhttp = 8080\nxvc = 2542\nremote_bitbang = 3335\n"

/// Runs the application until `done` holds or the console's input has ended and `done` holds;
/// gives up after a minute so that a broken application fails the test instead of hanging it.
private func run(_ fake: FakeBoardSupport, cable: SimCable, until done: @escaping () -> Bool) {
    let app = DeviceApplication(support: fake.support, cable: cable)
    let giveUp = Date().addingTimeInterval(60)
    app.run(until: { (fake.console.ended && done()) || Date() > giveUp })
}

@Suite(.serialized) struct DeviceApplicationTests {
    @Test func bootAnnouncesEveryServiceAtTheJoinedAddress() {
        let fake = FakeBoardSupport()
        fake.file("/tapwalker.conf", allServices + login)
        fake.file("/wifiman.conf", "lab:password1\n")
        fake.radio.heard = [WiFiScanResult(ssid: Array("lab".utf8), rssi: -50)]
        run(fake, cable: SimulatedBoard(part: "25f").sim) { fake.console.shows("remote_bitbang on") }
        let text = fake.console.text
        #expect(text.contains("tapwalker: WiFi joined \"lab\", address 10.0.0.7"))
        #expect(text.contains("tapwalker: ftp on 10.0.0.7:2121"))
        #expect(text.contains("tapwalker: http on 10.0.0.7:8080"))
        #expect(text.contains("tapwalker: xvc on 10.0.0.7:2542"))
        #expect(text.contains("tapwalker: remote_bitbang on 10.0.0.7:3335"))
        #expect(fake.network.listened == [2121, 8080, 2542, 3335])
        #expect(fake.radio.joined == [Array("lab".utf8)])
        #expect(fake.led.history.first == .starting)
        #expect(fake.led.history.last == .connected)
    }

    @Test func withoutANetworkTheAccessPointAddressIsAnnounced() {
        let fake = FakeBoardSupport()
        fake.file("/tapwalker.conf", "[services]\nftp = 2121\n" + login)
        run(fake, cable: SimulatedBoard(part: "25f").sim) { fake.console.shows("ftp on") }
        #expect(fake.console.shows("tapwalker: WiFi access point \"tapwalker-BEEF\", address 192.168.4.1"))
        #expect(fake.console.shows("tapwalker: ftp on 192.168.4.1:2121"))
        #expect(fake.radio.accessPoints == [Array("tapwalker-BEEF".utf8)])
        #expect(fake.led.history.last == .accessPoint)
    }

    @Test func consoleProgLoadsARealBitstreamToDone() {
        let fake = FakeBoardSupport()
        let board = SimulatedBoard(part: "85f")
        fake.files.files["/blink.bit"] = Examples.bytes("blink-85f.bit")
        #expect(!board.done)
        fake.console.type("prog blink.bit")
        run(fake, cable: board.sim) { true }
        #expect(board.done)
        #expect(fake.console.shows("DONE"))
        #expect(!fake.console.shows("error:"))
        #expect(fake.led.history.contains(.busy))
        #expect(fake.led.history.last != .failed)
    }

    @Test func consoleFlashWritesTheSimulatedFlash() {
        let fake = FakeBoardSupport()
        let board = SimulatedBoard(part: "25f")
        let image = Examples.bytes("blink-25f.bit")
        fake.files.files["/blink.bit"] = image
        fake.console.type("flash blink.bit 0")
        run(fake, cable: board.sim) { true }
        #expect(Array(board.flash.memory.bytes[0..<image.count]) == image)
        #expect(board.done)  // reloaded from the image just written
        #expect(!fake.console.shows("error:"))
    }

    @Test func consoleSVFPlaysTheToolchainsFileToDoneAndRefusesAMalformedOneBeforeTouchingIt() {
        let fake = FakeBoardSupport()
        let board = SimulatedBoard(part: "25f")
        fake.files.files["/blink.svf"] = Examples.bytes("blink-25f.svf")
        // ISC_ENABLE and ISC_ERASE first: played, they would clear the design the first file loaded.
        fake.files.files["/bad.svf"] = Array("SIR 8 TDI (C6);\nSDR 8 TDI (00);\nSIR 8 TDI (0E);\nSDR 8 TDI (01);\nRUNTEST IDLE 2 TCK 1.00E-02 SEC;\nSDR 8 TDI (0G);\n".utf8)
        fake.console.type("svf blink.svf")
        fake.console.type("svf bad.svf")
        run(fake, cable: board.sim) { true }
        #expect(fake.console.shows("svf: 618 statements, 4 TDO checks passed"), "\(fake.console.text)")
        #expect(fake.console.shows("LFE5U-25F: DONE"))
        #expect(fake.console.shows("error: svf: ") && fake.console.shows("line 6: 'G' is not a hex digit"), "\(fake.console.text)")
        #expect(board.done, "the malformed file was refused before its first statement")
    }

    @Test func consoleBootcheckSaysWhichImageTheFPGAWouldBoot() {
        let fake = FakeBoardSupport()
        let board = SimulatedBoard(part: "25f")
        fake.console.type("bootcheck")
        fake.files.files["/ram.bit"] = Examples.bytes("ram-25f.bit")
        fake.console.type("flash ram.bit 0")
        fake.console.type("bootcheck")
        run(fake, cable: board.sim) { true }
        #expect(fake.console.shows("error: boot check (LFE5U-25F): primary: blank (all 0xFF) at 0x000000"), "\(fake.console.text)")
        #expect(fake.console.shows("the FPGA would boot nothing from this flash"))
        #expect(fake.console.shows("boot check: the FPGA would load the primary image at 0x000000 (tries: 1)"))
        #expect(fake.console.shows("usercode 0x52414d21"))
    }

    @Test func aConsoleJobWhileAnotherClientHoldsTheBoardIsRefusedNamingIt() {
        let fake = FakeBoardSupport()
        let board = SimulatedBoard(part: "85f")
        fake.file("/tapwalker.conf", "[services]\nxvc = 2542\n")
        fake.files.files["/blink.bit"] = Examples.bytes("blink-85f.bit")
        let client = HoldingConnection(Array("getinfo:".utf8), holdOpen: true)
        fake.console.type("", when: { fake.network.dial(2542, client, from: "10.0.0.9:5000") })
        fake.console.type("prog blink.bit", when: { fake.console.shows("xvc 10.0.0.9:5000: connected") })
        fake.console.type("status")
        fake.console.type("", when: { client.hangUp(); return true })
        run(fake, cable: board.sim) { client.isClosed }
        #expect(fake.console.shows("error: the board is busy: XVC client 10.0.0.9:5000; nothing was done"))
        #expect(fake.console.shows("board: busy (XVC client 10.0.0.9:5000)"))
        #expect(!board.done)
        #expect(client.sent.hasPrefix("xvcServer_v1.0:"))
    }

    @Test func ftpLogsInWithASaltedHashCredential() {
        let fake = FakeBoardSupport()
        let salt: [UInt8] = [0x5A, 0x17, 0x01, 0xFE]
        let hash = PBKDF2.sha256(password: Array("secret".utf8), salt: salt, iterations: 1000, length: 32)
        let hex = { (b: [UInt8]) in b.map { String(format: "%02x", $0) }.joined() }
        fake.file("/tapwalker.conf", "[services]\nftp = 2121\n[login]\nuser = ulx3s\npassword = pbkdf2-sha256$1000$\(hex(salt))$\(hex(hash))\n")
        let right = HoldingConnection(lines: ["USER ulx3s", "PASS secret", "QUIT"])
        let wrong = HoldingConnection(lines: ["USER ulx3s", "PASS secreT", "QUIT"])
        fake.console.type("", when: {
            fake.network.dial(2121, right, from: "10.0.0.9:5000") && fake.network.dial(2121, wrong, from: "10.0.0.10:5000")
        })
        run(fake, cable: SimulatedBoard(part: "25f").sim) { right.isClosed && wrong.isClosed }
        #expect(right.sent.contains("230 logged in"))
        #expect(!wrong.sent.contains("230"))
        #expect(wrong.sent.contains("530"))
    }

    @Test func aBadConfigurationIsShownWithItsLineAndStartsNoService() {
        let fake = FakeBoardSupport()
        fake.file("/tapwalker.conf", "[services]\nftp = 2121\nhtp = 8080\n" + login)
        fake.console.type("help")
        run(fake, cable: SimulatedBoard(part: "25f").sim) { true }
        #expect(fake.console.shows("tapwalker: tapwalker.conf:3: unknown key [services] htp"))
        #expect(fake.console.shows("no service started"))
        #expect(fake.network.listened.isEmpty)
        #expect(fake.console.shows("prog FILE"))  // the console still answers
        #expect(fake.led.history.contains(.failed))
        #expect(fake.led.history.last == .failed)
    }

    @Test func servicesThatNeedALoginAreRefusedWithoutOne() {
        let fake = FakeBoardSupport()
        fake.file("/tapwalker.conf", allServices)
        run(fake, cable: SimulatedBoard(part: "25f").sim) { true }
        #expect(fake.console.shows("tapwalker: ftp not started: tapwalker.conf has no [login]"))
        #expect(fake.console.shows("tapwalker: http not started: tapwalker.conf has no [login]"))
        #expect(fake.network.listened == [2542, 3335])
    }

    @Test func stopEndsRunAfterTheAcceptLoops() {
        let fake = FakeBoardSupport()
        fake.file("/tapwalker.conf", allServices + login)
        run(fake, cable: SimulatedBoard(part: "25f").sim) { true }
        #expect(fake.tasks.started == ["ftp", "http", "xvc", "remote_bitbang"])
        #expect(fake.tasks.running == 0)
        #expect(fake.console.text.hasSuffix("tapwalker: stopped\n"))
    }

    @Test func aClientTaskThatCannotStartRefusesThatConnectionOnly() {
        let fake = FakeBoardSupport()
        fake.file("/tapwalker.conf", "[services]\nftp = 2121\n" + login)
        fake.tasks.refuseNamesContaining = "client"
        let client = HoldingConnection(lines: ["USER ulx3s"])
        fake.console.type("status", when: { fake.network.dial(2121, client, from: "10.0.0.9:5000") })
        run(fake, cable: SimulatedBoard(part: "25f").sim) { client.isClosed }
        #expect(client.sent.hasPrefix("421 the device has no memory for another connection"))
        #expect(fake.console.shows("ftp: 10.0.0.7:2121") || fake.console.shows("ftp: 192.168.4.1:2121"))
    }

    @Test func wifiAddOnTheConsoleIsJoinedAndAnnounced() {
        let fake = FakeBoardSupport()
        fake.file("/tapwalker.conf", "[services]\nftp = 2121\n" + login)
        fake.radio.heard = [WiFiScanResult(ssid: Array("lab".utf8), rssi: -50)]
        fake.console.type("wifi add lab password1", when: { fake.console.shows("ftp on 192.168.4.1:2121") })
        run(fake, cable: SimulatedBoard(part: "25f").sim) { fake.console.shows("ftp on 10.0.0.7:2121") }
        #expect(fake.files.text("/wifiman.conf") == "lab:password1\n")
        #expect(fake.radio.joined == [Array("lab".utf8)])
        #expect(fake.console.shows("tapwalker: ftp on 10.0.0.7:2121"))
    }

    @Test func httpLogsInWithTheHashedCredential() {
        let fake = FakeBoardSupport()
        let salt: [UInt8] = [1, 2, 3, 4]
        let hash = PBKDF2.sha256(password: Array("secret".utf8), salt: salt, iterations: 1000, length: 32)
        let hex = { (b: [UInt8]) in b.map { String(format: "%02x", $0) }.joined() }
        fake.file("/tapwalker.conf", "[services]\nhttp = 8080\n[login]\nuser = ulx3s\npassword = pbkdf2-sha256$1000$\(hex(salt))$\(hex(hash))\n")
        let body = "user=ulx3s&password=secret"
        let request = "POST /api/login HTTP/1.1\r\nHost: tapwalker\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        let client = HoldingConnection(Array(request.utf8))
        fake.console.type("", when: { fake.network.dial(8080, client, from: "10.0.0.9:5000") })
        run(fake, cable: SimulatedBoard(part: "25f").sim) { client.isClosed }
        #expect(client.sent.hasPrefix("HTTP/1.1 200"))
        #expect(client.sent.contains("Set-Cookie: tw_session="))
        #expect(client.sent.contains("\"user\":\"ulx3s\""))
    }

    @Test func withoutAGivenCableTheBoardsOwnPinsAreDriven() {
        let fake = FakeBoardSupport()
        fake.console.type("status")
        let app = DeviceApplication(support: fake.support)
        app.run(until: { fake.console.ended })
        #expect(fake.pins.shifted > 0)
        #expect(fake.console.shows("board: no JTAG device answers: TDO stuck at 0 (IDCODE reads 0x00000000)"))
        #expect(fake.console.shows("services: none configured in tapwalker.conf"))
    }

    @Test func theWebPageAddsANetworkThatTheStationJoins() {
        let fake = FakeBoardSupport()
        fake.file("/tapwalker.conf", "[services]\nhttp = 8080\n" + login)
        fake.radio.heard = [WiFiScanResult(ssid: Array("lab".utf8), rssi: -50)]
        let body = "ssid=lab&password=password1"
        let request = "POST /api/wifi HTTP/1.1\r\nHost: tapwalker\r\nAuthorization: Basic dWx4M3M6c2VjcmV0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        let client = HoldingConnection(Array(request.utf8))
        fake.console.type("", when: { fake.console.shows("http on 192.168.4.1:8080") && fake.network.dial(8080, client, from: "192.168.4.2:5000") })
        run(fake, cable: SimulatedBoard(part: "25f").sim) { fake.console.shows("http on 10.0.0.7:8080") }
        #expect(client.sent.hasPrefix("HTTP/1.1 200"))
        #expect(client.sent.contains("\"networks\":[\"lab\"]"))
        #expect(fake.files.text("/wifiman.conf") == "lab:password1\n")
        #expect(fake.radio.joined == [Array("lab".utf8)])
        #expect(fake.console.shows("tapwalker: WiFi joined \"lab\", address 10.0.0.7"))
    }
}
