import TapWalkerCore
import TapWalkerServices

/// One firmware update: the image streamed from `source` through `AppImageCheck` into the slot
/// that is not running, and the boot switched to it only when the whole image passed. It holds
/// the board's job lock throughout, so it never runs beside a board job or another update, and
/// after success it keeps holding it until the restart. docs/firmware-update.md.
public struct FirmwareUpdate {
    public enum Outcome {
        /// Another job or update holds the board (or the lock): nothing was read.
        case busy(holder: String)
        /// The image was refused (or a slot could not be written): the boot choice and the
        /// running firmware are unchanged.
        case refused(TapWalkerError)
        /// The upload could not be read to its end (cut off, over a limit, too slow): unchanged too.
        case inputFailed(TapWalkerError)
        /// Written, checked and selected: the next boot runs it.
        case installed(AppImageInfo, slot: String)
    }

    public static let chunkBytes = 4096

    let slots: any FirmwareSlots
    let lock: JobLock

    public init(slots: any FirmwareSlots, lock: JobLock) {
        self.slots = slots
        self.lock = lock
    }

    /// Runs it; `progress(bytes, total)` after each chunk.
    public func run(_ source: any ByteSource, holder: String, progress: (Int, Int?) -> Void) -> Outcome {
        if let current = lock.tryAcquire("\(holder) updating the firmware") { return .busy(holder: current) }
        let outcome = stream(source, progress: progress)
        // After success the board stays held until the restart: nothing else starts in between.
        if case .installed = outcome { return outcome }
        lock.release()
        return outcome
    }

    /// "nothing was switched: …": what a refusal left as it was.
    public func unchanged() -> String {
        let s = slots.running()
        return "nothing was switched: the device runs \(s.slot) (\(s.projectName) \(s.version)) and boots it next"
    }

    private func stream(_ source: any ByteSource, progress: (Int, Int?) -> Void) -> Outcome {
        // As esp_ota_begin with app rollback: while the running image is unconfirmed the other
        // slot is the way back, so it is not overwritten.
        if slots.running().pendingVerify {
            return .refused(TapWalkerError(.device, "the running firmware has not confirmed itself (a service did not start), and the other slot holds the previous one: reset to return to it, then update; \(unchanged())"))
        }
        let capacity = slots.updateCapacity
        if let total = source.totalBytes, total > capacity {
            return .refused(TapWalkerError(.data, "the image (\(total) bytes) is larger than the OTA slot (\(capacity) bytes); \(unchanged())"))
        }
        var check = AppImageCheck(chip: slots.chip, capacity: capacity)
        var writer: (any FirmwareSlotWriter)? = nil
        // The bytes that arrive before the header and the description have passed: the slot is
        // not even erased for an upload that is not an image for this device.
        var held: [UInt8] = []
        var readFailed = false
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FirmwareUpdate.chunkBytes, alignment: 4)
        defer { buffer.deallocate() }
        do throws(TapWalkerError) {
            while true {
                let n: Int
                do throws(TapWalkerError) { n = try source.read(into: buffer) } catch { readFailed = true; throw error }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                if n == 0 { break }
                try check.take(chunk)
                if let writer {
                    try writer.write(chunk)
                } else if check.describedImage {
                    let opened = try slots.beginUpdate(bytes: source.totalBytes)
                    writer = opened
                    held += chunk
                    let first = UnsafeMutableRawBufferPointer.allocate(byteCount: held.count, alignment: 4)
                    defer { first.deallocate() }
                    first.copyBytes(from: held)
                    held = []
                    try opened.write(UnsafeRawBufferPointer(first))
                } else {
                    held += chunk
                }
                progress(check.bytes, source.totalBytes)
            }
            let info = try check.finish()
            guard let writer else { throw TapWalkerError(.data, "the image ends before its description") }
            try writer.finishAndSelect()
            return .installed(info, slot: writer.slot)
        } catch {
            writer?.abandon()
            let failure = error.rephrased("\(error.message); \(unchanged())")
            return readFailed ? .inputFailed(failure) : .refused(failure)
        }
    }
}
