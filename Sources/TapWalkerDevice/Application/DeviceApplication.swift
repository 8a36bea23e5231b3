import TapWalkerCore
import TapWalkerServices

/// The firmware above the chip's drivers: reads the configuration, brings up the WiFi, starts the
/// services on one board and one job lock, and runs the serial console, all through the board
/// support (`DeviceBoardSupport`) and nothing else, so that the same code runs on the ESP32, on
/// the virtual ESP32 and in the tests. docs/device-application.md describes the boot, the tasks
/// and what happens on each failure.
public final class DeviceApplication {
    public let support: DeviceBoardSupport
    private let givenCable: (any TDOSampling)?

    /// How often the main loop looks at the WiFi and the console.
    static let pollMicroseconds: UInt32 = 50_000
    /// Bytes taken from the console per poll.
    static let consoleChunk = 64

    /// `cable`: the JTAG cable to drive; nil for the board's own pins (`support.pins`, `support.spi`).
    public init(support: DeviceBoardSupport, cable: (any TDOSampling)? = nil) {
        self.support = support
        self.givenCable = cable
    }

    /// Mounts the SD card's file system at start, when the board has a slot; a card that is
    /// missing or holds no FAT file system is said on the console and leaves only /sd unusable.
    static func mountSD(_ support: DeviceBoardSupport, output: ConsoleOutput) -> SDCardMount? {
        guard let card = support.sdFiles else { return nil }
        let mount = SDCardMount(card: card, mutex: support.tasks.makeMutex())
        do {
            output.line("tapwalker: " + (try mount.mount()))
        } catch {
            output.line("tapwalker: \(error.message)")
        }
        return mount
    }

