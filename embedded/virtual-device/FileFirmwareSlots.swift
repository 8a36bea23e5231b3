import TapWalkerCore
import TapWalkerDevice

/// The virtual ESP32's OTA slots: `ota_0.bin` and `ota_1.bin` in its directory, and `otadata`,
/// one line "ota_N STATE" naming the slot to boot and its rollback state (new, pending, valid),
/// as ESP-IDF's bootloader keeps them with app rollback on (docs/firmware-update.md). A
/// directory without `otadata` boots ota_0, and an ota_0 without a file is the virtual ESP32's
/// own build. The files lie in the device's directory, which its file services also serve (as
/// they do the flash image), unlike the chip's partitions; whatever is written there still has
/// to pass the whole image check at each start.
final class FileFirmwareSlots: FirmwareSlots {
    /// The size of each app slot in firmware/esp32/partitions.csv.
    static let slotBytes = 0x160000
    /// The version the virtual ESP32's own build reports when no image was installed.
    static let builtIn = "virtual build"

    let chip: ESP32Chip
    let directory: String
    let runningIndex: Int
    /// The running image's description; nil for the built-in firmware.
    let image: AppImageInfo?
    private(set) var pending: Bool
    private var bootIndex: Int

    var updateCapacity: Int { FileFirmwareSlots.slotBytes }

    private init(chip: ESP32Chip, directory: String, running: Int, image: AppImageInfo?, pending: Bool) {
        self.chip = chip
        self.directory = directory
        runningIndex = running
        bootIndex = running
        self.image = image
        self.pending = pending
    }

    /// The bootloader's step at reset: the slot otadata names, checked in full; a slot still
    /// pending from the boot before (it never confirmed) is given up for the other one. nil when
    /// neither slot can be booted (the chip's bootloader would stop there too).
    static func boot(directory: String, chip: ESP32Chip, log: (String) -> Void) -> FileFirmwareSlots? {
        guard let (slot, state) = readOtadata(directory) else {
            // No otadata, as after `idf.py flash`: the bootloader starts ota_0.
            guard case .bootable(let image) = content(directory, 0, chip) else {
                log("boot: no otadata, and ota_0 does not hold a valid image")
                return nil
            }
            return FileFirmwareSlots(chip: chip, directory: directory, running: 0, image: image, pending: false)
        }
        let confirmed = ASCII.equal(state, "valid")
        if confirmed || ASCII.equal(state, "new"), case .bootable(let image) = content(directory, slot, chip) {
            if !confirmed {
                writeOtadata(directory, slot, "pending")
                log("boot: ota_\(slot) (\(image?.summary ?? builtIn)) for the first time; it must confirm itself before the next reset")
            }
            return FileFirmwareSlots(chip: chip, directory: directory, running: slot, image: image, pending: !confirmed)
        }
        let other = 1 - slot
        let why = ASCII.equal(state, "pending") ? "never confirmed itself" : "does not hold a valid image"
        guard case .bootable(let image) = content(directory, other, chip) else {
            log("boot: ota_\(slot) \(why), and ota_\(other) does not hold a valid image either")
            return nil
        }
        log("boot: ota_\(slot) \(why); rolled back to ota_\(other)")
        writeOtadata(directory, other, "valid")
        return FileFirmwareSlots(chip: chip, directory: directory, running: other, image: image, pending: false)
    }

    func running() -> FirmwareSlotState {
        FirmwareSlotState(slot: "ota_\(runningIndex)", version: image?.version ?? FileFirmwareSlots.builtIn,
                          projectName: image?.projectName ?? "tapwalker", pendingVerify: pending,
                          nextBoot: bootIndex == runningIndex ? nil : "ota_\(bootIndex)")
    }

    func beginUpdate(bytes: Int?) throws(TapWalkerError) -> any FirmwareSlotWriter {
        // As esp_ota_begin with app rollback: the other slot is the way back while the running
        // image is unconfirmed, so it is not overwritten then.
        guard !pending else {
            throw TapWalkerError(.device, "the running firmware has not confirmed itself yet, and the other slot is the way back to the previous one")
        }
        let index = 1 - runningIndex
        let path = FileFirmwareSlots.slotPath(directory, index)
        let fd = path.withCString { virtual_open_new($0) }
        guard fd >= 0 else { throw TapWalkerError(.device, "cannot open \(path) for the update") }
        return SlotFile(owner: self, index: index, fd: fd)
    }

    func markValid() throws(TapWalkerError) -> Bool {
        guard pending else { return false }
        guard FileFirmwareSlots.writeOtadata(directory, runningIndex, "valid") else {
            throw TapWalkerError(.device, "otadata could not be written: ota_\(runningIndex) stays unconfirmed")
        }
        pending = false
        return true
    }

