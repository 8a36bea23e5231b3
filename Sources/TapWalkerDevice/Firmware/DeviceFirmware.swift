import TapWalkerCore
import TapWalkerServices

/// The device's own firmware as its front ends see it: PUT /api/firmware, the console's
/// `update URL`, the running slot in `status`, and the confirmation that ends the rollback once
/// the services are up. docs/firmware-update.md.
final class DeviceFirmware: HTTPFirmwareActions {
    let slots: any FirmwareSlots
    let update: FirmwareUpdate
    let network: any DeviceNetwork
    let clock: any DeviceClock
    let restartDevice: () -> Void
    /// Whether this boot has confirmed the image or said why not (once per boot).
    private var decided = false

    /// The answer gets this long to reach the client before the restart.
    static let restartDelayMicroseconds: UInt32 = 300_000

    init(slots: any FirmwareSlots, lock: JobLock, network: any DeviceNetwork, clock: any DeviceClock, restart: @escaping () -> Void) {
        self.slots = slots
        update = FirmwareUpdate(slots: slots, lock: lock)
        self.network = network
        self.clock = clock
        restartDevice = restart
    }

    /// The console's `status` line.
    var statusLine: String { "firmware: " + slots.running().summary }

    /// Called when the device has a network address (joined, or its access point up) with its
    /// services started: the image came up and can be reached, so it stays. With a service refused
    /// the image is left unconfirmed, and the next reset goes back to the previous one. A firmware
    /// that never gets an address is never confirmed (the stricter choice: it could not be
    /// reached to be updated again).
    func servicesCameUp(_ refused: [String], output: ConsoleOutput) {
        guard !decided, slots.running().pendingVerify else { return }
        decided = true
        if !refused.isEmpty {
            output.line("tapwalker: firmware not confirmed (\(refused.joined(separator: ", ")) did not start): the next reset returns to the previous firmware")
            return
        }
        do throws(TapWalkerError) {
            if try slots.markValid() { output.line("tapwalker: firmware confirmed: \(slots.running().summary)") }
        } catch {
            output.line("tapwalker: firmware could not be confirmed: \(error.message)")
        }
    }

    // MARK: - HTTP

    func stateMembers() -> String {
        let s = slots.running()
        return "\"slot\":\(HTTPJSON.string(s.slot)),\"version\":\(HTTPJSON.string(s.version)),\"project\":\(HTTPJSON.string(s.projectName)),\"confirmed\":\(HTTPJSON.bool(!s.pendingVerify)),\"next_boot\":\(s.nextBoot.map { HTTPJSON.string($0) } ?? "null"),\"chip\":\(HTTPJSON.string(slots.chip.name)),\"slot_bytes\":\(slots.updateCapacity)"
    }

    func update(_ body: any ByteSource, holder: String, events: HTTPJobEvents) -> HTTPFirmwareAnswer {
        var started = false
        let outcome = update.run(body, holder: holder) { bytes, total in
            if !started {
                events.start(job: "firmware", holder: holder)
                started = true
            }
            events.progress(bytes: bytes, total: total)
        }
        switch outcome {
        case .busy(let holder): return .busy(holder: holder)
        case .refused(let error):
            if started { events.result("{\"ok\":false,\"error\":\(HTTPJSON.string(error.message))}") }
            return .refused(status: 422, message: error.message)
        case .inputFailed(let error):
            if started { events.result("{\"ok\":false,\"error\":\(HTTPJSON.string(error.message))}") }
            return .inputFailed(error)
        case .installed(let info, let slot):
            let members = "\"slot\":\(HTTPJSON.string(slot)),\"version\":\(HTTPJSON.string(info.version)),\"project\":\(HTTPJSON.string(info.projectName)),\"bytes\":\(info.bytes),\"message\":\(HTTPJSON.string(DeviceFirmware.installedText(info, slot)))"
            events.result("{\"ok\":true,\(members)}")
            return .installed(members: members)
        }
    }

    func restart() {
        clock.sleep(microseconds: DeviceFirmware.restartDelayMicroseconds)
        restartDevice()
    }

    // MARK: - Console

    /// `update URL`: the image fetched over HTTP, then, when installed, the restart.
    func update(url: String, say: (String) -> Void) throws(TapWalkerError) -> String {
        let network = self.network
        let clock = self.clock
        let source = try HTTPSource(url: url, clock: { clock.microseconds() }) { network.makeConnection() }
        defer { source.close() }
        var reported = 0
        let outcome = update.run(source, holder: "the serial console") { bytes, total in
            guard bytes - reported >= 256 * 1024 else { return }
            reported = bytes
            say("update: \(bytes) bytes" + (total.map { " of \($0)" } ?? ""))
        }
        switch outcome {
        case .busy(let holder): throw TapWalkerError(.device, "the board is busy: \(holder); the firmware was not touched")
        case .refused(let error), .inputFailed(let error): throw error.rephrased("update: \(error.message)")
        case .installed(let info, let slot):
            say(DeviceFirmware.installedText(info, slot))
            restart()
            return "restarting"
        }
    }

    static func installedText(_ info: AppImageInfo, _ slot: String) -> String {
        "firmware \(info.summary) written to \(slot) and checked; restarting into it (it must come up and confirm itself, else the next reset returns to the previous firmware)"
    }
}
