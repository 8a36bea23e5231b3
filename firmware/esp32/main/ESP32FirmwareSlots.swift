import TapWalkerCore
import TapWalkerDevice

/// The chip's two OTA app slots (bsp_ota.c over ESP-IDF's esp_ota_* with app rollback): the
/// firmware-update seam of the board support. The image is checked by the application as it
/// streams (AppImageCheck) before a slot is opened; esp_ota_end checks the slot once more.
/// docs/firmware-update.md.
final class ESP32FirmwareSlots: FirmwareSlots {
    let chip: ESP32Chip

    /// nil when this firmware was not built for a chip TapWalker knows, or the partition table
    /// has no second app slot (the device then offers no updates).
    init?() {
        guard let running = ESP32Chip.running else { return nil }
        chip = running
        guard updateCapacity > 0 else { return nil }
    }

    var updateCapacity: Int { Int(ESP32FirmwareSlots.state().update_capacity) }

    func running() -> FirmwareSlotState {
        var s = ESP32FirmwareSlots.state()
        let next = ESP32FirmwareSlots.text(&s.next_boot)
        return FirmwareSlotState(slot: ESP32FirmwareSlots.text(&s.slot), version: ESP32FirmwareSlots.text(&s.version),
                                 projectName: ESP32FirmwareSlots.text(&s.project), pendingVerify: s.pending_verify,
                                 nextBoot: next.isEmpty ? nil : next)
    }

    /// The slot an update went to that never confirmed itself, so the bootloader returned to this
    /// one (until the next update writes that slot again); nil when there is none.
    var rolledBack: String? {
        var s = ESP32FirmwareSlots.state()
        let label = ESP32FirmwareSlots.text(&s.rolled_back)
        return label.isEmpty ? nil : label
    }

    func beginUpdate(bytes: Int?) throws(TapWalkerError) -> any FirmwareSlotWriter {
        var label = tapwalker_ota_state_t().slot
        let err = withUnsafeMutableBytes(of: &label) { tapwalker_ota_begin(bytes ?? 0, $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        try ESP32Error.check(err, "opening the OTA slot")
        return Writer(slot: ESP32FirmwareSlots.text(&label), capacity: updateCapacity)
    }

    func markValid() throws(TapWalkerError) -> Bool {
        var wasPending = false
        try ESP32Error.check(tapwalker_ota_mark_valid(&wasPending), "confirming the firmware")
        return wasPending
    }

    static func state() -> tapwalker_ota_state_t {
        var s = tapwalker_ota_state_t()
        tapwalker_ota_state(&s)
        return s
    }

    /// A fixed C char array (imported as a tuple) up to its NUL.
    static func text<T>(_ field: inout T) -> String {
        withUnsafeBytes(of: &field) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }

    final class Writer: FirmwareSlotWriter {
        let slot: String
        let capacity: Int

        init(slot: String, capacity: Int) {
            self.slot = slot
            self.capacity = capacity
        }

        func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
            try ESP32Error.check(tapwalker_ota_write(bytes.baseAddress, bytes.count), "writing \(slot)")
        }

        func finishAndSelect() throws(TapWalkerError) {
            try ESP32Error.check(tapwalker_ota_finish_and_select(), "checking \(slot) and switching the boot to it")
        }

        func abandon() { tapwalker_ota_abandon() }
    }
}
