import TapWalkerCore

/// Board support: the two OTA slots of the device's own flash and the boot choice between them
/// (ESP-IDF's app update API on the chip; files on the virtual ESP32). docs/firmware-update.md.
public protocol FirmwareSlots: AnyObject {
    /// The chip images must be built for.
    var chip: ESP32Chip { get }
    /// The slot running now and what it holds.
    func running() -> FirmwareSlotState
    /// The size of the slot an update would be written to (the one not running).
    var updateCapacity: Int { get }
    /// Opens the slot that is not running, for an image of `bytes` (nil: not known in advance),
    /// erasing it. Nothing about the boot changes until the writer's `finishAndSelect()`.
    func beginUpdate(bytes: Int?) throws(TapWalkerError) -> any FirmwareSlotWriter
    /// The running image has come up: cancel the rollback (esp_ota_mark_app_valid_cancel_rollback).
    /// Returns whether it was waiting to be confirmed.
    func markValid() throws(TapWalkerError) -> Bool
}

/// An inactive slot being written.
public protocol FirmwareSlotWriter: AnyObject {
    /// The slot's name ("ota_1").
    var slot: String { get }
    /// The most an image may take in it.
    var capacity: Int { get }
    func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError)
    /// Ends the write, lets the platform check the image once more, and makes the slot the one
    /// booted next, to be confirmed by the new firmware (app rollback).
    func finishAndSelect() throws(TapWalkerError)
    /// Gives up: the slot's contents are undefined, the boot choice is untouched.
    func abandon()
}

/// The running slot as the console's `status` and GET /api/firmware show it.
public struct FirmwareSlotState: Sendable {
    public var slot: String
    /// The running image's version and project (its application description).
    public var version: String
    public var projectName: String
    /// True while the image has not yet confirmed it came up: a reset now rolls back.
    public var pendingVerify: Bool
    /// The slot the next boot takes, when it is not the running one (an update waits for a restart).
    public var nextBoot: String?

    public init(slot: String, version: String, projectName: String, pendingVerify: Bool, nextBoot: String?) {
        self.slot = slot
        self.version = version
        self.projectName = projectName
        self.pendingVerify = pendingVerify
        self.nextBoot = nextBoot
    }

    /// "running ota_1: tapwalker 2.1, confirmed".
    public var summary: String {
        var text = "running \(slot): \(projectName) \(version), " + (pendingVerify ? "not yet confirmed (a reset now rolls back)" : "confirmed")
        if let nextBoot { text += "; the next boot starts \(nextBoot)" }
        return text
    }
}
