// TapWalkerDevice on an emulated RV32 CPU (scripts/rv32-lane.sh, docs/rv32-lane.md): the
// configuration, console, wifiman.conf editing, roaming and login code run as the firmware will
// compile them (Embedded Swift, -Osize, riscv32, the tail-call fence), with in-memory stand-ins for
// the board-support protocols, then the whole device application (application.swift), and then
// the application's `prog` and `flash` of the bitstream named on the command line into a
// simulated 25F through the virtual ESP32's pins (applicationjobs.swift). Prints
// instruction counts (exact under QEMU's -icount) and exits non-zero if a result differs from the
// host's unit tests. The C it calls (stdio, exit and the
// instruction counter) comes from embedded/check/posix.h.
//
// Usage: device-check BITSTREAM(25F)
import TapWalkerCore
import TapWalkerDevice
import TapWalkerSim

/// The whole file at `path`, read through stdio (semihosting under QEMU); nil if it cannot be read.
func readFile(_ path: UnsafePointer<CChar>) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return bytes
}

final class Actions: ConsoleActions {
    var log: [UInt8] = []
    func status() throws(TapWalkerError) -> String { "IDCODE 0x41113043" }
    func program(file: String) throws(TapWalkerError) -> String { log += Array(file.utf8); return "DONE" }
    func flash(file: String, address: Int) throws(TapWalkerError) -> String { throw TapWalkerError(.device, "no flash") }
    func svf(file: String) throws(TapWalkerError) -> String { throw TapWalkerError(.device, "no svf") }
    func passthru() throws(TapWalkerError) -> String { "DONE" }
    func networksChanged(_ networks: [WiFiNetwork]) { log += [UInt8(networks.count)] }
    func reboot() {}
}

final class OneFile: DeviceFile {
    let fs: Files; let path: [UInt8]; var offset = 0
    init(_ fs: Files, _ path: [UInt8]) { self.fs = fs; self.path = path }
    /// Bracketed as the embedded check's file reads are: the file system's work, not TapWalker's.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        meter_input_enter()
        defer { meter_input_leave() }
        let bytes = fs.content(path) ?? []
        let n = min(buffer.count, bytes.count - offset)
        for i in 0..<n { buffer[i] = bytes[offset + i] }
        offset += n
        return n
    }
    func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) { fs.set(path, (fs.content(path) ?? []) + Array(bytes)) }
    func close() throws(TapWalkerError) {}
}

final class Files: DeviceFileSystem {
    var names: [[UInt8]] = []; var contents: [[UInt8]] = []
    let name = "flash"
    func content(_ p: [UInt8]) -> [UInt8]? { for (i, n) in names.enumerated() where n == p { return contents[i] }; return nil }
    func set(_ p: [UInt8], _ c: [UInt8]) {
        for (i, n) in names.enumerated() where n == p { contents[i] = c; return }
        names.append(p); contents.append(c)
    }
    func open(_ path: String, mode: DeviceFileMode) throws(TapWalkerError) -> any DeviceFile {
        let p = Array(path.utf8)
        if case .write = mode { set(p, []) }
        return OneFile(self, p)
    }
    func info(_ path: String) throws(TapWalkerError) -> DeviceDirectoryEntry? {
        guard let c = content(Array(path.utf8)) else { return nil }
        return DeviceDirectoryEntry(name: path, isDirectory: false, size: c.count)
    }
    func list(_ directory: String) throws(TapWalkerError) -> [DeviceDirectoryEntry] { [] }
    func rename(_ from: String, to: String) throws(TapWalkerError) {
        let c = content(Array(from.utf8)) ?? []
        set(Array(to.utf8), c)
        try remove(from)
    }
    func remove(_ path: String) throws(TapWalkerError) {
        let p = Array(path.utf8)
        for (i, n) in names.enumerated() where n == p { names.remove(at: i); contents.remove(at: i); return }
    }
}

var failures = 0
func check(_ ok: Bool, _ what: String) {
    if !ok {
        failures += 1
        print("device-check: FAILED: \(what)")
    }
}

/// Prints the instructions retired between `start` and now; meter_instructions() reads minstret
/// on RISC-V and gives 0 elsewhere, where there is no figure to print.
func figure(_ name: String, since start: UInt64) {
    let end = meter_instructions()
    if end > 0 { print("device-check: \(name): \(end - start) instructions") }
}

