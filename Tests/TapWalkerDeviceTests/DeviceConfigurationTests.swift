import Testing
import TapWalkerCore
@testable import TapWalkerDevice
import TapWalkerServices

private func parse(_ text: String) throws(TapWalkerError) -> DeviceConfiguration {
    try DeviceConfiguration.parse(Array(text.utf8))
}

/// The message of the error `text` raises, or "" when it parses.
private func failure(_ text: String) -> String {
    do { _ = try parse(text); return "" } catch { return error.message }
}

@Suite struct DeviceConfigurationTests {
    static let example = """
        [services]
        ftp = 2121
        http = 8080
        xvc = 2542
        remote_bitbang = 3335
        [login]
        user = ulx3s
        password = secret          # accepted in clear; a salted-hash form is documented too
        [virtual]                  # read only by the virtual ESP32
        part = LFE5U-85F
        flash = w25q128jv
        flash_image = flash.img    # relative to DIR
        sd_image = sd.img
        """

    @Test func theDocumentedExampleReadsAsWritten() throws {
        let c = try parse(Self.example)
        #expect(c.port(.ftp) == 2121 && c.port(.http) == 8080 && c.port(.xvc) == 2542 && c.port(.remoteBitbang) == 3335)
        #expect(c.login?.user == Array("ulx3s".utf8))
        #expect(c.login?.credential.accepts(Array("secret".utf8)) == true)
        #expect(c.login?.credential.accepts(Array("secret          # accepted".utf8)) == false)
        #expect(c.virtual.part?.name == "LFE5U-85F")
        #expect(c.virtual.flash?.id == "w25q128jv")
        #expect(c.virtual.flashImage == "flash.img" && c.virtual.sdImage == "sd.img")
        for service in DeviceService.allCases { #expect(c.refusal(service) == nil) }
    }

    @Test func absentOrZeroPortDisablesAService() throws {
        let c = try parse("[services]\nftp = 0\nhttp = 80\n[login]\nuser = a\npassword = b\n")
        #expect(c.refusal(.ftp) != nil && c.refusal(.xvc) != nil && c.refusal(.http) == nil)
    }

    @Test func withoutLoginTheWritingServicesRefuseToStart() throws {
        let c = try parse("[services]\nftp = 21\nhttp = 80\nxvc = 2542\n")
        #expect(c.refusal(.ftp)?.contains("[login]") == true)
        #expect(c.refusal(.http)?.contains("[login]") == true)
        #expect(c.refusal(.xvc) == nil)
    }

    @Test func aTypoInLoginIsAnErrorNamingFileLineAndKey() {
        #expect(failure("[services]\nftp = 21\n[login]\nuser = a\npasword = b\n")
                == "tapwalker.conf:5: unknown key [login] pasword; [login] takes user, password")
        #expect(failure("[logn]\nuser = a\n").hasPrefix("tapwalker.conf:1: unknown section [logn]"))
        #expect(failure("[login]\nuser = a\n") == "tapwalker.conf:2: [login] user has no password; add password = … to [login]")
        #expect(failure("ftp = 21\n").hasPrefix("tapwalker.conf:1: ftp is outside any section"))
        #expect(failure("[services]\nftp = 21\nftp = 22\n") == "tapwalker.conf:3: [services] ftp is given twice")
    }

