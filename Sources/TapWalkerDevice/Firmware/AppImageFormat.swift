import TapWalkerCore

/// The layout of an ESP-IDF application image, as the second-stage bootloader reads it from an
/// OTA slot: docs/firmware-update.md, "The image", says where each fact comes from.
enum AppImageFormat {
    /// `esp_image_header_t.magic`.
    static let magic: UInt8 = 0xE9
    /// The image header, its extended part included.
    static let headerBytes = 24
    /// Offsets in the header (all fields little-endian).
    static let segmentCountOffset = 1
    static let chipIDOffset = 12
    static let hashAppendedOffset = 23
    /// The bootloader refuses more segments than this.
    static let maximumSegments = 16
    /// `esp_image_segment_header_t`: load address, then data length.
    static let segmentHeaderBytes = 8
    /// The bootloader refuses a segment whose length is not a multiple of 4.
    static let segmentAlignment = 4
    /// The checksum byte ends the image at a multiple of 16 bytes; seeded with this.
    static let checksumSeed: UInt8 = 0xEF
    static let checksumAlignment = 16
    /// The SHA-256 of everything before it, appended when the header's hash flag is 1.
    static let hashBytes = 32

    /// `esp_app_desc_t`, first in the first segment's data.
    static let descriptionBytes = 256
    static let descriptionMagic: UInt32 = 0xABCD5432
    static let versionOffset = 16
    static let projectNameOffset = 48
    static let idfVersionOffset = 112
    /// version, project name and IDF version are each a 32-byte field, zero-terminated.
    static let textFieldBytes = 32

    static func little16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }

    static func little32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    /// A zero-terminated text field, printable.
    static func text(_ b: [UInt8], _ at: Int) -> String {
        let field = b[at..<(at + textFieldBytes)]
        return ASCII.printable(Array(field.prefix(while: { $0 != 0 })))
    }
}

/// What an image says about itself (its `esp_app_desc_t`) and what it was checked to be.
public struct AppImageInfo: Sendable {
    public var chip: ESP32Chip
    /// The whole image, the appended hash included.
    public var bytes: Int
    public var segments: Int
    public var version: String
    public var projectName: String
    public var idfVersion: String

    public init(chip: ESP32Chip, bytes: Int, segments: Int, version: String, projectName: String, idfVersion: String) {
        self.chip = chip
        self.bytes = bytes
        self.segments = segments
        self.version = version
        self.projectName = projectName
        self.idfVersion = idfVersion
    }

    /// "tapwalker 2.1 for esp32c3, 1087024 bytes".
    public var summary: String { "\(projectName) \(version) for \(chip.name), \(bytes) bytes" }
}
