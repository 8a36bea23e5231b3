import TapWalkerCore
@testable import TapWalkerDevice

/// Builds ESP-IDF app images from the documented layout (docs/firmware-update.md, "The image"):
/// the 24-byte header, segments with their 8-byte headers (the first starting with the 256-byte
/// application description), padding to 16 bytes with the XOR checksum last, and the SHA-256 of
/// all of that appended. Options break one fact at a time.
struct AppImageBuilder {
    var chipID: UInt16 = ESP32Chip.c3.imageChipID
    var version = "2.0.1"
    var project = "tapwalker"
    var segmentLengths = [4096, 1000, 20]
    var segmentCount: Int? = nil
    var hashAppended: UInt8 = 1
    var descriptionMagic: UInt32 = 0xABCD5432

    func build() -> [UInt8] {
        var image: [UInt8] = [0xE9, UInt8(segmentCount ?? segmentLengths.count), 0x02, 0x20]
        image += le32(0x4038_0000)  // entry address
        image += [0xEE, 0, 0, 0]  // WP pin, SPI pin drive
        image += le16(chipID)
        image += [3] + le16(3) + le16(199) + [0, 0, 0, 0] + [hashAppended]
        var xor: UInt8 = 0xEF
        for (i, length) in segmentLengths.enumerated() {
            image += le32(0x3C00_0000 + UInt32(i) * 0x10000) + le32(UInt32(length))
            var data = [UInt8](repeating: 0, count: length)
            for j in 0..<length { data[j] = UInt8(truncatingIfNeeded: j &* 31 &+ i &* 7) }
            if i == 0 { description(into: &data) }
            for b in data { xor ^= b }
            image += data
        }
        while (image.count + 1) % 16 != 0 { image.append(0) }
        image.append(xor)
        if hashAppended == 1 { image += SHA256.hash(image) }
        return image
    }

    private func description(into data: inout [UInt8]) {
        guard data.count >= 256 else { return }
        for j in 0..<256 { data[j] = 0 }
        data.replaceSubrange(0..<4, with: le32(descriptionMagic))
        func put(_ text: String, at offset: Int) {
            let bytes = Array(text.utf8.prefix(31))
            data.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        }
        put(version, at: 16)
        put(project, at: 48)
        put("v5.5.1", at: 112)
    }

    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
}
