import Testing
import TapWalkerCore
import TapWalkerServices
@testable import TapWalkerDevice

/// Two OTA slots in memory, with the boot choice and what each step did.
final class MemorySlots: FirmwareSlots {
    let chip: ESP32Chip = .c3
    let updateCapacity: Int
    var slots: [[UInt8]] = [[], []]
    var runningIndex = 0
    var bootIndex = 0
    var pending = false
    var log: [String] = []

    init(capacity: Int = 1 << 20) { updateCapacity = capacity }

    func running() -> FirmwareSlotState {
        FirmwareSlotState(slot: "ota_\(runningIndex)", version: "1.0", projectName: "tapwalker", pendingVerify: pending,
                          nextBoot: bootIndex == runningIndex ? nil : "ota_\(bootIndex)")
    }

    func beginUpdate(bytes: Int?) throws(TapWalkerError) -> any FirmwareSlotWriter {
        let other = 1 - runningIndex
        log.append("begin ota_\(other)")
        slots[other] = []
        return Writer(self, other)
    }

    func markValid() throws(TapWalkerError) -> Bool {
        defer { pending = false }
        return pending
    }

    final class Writer: FirmwareSlotWriter {
        let owner: MemorySlots
        let index: Int
        init(_ owner: MemorySlots, _ index: Int) { self.owner = owner; self.index = index }
        var slot: String { "ota_\(index)" }
        var capacity: Int { owner.updateCapacity }
        func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) { owner.slots[index] += bytes }
        func finishAndSelect() throws(TapWalkerError) { owner.log.append("select \(slot)"); owner.bootIndex = index }
        func abandon() { owner.log.append("abandon \(slot)") }
    }
}

/// A source that gives `bytes` in pieces and then fails as a dropped connection does.
final class CutSource: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    let name = "upload"
    var totalBytes: Int?
    init(_ bytes: [UInt8], announced: Int?) { self.bytes = bytes; totalBytes = announced }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        guard offset < bytes.count else { throw TapWalkerError(.cable, "the connection was closed") }
        let n = min(buffer.count, bytes.count - offset, 1500)
        buffer.copyBytes(from: bytes[offset..<(offset + n)])
        offset += n
        return n
    }
}

private func lock() -> JobLock { JobLock(mutex: NoMutex()) }

@Suite struct FirmwareUpdateTests {
    @Test func aGoodImageIsWrittenToTheOtherSlotAndSelected() {
        let slots = MemorySlots()
        let image = AppImageBuilder(version: "2.0").build()
        let jobs = lock()
        var progress: [Int] = []
        let outcome = FirmwareUpdate(slots: slots, lock: jobs).run(MemorySource(image, name: "fw.bin"), holder: "test") { b, _ in progress.append(b) }
        guard case .installed(let info, let slot) = outcome else { Issue.record("\(outcome)"); return }
        #expect(slot == "ota_1")
        #expect(info.version == "2.0")
        #expect(slots.slots[1] == image)
        #expect(slots.bootIndex == 1)
        #expect(slots.log == ["begin ota_1", "select ota_1"])
        #expect(progress.last == image.count)
        // The board stays held until the restart: no job or second update in between.
        #expect(jobs.currentHolder == "test updating the firmware")
    }

    @Test func anImageForAnotherChipNeverOpensASlot() {
        let slots = MemorySlots()
        let outcome = FirmwareUpdate(slots: slots, lock: lock()).run(MemorySource(AppImageBuilder(chipID: 13).build(), name: "c6.bin"), holder: "t") { _, _ in }
        guard case .refused(let error) = outcome else { Issue.record("\(outcome)"); return }
        #expect(error.message.contains("esp32c6"))
        #expect(error.message.hasSuffix("nothing was switched: the device runs ota_0 (tapwalker 1.0) and boots it next"))
        #expect(slots.log.isEmpty)
        #expect(slots.bootIndex == 0)
    }

    @Test func aDamagedImageIsWrittenButNeverSelected() {
        let slots = MemorySlots()
        var image = AppImageBuilder().build()
        image[image.count - 5] ^= 1
        let jobs = lock()
        let outcome = FirmwareUpdate(slots: slots, lock: jobs).run(MemorySource(image, name: "bad.bin"), holder: "t") { _, _ in }
        guard case .refused(let error) = outcome else { Issue.record("\(outcome)"); return }
        #expect(error.message.contains("SHA-256"))
        #expect(slots.log == ["begin ota_1", "abandon ota_1"])
        #expect(slots.bootIndex == 0)
        #expect(jobs.currentHolder == nil)
    }

    @Test func anAnnouncedSizeOverTheSlotIsRefusedBeforeReading() {
        let slots = MemorySlots(capacity: 1000)
        let source = CutSource(AppImageBuilder().build(), announced: 5000)
        let outcome = FirmwareUpdate(slots: slots, lock: lock()).run(source, holder: "t") { _, _ in }
        guard case .refused(let error) = outcome else { Issue.record("\(outcome)"); return }
        #expect(error.message.contains("larger than the OTA slot (1000 bytes)"))
        #expect(source.offset == 0)
        #expect(slots.log.isEmpty)
    }