    @Test func badValuesAreErrorsNamingTheKey() {
        #expect(failure("[services]\nftp = 70000\n").hasPrefix("tapwalker.conf:2: [services] ftp must be a whole number from 0 to 65535"))
        #expect(failure("[services]\nftp = 2k\n").hasPrefix("tapwalker.conf:2: [services] ftp must be a whole number"))
        #expect(failure("[services]\nftp = 2121\nhttp = 2121\n").hasPrefix("tapwalker.conf:3: [services] http uses port 2121, as ftp does"))
        #expect(failure("[jtag]\ntck_hz = 30000000\n").hasPrefix("tapwalker.conf:2: [jtag] tck_hz must be a whole number from 1 to 25000000"))
        #expect(failure("[virtual]\npart = LFE5U-99F\n").hasPrefix("tapwalker.conf:2: [virtual] part: unknown ECP5 part"))
        #expect(failure("[virtual]\nflash_image = ../x.img\n").hasPrefix("tapwalker.conf:2: [virtual] flash_image must be a file name relative"))
        #expect(failure("[wifi]\nap_password = short\n").hasPrefix("tapwalker.conf:2: [wifi] ap_password must be 8 to 63"))
        #expect(failure("[login]\nuser = a\npassword = pbkdf2-sha256$10$zz$00\n").hasPrefix("tapwalker.conf:3: [login] password: "))
        #expect(failure("[login]\nuser = a\npassword = \"unterminated\n").hasPrefix("tapwalker.conf:3: password: the quoted value has no closing"))
    }

    @Test func quotedValuesKeepHashesAndSpaces() throws {
        let c = try parse("[login]\nuser = a\npassword = \" pa#ss \\\"x\\\\ \"  # comment\n")
        #expect(c.login?.credential.accepts(Array(" pa#ss \"x\\ ".utf8)) == true)
        // Unquoted, a # inside a word is part of the value; after a blank it starts a comment.
        let d = try parse("[login]\nuser = a\npassword = pa#ss #c\n")
        #expect(d.login?.credential.accepts(Array("pa#ss".utf8)) == true)
    }

    @Test func jtagPresetGivesSPIPinsAndKeysOverrideIt() throws {
        let c3 = try parse("[jtag]\npreset = esp32c3\n")
        #expect(c3.jtag.pins == JTAGPinAssignment(tck: 6, tms: 3, tdi: 7, tdo: 2))
        #expect(c3.jtag.pins?.usesIOMUX(of: .c3) == true)
        #expect(c3.jtag.tckHz == DeviceConfiguration.JTAG.defaultTCKHz)
        let p4 = try parse("[jtag]\npreset = ESP32P4\ntms = 20\ntck_hz = 25000000\n")
        #expect(p4.jtag.pins == JTAGPinAssignment(tck: 9, tms: 20, tdi: 8, tdo: 10))
        #expect(p4.jtag.tckHz == 25_000_000)
        let custom = try parse("[jtag]\nchip = esp32c6\ntck = 1\ntms = 2\ntdi = 3\ntdo = 4\n")
        #expect(custom.jtag.pins?.usesIOMUX(of: .c6) == false)
        #expect(try parse("[services]\n").jtag.pins == nil)
    }

    @Test func jtagNetworkCable() throws {
        let xvc = try parse("[jtag]\ncable = xvc://10.0.2.2:2542\ntck_hz = 10000000\n")
        #expect(xvc.jtag.cable == NetworkCableAddress(kind: .xvc, host: "10.0.2.2", port: 2542))
        #expect(xvc.jtag.pins == nil)
        #expect(xvc.jtag.tckHz == 10_000_000)
        let rbb = try parse("[jtag]\ncable = rbb://192.168.1.20\n")
        #expect(rbb.jtag.cable == NetworkCableAddress(kind: .remoteBitbang, host: "192.168.1.20", port: 3335))
        #expect(try parse("[jtag]\npreset = esp32c3\n").jtag.cable == nil)
        // How long the server may stay silent, as on the command line.
        let patient = try parse("[jtag]\ncable = rbb://192.168.1.20:3335?timeout=5\n")
        #expect(patient.jtag.cable == NetworkCableAddress(kind: .remoteBitbang, host: "192.168.1.20", port: 3335, timeoutSeconds: 5))
        #expect(patient.jtag.cable?.text == "rbb://192.168.1.20:3335?timeout=5")
    }