    fileprivate func select(_ index: Int) throws(TapWalkerError) {
        guard FileFirmwareSlots.writeOtadata(directory, index, "new") else {
            throw TapWalkerError(.device, "otadata could not be written, so the boot was not switched to ota_\(index)")
        }
        bootIndex = index
    }

    /// The slot written by one update, at increasing offsets.
    final class SlotFile: FirmwareSlotWriter {
        let owner: FileFirmwareSlots
        let index: Int
        var fd: Int32
        var offset = 0

        init(owner: FileFirmwareSlots, index: Int, fd: Int32) {
            self.owner = owner
            self.index = index
            self.fd = fd
        }

        var slot: String { "ota_\(index)" }
        var capacity: Int { FileFirmwareSlots.slotBytes }

        func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
            guard offset + bytes.count <= capacity else { throw TapWalkerError(.data, "the image is larger than \(slot)") }
            guard virtual_pwrite_all(fd, bytes.baseAddress, bytes.count, Int64(offset)) == 0 else {
                throw TapWalkerError(.device, "writing \(slot) failed")
            }
            offset += bytes.count
        }

        /// As esp_ota_end: the slot is read back and checked whole before the boot switches.
        func finishAndSelect() throws(TapWalkerError) {
            close()
            guard FileFirmwareSlots.check(owner.directory, index, owner.chip) != nil else {
                throw TapWalkerError(.device, "\(slot) does not read back as the image written")
            }
            try owner.select(index)
        }

        func abandon() { close() }

        private func close() {
            if fd >= 0 { _ = bsd_close(fd) }
            fd = -1
        }
    }

    // MARK: - Files

    static func slotPath(_ directory: String, _ index: Int) -> String { directory + "/ota_\(index).bin" }

    enum SlotContent {
        /// nil: the virtual ESP32's own build, which ota_0 holds until an update replaces it.
        case bootable(AppImageInfo?)
        case invalid
    }

    static func content(_ directory: String, _ index: Int, _ chip: ESP32Chip) -> SlotContent {
        let exists = slotPath(directory, index).withCString { virtual_file_size($0) } >= 0
        if index == 0 && !exists { return .bootable(nil) }
        return check(directory, index, chip).map { .bootable($0) } ?? .invalid
    }

    /// The image in slot `index`, read and checked whole; nil when missing or invalid.
    static func check(_ directory: String, _ index: Int, _ chip: ESP32Chip) -> AppImageInfo? {
        let path = slotPath(directory, index)
        let size = path.withCString { virtual_file_size($0) }
        guard size > 0 else { return nil }
        let fd = path.withCString { virtual_open_image($0, 0) }
        guard fd >= 0 else { return nil }
        defer { _ = bsd_close(fd) }
        var checker = AppImageCheck(chip: chip, capacity: slotBytes)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 4)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        do throws(TapWalkerError) {
            while offset < size {
                let n = Int(min(Int64(buffer.count), size - offset))
                guard virtual_pread_all(fd, buffer.baseAddress, n, offset) == 0 else { return nil }
                try checker.take(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                offset += Int64(n)
            }
            return try checker.finish()
        } catch {
            return nil
        }
    }

    static func readOtadata(_ directory: String) -> (Int, String)? {
        let path = directory + "/otadata"
        let size = path.withCString { virtual_file_size($0) }
        guard size > 0 && size < 64 else { return nil }
        let fd = path.withCString { virtual_open_image($0, 0) }
        guard fd >= 0 else { return nil }
        defer { _ = bsd_close(fd) }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        guard bytes.withUnsafeMutableBytes({ virtual_pread_all(fd, $0.baseAddress, $0.count, 0) }) == 0 else { return nil }
        let words = bytes.split(whereSeparator: { $0 == 0x20 || $0 == 0x0A })
        guard words.count == 2, words[0].count == 5, words[0].starts(with: Array("ota_".utf8)) else { return nil }
        let digit = Int(words[0][words[0].startIndex + 4]) - 0x30
        guard digit == 0 || digit == 1 else { return nil }
        return (digit, String(decoding: words[1], as: UTF8.self))
    }

    /// Replaces otadata whole (a new file renamed over it), so a process that dies mid-write
    /// leaves the old choice, as the two otadata sectors with sequence numbers do on the chip.
    @discardableResult
    static func writeOtadata(_ directory: String, _ index: Int, _ state: String) -> Bool {
        let path = directory + "/otadata"
        let fresh = path + ".new"
        let fd = fresh.withCString { virtual_open_new($0) }
        guard fd >= 0 else { return false }
        let line = Array("ota_\(index) \(state)\n".utf8)
        let written = line.withUnsafeBytes { virtual_pwrite_all(fd, $0.baseAddress, $0.count, 0) }
        _ = bsd_close(fd)
        return written == 0 && fresh.withCString({ from in path.withCString { bsd_rename(from, $0) } }) == 0
    }
}
