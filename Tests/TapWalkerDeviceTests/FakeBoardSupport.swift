import Foundation
import TapWalkerCore
import TapWalkerServices
import TapWalkerDevice

/// Board support for the application tests: tasks on real threads, in-memory files, a radio and a
/// network that the test scripts, a console fed from bytes, and the host's clock.
final class FakeBoardSupport {
    let files = MemoryFileSystem()
    let radio = JoiningRadio()
    let network = FakeNetwork()
    let tasks = ThreadTasks()
    let console = ScriptedConsole()
    let led = LEDHistory()
    let clock = HostClock()
    let pins = NoPins()
    var restarts = 0

    var support: DeviceBoardSupport {
        DeviceBoardSupport(clock: clock, pins: pins, spi: nil, wifi: radio, network: network, tasks: tasks,
                           files: files, sdCard: nil, led: led, console: console, random: CountingRandom(),
                           restart: { [unowned self] in self.restarts += 1 })
    }

    func file(_ path: String, _ text: String) { files.files[path] = Array(text.utf8) }
}

final class LockMutex: PlatformMutex {
    private let inner = NSLock()
    func lock() { inner.lock() }
    func unlock() { inner.unlock() }
}

final class HostClock: ServiceClock {
    func microseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1000 }
    func sleep(microseconds: UInt32) { usleep(microseconds) }
}

/// Tasks as threads; records what was started and can refuse client tasks as a device out of
/// memory would.
final class ThreadTasks: DeviceTasks {
    private let lock = NSLock()
    private var names: [String] = []
    private var active = 0
    var refuseNamesContaining: String? = nil

    func start(name: String, stackBytes: Int, _ body: @escaping () -> Void) throws(TapWalkerError) {
        if let refused = refuseNamesContaining, name.contains(refused) {
            throw TapWalkerError(.device, "no memory for a \(stackBytes)-byte stack")
        }
        lock.lock(); names.append(name); active += 1; lock.unlock()
        // The application hands each task's state to it alone, as FreeRTOS tasks are handed theirs.
        nonisolated(unsafe) let body = body
        nonisolated(unsafe) let tasks = self
        let thread = Thread {
            body()
            tasks.finished()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    func makeMutex() -> any PlatformMutex { LockMutex() }

    private func finished() { lock.lock(); active -= 1; lock.unlock() }

    var started: [String] { lock.lock(); defer { lock.unlock() }; return names }
    var running: Int { lock.lock(); defer { lock.unlock() }; return active }
}

/// A radio that hears `heard` in every scan and joins any network it is asked to at once.
final class JoiningRadio: WiFiRadio {
    let macAddress: [UInt8] = [0x24, 0x0A, 0xC4, 0x00, 0xBE, 0xEF]
    var heard: [WiFiScanResult] = []
    var joinAddress: [UInt8] = [10, 0, 0, 7]
    private(set) var joined: [[UInt8]] = []
    private(set) var accessPoints: [[UInt8]] = []
    private var events: [WiFiRadioEvent] = []

    func startScan() throws(TapWalkerError) { events.append(.scanCompleted(heard)) }
    func connect(_ network: WiFiNetwork) throws(TapWalkerError) {
        joined.append(network.ssid)
        events.append(.connected(address: joinAddress))
    }
    func disconnect() {}
    func startAccessPoint(ssid: [UInt8], password: [UInt8]?) throws(TapWalkerError) { accessPoints.append(ssid) }
    func stopAccessPoint() {}
    func nextEvent() -> WiFiRadioEvent? { events.isEmpty ? nil : events.removeFirst() }
}

/// A console that hands over each step's bytes once its condition holds, then reports the end of
/// input; collects everything written.
final class ScriptedConsole: ConsolePort {
    private let lock = NSLock()
    private var steps: [(when: () -> Bool, bytes: [UInt8])] = []
    private var written = ""
    private(set) var ended = false

    func type(_ line: String, when: @escaping () -> Bool = { true }) {
        steps.append((when, Array((line + "\r\n").utf8)))
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) -> Int? {
        guard let step = steps.first else { ended = true; return nil }
        guard step.when() else { return 0 }
        let n = min(buffer.count, step.bytes.count)
        for i in 0..<n { buffer[i] = step.bytes[i] }
        if n == step.bytes.count { steps.removeFirst() } else { steps[0].bytes.removeFirst(n) }
        return n
    }

    func write(_ text: String) { lock.lock(); written += text; lock.unlock() }

    var text: String { lock.lock(); defer { lock.unlock() }; return written }
    func shows(_ part: String) -> Bool { text.contains(part) }
}

final class LEDHistory: StatusLED {
    private let lock = NSLock()
    private var shown: [DeviceStatus] = []
    func show(_ status: DeviceStatus) { lock.lock(); shown.append(status); lock.unlock() }
    var history: [DeviceStatus] { lock.lock(); defer { lock.unlock() }; return shown }
}

final class CountingRandom: RandomSource {
    private var next: UInt8 = 1
    func fill(_ bytes: inout [UInt8]) {
        for i in bytes.indices { bytes[i] = next; next &+= 37 }
    }
}

final class NoPins: JTAGPins {
    let tckBit: UInt32 = 1, tmsBit: UInt32 = 2, tdiBit: UInt32 = 4
    func setTCK(_ high: Bool) {}
    func setTMS(_ high: Bool) {}
    func setTDI(_ high: Bool) {}
    func readTDO() -> Bool { false }
    func writeBundle(_ value: UInt32, mask: UInt32) {}
    private(set) var shifted = 0
    /// Nothing is wired: TDO reads 0.
    func shift(tms: UnsafeRawBufferPointer?, tdi: UnsafeRawBufferPointer?, tdo: UnsafeMutableRawBufferPointer?, bits: Int) throws(TapWalkerError) {
        shifted += bits
        if let tdo { for i in 0..<((bits + 7) / 8) { tdo[i] = 0 } }
    }
    func setMaximumFrequency(_ hertz: UInt32) throws(TapWalkerError) {}
    func release() {}
}
