import TapWalkerCore

/// Checks an ESP-IDF application image as its bytes arrive, as the bootloader would before it
/// runs it (docs/firmware-update.md): the header's magic, a sane segment count, the chip it was
/// built for, the hash flag, every segment's length, the application description, the XOR
/// checksum, the appended SHA-256 over the whole image, and its size against the OTA slot.
/// Whatever can be seen early fails early (the magic on the first byte, the chip and the
/// description within the first 288 bytes, the size the moment it passes the slot); the checksum
/// and the hash only at the end, so nothing may be switched before `finish()` has returned.
/// Holds at most one 256-byte piece and the hash state, whatever the image's size.
public struct AppImageCheck {
    public let chip: ESP32Chip
    /// The OTA slot's size: an image that would not fit is refused.
    public let capacity: Int

    private enum Phase {
        case header
        case segmentHeader(index: Int)
        case segmentData(index: Int, remaining: Int)
        /// Padding, then the checksum byte as the last of `remaining`.
        case checksum(remaining: Int)
        case hash
        case done
    }

    private var phase = Phase.header
    /// The bytes of the fixed-size piece being collected (a header, the description, the hash).
    private var piece: [UInt8] = []
    private var segmentCount = 0
    private var xor = AppImageFormat.checksumSeed
    private var sha = SHA256()
    /// The application description, once the first segment's first 256 bytes have arrived.
    public private(set) var info: AppImageInfo?
    /// Bytes taken so far.
    public private(set) var bytes = 0

    public init(chip: ESP32Chip, capacity: Int) {
        self.chip = chip
        self.capacity = capacity
    }

    /// Whether the header and the application description have passed (what is checked before
    /// anything is written to a slot).
    public var describedImage: Bool { info != nil }

    /// Takes the next bytes; throws at the first problem they show.
    public mutating func take(_ data: UnsafeRawBufferPointer) throws(TapWalkerError) {
        if bytes + data.count > capacity {
            throw TapWalkerError(.data, "the image is larger than the OTA slot (\(capacity) bytes)")
        }
        var i = 0
        while i < data.count {
            let n = try step(UnsafeRawBufferPointer(rebasing: data[i...]))
            i += n
            bytes += n
        }
    }

    /// The end of the upload: the image must be complete and its checksum and SHA-256 right.
    public mutating func finish() throws(TapWalkerError) -> AppImageInfo {
        guard case .done = phase, var info else {
            throw TapWalkerError(.data, "the image ends early, after \(bytes) bytes (\(expected))")
        }
        info.bytes = bytes
        return info
    }

    /// What the image still lacked where it ended.
    private var expected: String {
        switch phase {
        case .header: return "in its 24-byte header"
        case .segmentHeader(let i), .segmentData(let i, _): return "in segment \(i + 1) of \(segmentCount)"
        case .checksum: return "before its checksum"
        case .hash: return "in its appended SHA-256"
        case .done: return "complete"
        }
    }

    /// Consumes some of `data` (at least one byte) in the current phase; returns how many.
    private mutating func step(_ data: UnsafeRawBufferPointer) throws(TapWalkerError) -> Int {
        switch phase {
        case .header:
            if bytes == 0 && data[0] != AppImageFormat.magic {
                throw TapWalkerError(.data, "not an ESP-IDF app image: it starts with \(ASCII.hex(data[0])), not the image magic 0xe9")
            }
            guard let header = collect(data, AppImageFormat.headerBytes) else { return data.count }
            try checkHeader(header.bytes)
            sha.update(header.bytes)
            phase = .segmentHeader(index: 0)
            return header.used
        case .segmentHeader(let index):
            guard let header = collect(data, AppImageFormat.segmentHeaderBytes) else { return data.count }
            let length = Int(AppImageFormat.little32(header.bytes, 4))
            guard length % AppImageFormat.segmentAlignment == 0 else {
                throw TapWalkerError(.data, "segment \(index + 1) has a length of \(length) bytes, not a multiple of 4 (the bootloader refuses it)")
            }
            guard length <= capacity - bytes else {
                throw TapWalkerError(.data, "segment \(index + 1) claims \(length) bytes, more than the OTA slot (\(capacity) bytes) holds")
            }
            if index == 0 && length < AppImageFormat.descriptionBytes {
                throw TapWalkerError(.data, "not an ESP-IDF application: its first segment is too short for the application description")
            }
            sha.update(header.bytes)
            phase = length > 0 ? .segmentData(index: index, remaining: length) : next(after: index, at: bytes + header.used)
            return header.used
        case .segmentData(let index, let remaining):
            let n = min(remaining, data.count)
            let part = UnsafeRawBufferPointer(rebasing: data[0..<n])
            for b in part { xor ^= b }
            sha.update(Array(part))
            if index == 0 && info == nil { try describe(part) }
            phase = n == remaining ? next(after: index, at: bytes + n) : .segmentData(index: index, remaining: remaining - n)
            return n
        case .checksum(let remaining):
            let n = min(remaining, data.count)
            sha.update(Array(UnsafeRawBufferPointer(rebasing: data[0..<n])))
            if n == remaining {
                guard data[n - 1] == xor else {
                    throw TapWalkerError(.data, "the image's checksum is \(ASCII.hex(data[n - 1])) but its segments give \(ASCII.hex(xor)): the image is damaged")
                }
                phase = .hash
            } else {
                phase = .checksum(remaining: remaining - n)
            }
            return n
        case .hash:
            guard let given = collect(data, AppImageFormat.hashBytes) else { return data.count }
            guard given.bytes == sha.finish() else {
                throw TapWalkerError(.data, "the image's appended SHA-256 does not match its contents: the image is damaged or was cut and joined")
            }
            phase = .done
            return given.used
        case .done:
            throw TapWalkerError(.data, "\(data.count) bytes or more follow the end of the image (its appended SHA-256)")
        }
    }