@_cdecl("main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    guard argc == 2, let path = argv[1] else {
        print("usage: device-check BITSTREAM(25F)")
        return 2
    }
    let conf = "[services]\nftp = 2121\nhttp = 8080\nxvc = 2542\nremote_bitbang = 3335\n[login]\nuser = ulx3s\npassword = secret   # c\n[jtag]\npreset = esp32c3\n[virtual]\npart = LFE5U-85F\nflash = w25q128jv\n"
    let a = meter_instructions()
    do {
        let c = try DeviceConfiguration.parse(Array(conf.utf8))
        check(c.port(.remoteBitbang) == 3335, "port")
        check(c.login?.credential.accepts(Array("secret".utf8)) == true, "login")
        check(c.jtag.pins == JTAGPinAssignment(tck: 6, tms: 3, tdi: 7, tdo: 2), "pins")
        check(c.refusal(.ftp) == nil, "refusal")
    } catch { check(false, "parse") }
    figure("tapwalker.conf parse", since: a)
    do {
        _ = try DeviceConfiguration.parse(Array("[login]\nuser = a\npasword = b\n".utf8))
        check(false, "typo accepted")
    } catch {
        check(error.message.utf8.elementsEqual("tapwalker.conf:3: unknown key [login] pasword; [login] takes user, password".utf8), "typo message")
    }
    let files = Files()
    files.set(Array("/wifiman.conf".utf8), Array("# nets\nhome:pa:ss1234\n".utf8))
    let actions = Actions()
    let console = Console(actions: actions, files: files)
    let c0 = meter_instructions()
    check(console.reply(to: Array("wifi add \"Lab 2\" labpass12".utf8)).utf8.elementsEqual("added \"Lab 2\"\n".utf8), "wifi add")
    figure("console wifi add", since: c0)
    check(files.content(Array("/wifiman.conf".utf8)) == Array("# nets\nhome:pa:ss1234\nLab 2:labpass12\n".utf8), "wifiman text")
    check(console.reply(to: Array("wifi list".utf8)).utf8.elementsEqual("home\nLab 2\n".utf8), "wifi list")
    check(console.reply(to: Array("prog \"my design.bit\"".utf8)).utf8.elementsEqual("DONE\n".utf8), "prog")
    check(console.reply(to: Array("flash a.bit 0x1000".utf8)).utf8.elementsEqual("error: no flash\n".utf8), "flash error")
    check(console.reply(to: Array("status".utf8)).utf8.elementsEqual("IDCODE 0x41113043\n".utf8), "status")
    check(actions.log == Array("my design.bit".utf8) + [2] || actions.log == [2] + Array("my design.bit".utf8), "actions")
    var r = WiFiRoaming(networks: [WiFiNetwork(ssid: Array("home".utf8), password: [])], macAddress: [1, 2, 3, 4, 0xbe, 0xef], accessPointPassword: nil)
    check(r.handle(.start, now: 0) == [.scan], "roam scan")
    check(r.handle(.scanCompleted([WiFiScanResult(ssid: Array("x".utf8), rssi: -1), WiFiScanResult(ssid: Array("home".utf8), rssi: -70)]), now: 1)
          == [.connect(WiFiNetwork(ssid: Array("home".utf8), password: []))], "roam connect")
    check(WiFiRoaming.accessPointName(macAddress: [1, 2, 3, 4, 0xbe, 0xef]) == Array("tapwalker-BEEF".utf8), "ap name")
    let credential = LoginCredential.pbkdf2SHA256(iterations: 1000, salt: [0x73, 0x61, 0x6c, 0x74],
        hash: PBKDF2.sha256(password: Array("secret".utf8), salt: [0x73, 0x61, 0x6c, 0x74], iterations: 1000, length: 32))
    let p0 = meter_instructions()
    let ok = credential.accepts(Array("secret".utf8))
    figure("login with a 1000-iteration PBKDF2 hash", since: p0)
    check(ok, "pbkdf2")
    checkApplication()
    guard let bitstream = readFile(UnsafePointer(path)) else {
        print("device-check: cannot read the bitstream")
        return 2
    }
    _ = checkApplicationJobs(bitstream: bitstream, part: Part.with(idcode: 0x4111_1043)!, flashAddress: 0)
    print("device-check: \(failures == 0 ? "OK" : "FAILED: \(failures) of the checks")")
    return failures == 0 ? 0 : 1
}