    @Test func jtagNetworkCableMistakesAreErrorsWithTheLine() {
        #expect(failure("[jtag]\ncable = usb://1.2.3.4\n").hasPrefix("tapwalker.conf:2: [jtag] cable: usb://1.2.3.4: write xvc://HOST[:PORT]"))
        #expect(failure("[jtag]\ncable = xvc://1.2.3.4:70000\n").hasPrefix("tapwalker.conf:2: [jtag] cable: xvc://1.2.3.4:70000: write"))
        #expect(failure("[jtag]\ncable = xvc://fpga.local:2542\n").hasPrefix("tapwalker.conf:2: [jtag] cable: the device resolves no host names"))
        #expect(failure("[jtag]\ncable = xvc://10.0.2.300\n").hasPrefix("tapwalker.conf:2: [jtag] cable: the device resolves no host names"))
        #expect(failure("[jtag]\ncable = xvc://10.0.2.2?tck=1000\n").hasPrefix("tapwalker.conf:2: [jtag] cable: give the clock as [jtag] tck_hz"))
        #expect(failure("[jtag]\ncable = rbb://10.0.2.2?tck=1000\n").hasPrefix("tapwalker.conf:2: [jtag] cable: rbb://10.0.2.2?tck=1000: the options are ?timeout=SECONDS (remote_bitbang cannot set TCK)"))
        #expect(failure("[jtag]\ncable = rbb://10.0.2.2?timeout=0\n").contains("1 to 3600"))
        #expect(failure("[jtag]\npreset = esp32c3\ncable = xvc://10.0.2.2\n").hasPrefix("tapwalker.conf:3: [jtag] cable replaces the JTAG pins"))
        #expect(failure("[jtag]\ncable = xvc://10.0.2.2\ntck = 1\ntms = 2\ntdi = 3\ntdo = 4\n").hasPrefix("tapwalker.conf:2: [jtag] cable replaces the JTAG pins"))
        #expect(failure("[jtag]\ncable = xvc://10.0.2.2\ncable = xvc://10.0.2.3\n").hasPrefix("tapwalker.conf:3: [jtag] cable is given twice"))
        #expect(failure("[jtag]\ncabel = xvc://10.0.2.2\n").contains("tck_hz, cable"))
    }

    @Test func jtagPinMistakesAreErrors() {
        #expect(failure("[jtag]\ntck = 1\ntms = 2\ntdi = 3\n").hasPrefix("tapwalker.conf:4: [jtag] tdo is missing"))
        #expect(failure("[jtag]\npreset = esp32c3\ntms = 6\n").hasPrefix("tapwalker.conf:3: [jtag] two JTAG signals on GPIO 6"))
        #expect(failure("[jtag]\npreset = esp32c3\ntms = 30\n").hasPrefix("tapwalker.conf:3: [jtag] GPIO 30 does not exist on the esp32c3"))
        #expect(failure("[jtag]\npreset = esp32c3\nchip = esp32p4\n").hasPrefix("tapwalker.conf:3: [jtag] chip: preset esp32c3 is for esp32c3"))
        #expect(failure("[jtag]\npreset = devkit\n").hasPrefix("tapwalker.conf:2: [jtag] preset: unknown preset"))
    }

    @Test func wifiSettings() throws {
        let c = try parse("[wifi]\nap_password = longenough\nscan_seconds = 60\nconnect_seconds = 5\n")
        #expect(c.wifi.accessPointPassword == Array("longenough".utf8))
        #expect(c.wifi.scanSeconds == 60 && c.wifi.connectSeconds == 5)
    }

    @Test func inputIsBounded() {
        let long = "[login]\nuser = a\npassword = " + String(repeating: "x", count: 300) + "\n"
        #expect(failure(long) == "tapwalker.conf:3: line longer than 255 bytes")
        let big = String(repeating: "# comment\n", count: 1000)
        #expect(failure(big).hasPrefix("tapwalker.conf: 10000 bytes is more than"))
        #expect(failure("[services]\nftp = 21\u{0}\n").hasPrefix("tapwalker.conf:2: control character"))
        // CR LF line ends are fine.
        #expect(failure("[services]\r\nftp = 21\r\n") == "")
    }
}