    /// Runs the device until `stop()` is true (the firmware passes `{ false }`), then waits for the
    /// services' accept loops to end (they look at least once a second) and returns. Clients still
    /// connected finish on their own tasks, within their timeouts.
    public func run(until stop: () -> Bool) {
        let tasks = support.tasks
        let output = ConsoleOutput(port: support.console, mutex: tasks.makeMutex())
        let light = StatusLight(led: support.led, mutex: tasks.makeMutex())
        light.show(.starting)

        let boot = DeviceBootFiles.read(from: support.files)
        for problem in boot.problems { output.line("tapwalker: \(problem)") }
        if boot.failed { light.fault() }

        let cable = makeCable(boot.configuration, output: output, light: light)
        let sd = DeviceApplication.mountSD(support, output: output)
        let files = DeviceFileTree(flash: support.files, sd: sd)
        let card: DeviceSDCard? = support.sdCard != nil || sd != nil ? DeviceSDCard(blocks: support.sdCard, files: sd) : nil
        let board = BoardService(cable: cable.cable, lock: JobLock(mutex: tasks.makeMutex()), sdCard: card, clock: support.clock)
        board.inputBufferLimit = DeviceServiceLimits.inputBufferLimit
        board.svfMaxVectorBits = DeviceServiceLimits.svfMaxVectorBits
        board.urls = DeviceURLOpener(network: support.network, clock: support.clock)

        // The station is shared with the web page's WiFi routes, which run on HTTP tasks: every
        // use of it from here on goes through the settings' mutex.
        let station = WiFiStation(radio: support.wifi, clock: support.clock, led: light, networks: boot.networks,
                                  settings: boot.configuration.wifi)
        let wifi = DeviceWiFiSettings(files: support.files, station: station, mutex: tasks.makeMutex())

        let lifetime = ServiceLifetime(mutex: tasks.makeMutex())
        // A network JTAG server serves one client at a time, and after a restart it would go on
        // waiting on the connection the device had (nothing tells it the device is gone), so the
        // restarted device could not reach it: the connection is closed first. The firmware
        // update holds the board until its restart, so no job uses the cable then; the console's
        // reboot closes it only when the board is free (a job's connection is left to the
        // server's timeout).
        let restartAfterUpdate = { [support, cable] in
            cable.network?.close()
            support.restart()
        }
        let reboot = { [support, cable, board] in
            _ = board.holding("reboot") { cable.network?.close() }
            support.restart()
        }
        let firmware = support.firmware.map {
            DeviceFirmware(slots: $0, lock: board.lock, network: support.network, clock: support.clock, restart: restartAfterUpdate)
        }
        let services = DeviceServices(support: support, files: files, board: board, sampler: cable.sampler, wifi: wifi,
                                      lifetime: lifetime, output: output, firmware: firmware)
        services.start(boot.configuration)

        let actions = DeviceConsoleActions(
            board: board, files: files, light: light,
            describeDevice: { [support] in
                wifi.withStation { DeviceApplication.describe($0, services) } + DeviceApplication.describe(cable)
                    + (sd.map { [$0.state] } ?? [])
                    + (services.memory.map { DeviceApplication.describe($0) } ?? [])
                    + (support.describeSystem?() ?? [])
            },
            networks: { wifi.networksChanged($0) }, restart: reboot, firmware: firmware)
        // wifi add and remove edit wifiman.conf through the same settings as the page, one at a time.
        let console = Console(actions: actions, files: support.files, wifiEditor: wifi)
        wifi.withStation { $0.start() }

        var address: [UInt8]? = nil
        var consoleOpen = true
        var prompted = false
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: DeviceApplication.consoleChunk, alignment: 1)
        defer { buffer.deallocate() }
        while !stop() {
            wifi.poll()
            let (now, state) = wifi.withStation { (DeviceApplication.address(of: $0), DeviceApplication.wifiText($0)) }
            if now != address {
                address = now
                DeviceApplication.announce(now, state, services, output)
                // A new firmware confirms itself once it can be reached: listening, with an address.
                if now != nil { firmware?.servicesCameUp(services.outcomes.filter { $0.refusal != nil }.map { $0.service.key }, output: output) }
            }
            if !prompted {
                output.write(Console.prompt)
                prompted = true
            }
            light.setBusy(board.lock.currentHolder != nil)
            if consoleOpen {
                if let count = support.console.read(into: buffer, timeoutMilliseconds: 0) {
                    if count > 0 {
                        let line = Array(buffer[0..<count])
                        if let memory = services.memory {
                            let jobs = actions.jobsRun
                            memory.measure(.console) {
                                console.receive(line) { output.write($0) }
                                return actions.jobsRun == jobs
                            }
                        } else {
                            console.receive(line) { output.write($0) }
                        }
                    }
                } else {
                    // The console closed for good (end of input); the device goes on serving.
                    consoleOpen = false
                }
            }
            support.clock.sleep(microseconds: DeviceApplication.pollMicroseconds)
        }
        lifetime.requestStop()
        while lifetime.runningLoops > 0 { support.clock.sleep(microseconds: DeviceApplication.pollMicroseconds) }
        output.line("tapwalker: stopped")
    }

    /// The given cable, else `[jtag] cable` or the board's own pins, at `[jtag] tck_hz`. A clock
    /// the pins cannot take is reported and the cable keeps the one it has; jobs still run. A
    /// network cable connects when a job first needs it (the network is not up yet).
    private func makeCable(_ configuration: DeviceConfiguration, output: ConsoleOutput, light: StatusLight) -> DeviceCable {
        if let givenCable { return DeviceCable(cable: givenCable, sampler: givenCable, network: nil) }
        let made = DeviceCableFactory.make(support: support, configuration: configuration)
        let cable = made.cable
        do throws(TapWalkerError) {
            _ = try cable.setFrequency(UInt32(configuration.jtag.tckHz))
        } catch {
            output.line("tapwalker: the JTAG clock stays at \(cable.frequency) Hz: \(error.message)")
            light.fault()
        }
        if let network = made.network { output.line("tapwalker: the board is reached through \(network.address.text)") }
        return made
    }

    /// The console's `status` lines of the admission by memory: the ledger now, and the most each
    /// kind of work was measured to hold against its figure (docs/memory-admission.md).
    static func describe(_ memory: HeapAdmission) -> [String] {
        let l = memory.ledger
        return ["memory: \(l.committed) B of \(l.capacity - l.reserve) B admitted, \(l.reserve) B kept for the console and one board job, \(l.free) B free now",
                "memory: most held / figure: \(memory.figuresText)"]
    }

    /// The console's `status` line of a network cable; nothing for the pins.
    static func describe(_ cable: DeviceCable) -> [String] {
        guard let network = cable.network else { return [] }
        var line = "jtag: cable \(network.address.text), " + (network.isConnected ? "connected" : "not connected")
        if let problem = network.lastProblem { line += "; last problem: \(problem)" }
        return [line]
    }

    /// The device's address: the station's while joined, else the access point's while it is up.
    static func address(of station: WiFiStation) -> [UInt8]? {
        if let a = station.address { return a }
        return station.roaming.accessPointActive ? NetworkAddress.accessPoint : nil
    }

    /// Prints the new address and where each running service can be reached.
    static func announce(_ address: [UInt8]?, _ wifi: String, _ services: DeviceServices, _ output: ConsoleOutput) {
        guard let address else {
            output.line("tapwalker: no network address; looking for a network")
            return
        }
        output.line("tapwalker: \(wifi)")
        for s in services.running {
            output.line("tapwalker: \(s.service.key) on \(NetworkAddress.text(address)):\(s.port)")
        }
    }

    static func wifiText(_ station: WiFiStation) -> String {
        if case .connected(let network) = station.roaming.phase, let a = station.address {
            return "WiFi joined \"\(ASCII.printable(network.ssid))\", address \(NetworkAddress.text(a))"
        }
        if station.roaming.accessPointActive {
            return "WiFi access point \"\(ASCII.printable(station.roaming.accessPointSSID))\", address \(NetworkAddress.text(NetworkAddress.accessPoint))"
        }
        return "WiFi looking for a network"
    }

    /// The WiFi and services lines of the console's `status`.
    static func describe(_ station: WiFiStation, _ services: DeviceServices) -> [String] {
        var lines = ["wifi: " + wifiText(station)]
        if let problem = station.lastProblem { lines.append("wifi: last problem: \(problem)") }
        let address = DeviceApplication.address(of: station).map { NetworkAddress.text($0) }
        if services.outcomes.isEmpty { lines.append("services: none configured in \(DeviceConfiguration.fileName)") }
        for s in services.outcomes {
            if let refusal = s.refusal { lines.append("\(s.service.key): not started: \(refusal)") }
            else { lines.append("\(s.service.key): \(address ?? "port"):\(s.port)") }
        }
        return lines
    }
}