    @Test func aCutUploadLeavesTheBootAlone() {
        let slots = MemorySlots()
        let image = AppImageBuilder().build()
        let source = CutSource(Array(image.prefix(4000)), announced: image.count)
        let outcome = FirmwareUpdate(slots: slots, lock: lock()).run(source, holder: "t") { _, _ in }
        guard case .inputFailed(let error) = outcome else { Issue.record("\(outcome)"); return }
        #expect(error.kind == .cable)
        #expect(slots.log == ["begin ota_1", "abandon ota_1"])
        #expect(slots.bootIndex == 0)
    }

    @Test func anUpdateWaitsForNoBoardJob() {
        let slots = MemorySlots()
        let jobs = lock()
        _ = jobs.tryAcquire("XVC client 10.0.0.5:5000")
        let source = CutSource(AppImageBuilder().build(), announced: nil)
        let outcome = FirmwareUpdate(slots: slots, lock: jobs).run(source, holder: "t") { _, _ in }
        guard case .busy(let holder) = outcome else { Issue.record("\(outcome)"); return }
        #expect(holder == "XVC client 10.0.0.5:5000")
        #expect(source.offset == 0)
    }

    @Test func anUnconfirmedFirmwareKeepsTheWayBack() {
        let slots = MemorySlots()
        slots.runningIndex = 1
        slots.bootIndex = 1
        slots.pending = true
        let source = CutSource(AppImageBuilder().build(), announced: nil)
        let jobs = lock()
        let outcome = FirmwareUpdate(slots: slots, lock: jobs).run(source, holder: "t") { _, _ in }
        guard case .refused(let error) = outcome else { Issue.record("\(outcome)"); return }
        #expect(error.message.contains("has not confirmed itself"))
        #expect(source.offset == 0)
        #expect(slots.log.isEmpty)
        #expect(jobs.currentHolder == nil)
    }
}

@Suite struct FirmwareConsoleTests {
    private func parse(_ s: String) throws(TapWalkerError) -> ConsoleCommand? { try ConsoleCommand.parse(Array(s.utf8)) }

    @Test func updateTakesOneURL() throws {
        #expect(try parse("update http://10.0.0.2:8000/tapwalker.bin") == .update(url: "http://10.0.0.2:8000/tapwalker.bin"))
        for (line, message) in [("update", "usage: update URL"), ("update a b", "usage: update URL"),
                                ("update tapwalker.bin", "update takes an http:// URL of a firmware image; nothing was changed")] {
            do {
                _ = try parse(line)
                Issue.record("\(line) was accepted")
            } catch {
                #expect(error.message == message)
                #expect(error.kind == .usage)
            }
        }
    }

    @Test func aConsoleWithoutSlotsSaysItCannotUpdate() {
        final class NoFirmware: ConsoleActions {
            func status() throws(TapWalkerError) -> String { "" }
            func program(file: String) throws(TapWalkerError) -> String { "" }
            func flash(file: String, address: Int) throws(TapWalkerError) -> String { "" }
            func svf(file: String) throws(TapWalkerError) -> String { "" }
            func passthru() throws(TapWalkerError) -> String { "" }
            func networksChanged(_ networks: [WiFiNetwork]) {}
            func reboot() {}
        }
        do {
            _ = try NoFirmware().update(url: "http://h/fw.bin") { _ in }
            Issue.record("accepted")
        } catch {
            #expect(error.message == "this device cannot update its firmware over the network")
        }
    }
}

/// The confirmation that ends the rollback, through the whole device application.
@Suite(.serialized) struct FirmwareConfirmationTests {
    /// Runs the application with a firmware started once and pending verification in ota_1.
    private func runPending(_ fake: FakeBoardSupport, until done: @escaping () -> Bool) -> MemorySlots {
        let slots = MemorySlots()
        slots.runningIndex = 1
        slots.bootIndex = 1
        slots.pending = true
        var support = fake.support
        support.firmware = slots
        let giveUp = ContinuousClock.now + .seconds(60)
        DeviceApplication(support: support, cable: SimulatedBoard(part: "25f").sim)
            .run(until: { (fake.console.ended && done()) || ContinuousClock.now > giveUp })
        return slots
    }

    @Test func aNewFirmwareConfirmsItselfOnceItHasAnAddress() {
        let fake = FakeBoardSupport()
        fake.file("/tapwalker.conf", "[services]\nftp = 2121\n[login]\nuser = ulx3s\npassword = secret\n")
        fake.file("/wifiman.conf", "lab:password1\n")
        fake.radio.heard = [WiFiScanResult(ssid: Array("lab".utf8), rssi: -50)]
        fake.console.type("status", when: { fake.console.shows("ftp on 10.0.0.7:2121") })
        let slots = runPending(fake) { fake.console.shows("firmware: running") }
        #expect(!slots.pending)
        #expect(fake.console.shows("tapwalker: firmware confirmed: running ota_1: tapwalker 1.0, confirmed"))
        #expect(fake.console.shows("firmware: running ota_1: tapwalker 1.0, confirmed"))
    }

    @Test func aServiceThatDidNotStartLeavesItUnconfirmed() {
        let fake = FakeBoardSupport()
        // FTP without a login is refused (it would let anyone write).
        fake.file("/tapwalker.conf", "[services]\nftp = 2121\n")
        fake.console.type("", when: { fake.console.shows("firmware not confirmed") })
        let slots = runPending(fake) { true }
        #expect(slots.pending)
        #expect(fake.console.shows("tapwalker: firmware not confirmed (ftp did not start): the next reset returns to the previous firmware"))
    }
}
