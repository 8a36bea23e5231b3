// The device application on the emulated CPU: boots from an in-memory tapwalker.conf, runs the
// WiFi station against a radio that hears no network (so the access point opens), and answers
// the console's `wifi add` and `status`. There are no threads here, so no task can be started:
// every service reports that it was not started, which is the failure path a device out of
// memory takes. The JTAG pins float (TDO reads 0), so the board reads as absent. Prints the
// heap the application held at most and the instructions of the whole run.
import TapWalkerCore
import TapWalkerServices
import TapWalkerDevice

final class TypedConsole: ConsolePort {
    var input: [UInt8]
    var output: [UInt8] = []
    init(_ text: String) { input = Array(text.utf8) }
    func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) -> Int? {
        guard !input.isEmpty else { return nil }
        let n = min(buffer.count, input.count)
        for i in 0..<n { buffer[i] = input[i] }
        input.removeFirst(n)
        return n
    }
    func write(_ text: String) { output += Array(text.utf8) }
}

final class StepClock: DeviceClock {
    var now: UInt64 = 0
    func microseconds() -> UInt64 { now }
    func sleep(microseconds: UInt32) { now += UInt64(microseconds) }
}

final class SilentRadio: WiFiRadio {
    let macAddress: [UInt8] = [0x24, 0x0A, 0xC4, 0x00, 0xBE, 0xEF]
    var events: [WiFiRadioEvent] = []
    func startScan() throws(TapWalkerError) { events.append(.scanCompleted([])) }
    func connect(_ network: WiFiNetwork) throws(TapWalkerError) { events.append(.connectFailed) }
    func disconnect() {}
    func startAccessPoint(ssid: [UInt8], password: [UInt8]?) throws(TapWalkerError) {}
    func stopAccessPoint() {}
    func nextEvent() -> WiFiRadioEvent? { events.isEmpty ? nil : events.removeFirst() }
}

final class IdleListener: ConnectionListeners {
    func accept(timeoutMilliseconds: Int) throws(TapWalkerError) -> AcceptedConnection? { nil }
}

final class IdleNetwork: DeviceNetwork {
    func listen(port: Int) throws(TapWalkerError) -> any ConnectionListeners { IdleListener() }
    func makeConnection() -> any NetworkConnection { Unconnected() }
    func listen(host: String) throws(TapWalkerError) -> any FTPPassiveListener { throw TapWalkerError(.device, "no network") }
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) -> any NetworkConnection {
        throw TapWalkerError(.device, "no network")
    }
}

final class Unconnected: NetworkConnection {
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) { throw TapWalkerError(.device, "no network") }
    func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) { throw TapWalkerError(.device, "no network") }
    func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int { 0 }
    func close() {}
}

final class NoTasks: DeviceTasks {
    func start(name: String, stackBytes: Int, _ body: @escaping () -> Void) throws(TapWalkerError) {
        throw TapWalkerError(.device, "no tasks on this CPU")
    }
    func makeMutex() -> any PlatformMutex { OneCPUMutex() }
}

final class OneCPUMutex: PlatformMutex {
    func lock() {}
    func unlock() {}
}

final class FloatingPins: JTAGPins {
    let tckBit: UInt32 = 1, tmsBit: UInt32 = 2, tdiBit: UInt32 = 4
    func setTCK(_ high: Bool) {}
    func setTMS(_ high: Bool) {}
    func setTDI(_ high: Bool) {}
    func readTDO() -> Bool { false }
    func writeBundle(_ value: UInt32, mask: UInt32) {}
    func shift(tms: UnsafeRawBufferPointer?, tdi: UnsafeRawBufferPointer?, tdo: UnsafeMutableRawBufferPointer?, bits: Int) throws(TapWalkerError) {
        if let tdo { for i in 0..<((bits + 7) / 8) { tdo[i] = 0 } }
    }
    func setMaximumFrequency(_ hertz: UInt32) throws(TapWalkerError) {}
    func release() {}
}

final class CountingBytes: RandomSource {
    var next: UInt8 = 1
    func fill(_ bytes: inout [UInt8]) { for i in bytes.indices { bytes[i] = next; next &+= 37 } }
}

/// Whether `needle` occurs in `haystack`, as bytes (String search would need Unicode tables).
func occurs(_ needle: String, in haystack: [UInt8]) -> Bool {
    let n = Array(needle.utf8)
    guard n.count <= haystack.count else { return false }
    for start in 0...(haystack.count - n.count) where haystack[start..<(start + n.count)].elementsEqual(n) { return true }
    return false
}

func checkApplication() {
    let files = Files()
    files.set(Array("/tapwalker.conf".utf8), Array("[services]\nftp = 2121\nhttp = 8080\nxvc = 2542\n[login]\nuser = ulx3s\npassword = secret\n".utf8))
    let console = TypedConsole("wifi add lab labpass12\rstatus\r")
    let support = DeviceBoardSupport(
        clock: StepClock(), pins: FloatingPins(), spi: nil, wifi: SilentRadio(), network: IdleNetwork(), tasks: NoTasks(),
        files: files, sdCard: nil, led: nil, console: console, random: CountingBytes(), restart: {})
    meter_heap_restart()
    let live = meter_heap_live()
    let start = meter_instructions()
    DeviceApplication(support: support).run(until: { console.input.isEmpty })
    figure("device application: boot, wifi add, status", since: start)
    print("device-check: device application: heap \(meter_heap_peak() - live) B at most")
    let out = console.output
    check(occurs("tapwalker: ftp not started: no task for its accept loop: no tasks on this CPU", in: out), "app: ftp refused without a task")
    check(occurs("tapwalker: xvc not started:", in: out), "app: xvc refused without a task")
    check(occurs("tapwalker: WiFi access point \"tapwalker-BEEF\", address 192.168.4.1", in: out), "app: access point")
    check(occurs("added \"lab\"", in: out), "app: wifi add")
    check(files.content(Array("/wifiman.conf".utf8)) == Array("lab:labpass12\n".utf8), "app: wifiman.conf")
    check(occurs("board: no JTAG device answers: TDO stuck at 0 (IDCODE reads 0x00000000)", in: out), "app: status board line")
    check(occurs("ftp: not started: no task", in: out), "app: status services")
    check(occurs("tapwalker: stopped", in: out), "app: stopped")
}