    /// Collects a fixed-size piece across calls: nil until it is complete, then the piece and
    /// how many of `data`'s bytes it took.
    private mutating func collect(_ data: UnsafeRawBufferPointer, _ count: Int) -> (bytes: [UInt8], used: Int)? {
        let n = min(count - piece.count, data.count)
        piece += UnsafeRawBufferPointer(rebasing: data[0..<n])
        guard piece.count == count else { return nil }
        let done = piece
        piece.removeAll(keepingCapacity: true)
        return (done, n)
    }

    private mutating func checkHeader(_ h: [UInt8]) throws(TapWalkerError) {
        segmentCount = Int(h[AppImageFormat.segmentCountOffset])
        guard (1...AppImageFormat.maximumSegments).contains(segmentCount) else {
            throw TapWalkerError(.data, "the image header says \(segmentCount) segments; an app image has 1 to \(AppImageFormat.maximumSegments)")
        }
        let id = AppImageFormat.little16(h, AppImageFormat.chipIDOffset)
        guard id == chip.imageChipID else {
            let other = ESP32Chip.withImageChipID(id).map { "an \($0.name)" } ?? "chip id \(id)"
            throw TapWalkerError(.data, "the image is built for \(other), but this device is an \(chip.name) (chip id \(chip.imageChipID))")
        }
        guard h[AppImageFormat.hashAppendedOffset] == 1 else {
            throw TapWalkerError(.data, "the image has no SHA-256 appended (hash flag \(h[AppImageFormat.hashAppendedOffset])), so its integrity cannot be checked; build it with ESP-IDF's default (hash appended)")
        }
    }

    /// Collects the first segment's first 256 bytes: the application description.
    private mutating func describe(_ part: UnsafeRawBufferPointer) throws(TapWalkerError) {
        guard let d = collect(part, AppImageFormat.descriptionBytes) else { return }
        guard AppImageFormat.little32(d.bytes, 0) == AppImageFormat.descriptionMagic else {
            throw TapWalkerError(.data, "not an ESP-IDF application: its first segment does not start with the application description (magic 0xabcd5432)")
        }
        info = AppImageInfo(chip: chip, bytes: 0, segments: segmentCount,
                            version: AppImageFormat.text(d.bytes, AppImageFormat.versionOffset),
                            projectName: AppImageFormat.text(d.bytes, AppImageFormat.projectNameOffset),
                            idfVersion: AppImageFormat.text(d.bytes, AppImageFormat.idfVersionOffset))
    }

    /// After segment `index`: the next segment's header, or the checksum (with the padding that
    /// ends the image at a multiple of 16 bytes, the checksum byte included).
    /// `position`: the image's bytes up to the end of that segment.
    private func next(after index: Int, at position: Int) -> Phase {
        if index + 1 < segmentCount { return .segmentHeader(index: index + 1) }
        let align = AppImageFormat.checksumAlignment
        return .checksum(remaining: (position + 1 + align - 1) / align * align - position)
    }
}
