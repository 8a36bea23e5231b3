import Glibc
import Testing
import TapWalkerCore
@testable import TapWalkerDevice

/// Feeds `image` in pieces of `chunk` bytes; returns the info or the first error's message.
private func check(_ image: [UInt8], chip: ESP32Chip = .c3, capacity: Int = 1 << 20, chunk: Int = 4096) -> (AppImageInfo?, String, Int) {
    var checker = AppImageCheck(chip: chip, capacity: capacity)
    do throws(TapWalkerError) {
        var i = 0
        while i < image.count {
            let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: min(chunk, image.count - i), alignment: 1)
            defer { piece.deallocate() }
            piece.copyBytes(from: image[i..<(i + piece.count)])
            try checker.take(UnsafeRawBufferPointer(piece))
            i += chunk
        }
        return (try checker.finish(), "", checker.bytes)
    } catch {
        return (nil, error.message, checker.bytes)
    }
}

@Suite struct AppImageCheckTests {
    @Test func aWholeImagePassesInAnyPieces() {
        let image = AppImageBuilder().build()
        #expect(image.count % 16 == 0)
        for chunk in [1, 7, 64, 4096, image.count] {
            let (info, error, _) = check(image, chunk: chunk)
            #expect(error == "", "chunk \(chunk)")
            #expect(info?.version == "2.0.1")
            #expect(info?.projectName == "tapwalker")
            #expect(info?.idfVersion == "v5.5.1")
            #expect(info?.segments == 3)
            #expect(info?.bytes == image.count)
        }
    }

    @Test func aWrongMagicIsRefusedAtTheFirstByte() {
        var image = AppImageBuilder().build()
        image[0] = 0x50  // "PK": a zip, say
        let (info, error, seen) = check(image, chunk: 1)
        #expect(info == nil)
        #expect(seen == 0)
        #expect(error.contains("not an ESP-IDF app image"))
    }

    @Test func anImageForAnotherChipIsRefusedByItsHeader() {
        let image = AppImageBuilder(chipID: ESP32Chip.c6.imageChipID).build()
        let (_, error, seen) = check(image, chip: .c3, chunk: 1)
        #expect(error == "the image is built for an esp32c6, but this device is an esp32c3 (chip id 5)")
        #expect(seen < AppImageFormat.headerBytes)
        let (_, unknown, _) = check(AppImageBuilder(chipID: 0).build())
        #expect(unknown.contains("built for chip id 0"))
        #expect(check(AppImageBuilder(chipID: 18).build(), chip: .p4).1 == "")
    }

    @Test func segmentCountsOutsideOneToSixteenAreRefused() {
        #expect(check(AppImageBuilder(segmentCount: 0).build()).1.contains("says 0 segments"))
        #expect(check(AppImageBuilder(segmentCount: 17).build()).1.contains("says 17 segments"))
    }

    @Test func anImageWithoutItsHashIsRefused() {
        #expect(check(AppImageBuilder(hashAppended: 0).build()).1.contains("no SHA-256 appended"))
    }

    @Test func aDamagedAppendedHashIsRefusedAtTheEnd() {
        var image = AppImageBuilder().build()
        image[image.count - 1] ^= 0x01
        let (info, error, seen) = check(image)
        #expect(info == nil)
        #expect(error.contains("appended SHA-256 does not match"))
        #expect(seen == image.count - 32)
    }

    @Test func aChangedDataByteFailsTheChecksumOrTheHash() {
        var image = AppImageBuilder().build()
        image[5000] ^= 0x40
        #expect(check(image).1.contains("checksum"))
        // Two changes that cancel in the XOR checksum: only the SHA-256 sees them.
        var swapped = AppImageBuilder().build()
        swapped[4500] ^= 0x10
        swapped[4501] ^= 0x10
        #expect(check(swapped).1.contains("SHA-256 does not match"))
    }

    @Test func aCutImageEndsEarly() {
        let image = AppImageBuilder().build()
        let (_, error, _) = check(Array(image.prefix(3000)))
        #expect(error.contains("ends early, after 3000 bytes (in segment 1 of 3)"))
        #expect(check(Array(image.dropLast(10))).1.contains("in its appended SHA-256"))
    }

    @Test func anImageLargerThanTheSlotIsRefusedAsItPassesIt() {
        // Segments that fit, and the checksum and hash that take it past the slot.
        let image = AppImageBuilder(segmentLengths: [5952, 5968]).build()
        #expect(image.count == 12_000)
        let (_, error, seen) = check(image, capacity: 11_990, chunk: 1000)
        #expect(error.contains("larger than the OTA slot (11990 bytes)"))
        #expect(seen <= 11_990)
        #expect(check(image, capacity: 12_000).1 == "")
        // A segment header that claims more than the slot holds fails at once.
        #expect(check(AppImageBuilder(segmentLengths: [4096, 40_000]).build(), capacity: 20_000).1.contains("segment 2 claims 40000 bytes"))
    }

    @Test func bytesAfterTheEndAreRefused() {
        #expect(check(AppImageBuilder().build() + [0]).1.contains("follow the end of the image"))
    }

    @Test func unalignedSegmentsAndMissingDescriptionsAreRefused() {
        #expect(check(AppImageBuilder(segmentLengths: [4096, 1001]).build()).1.contains("not a multiple of 4"))
        #expect(check(AppImageBuilder(descriptionMagic: 0).build()).1.contains("application description"))
        #expect(check(AppImageBuilder(segmentLengths: [128]).build()).1.contains("too short for the application description"))
    }

    /// With TAPWALKER_APP_IMAGE naming an image built by ESP-IDF for the ESP32-C3 (the emulated
    /// chip's build writes build/tapwalker.bin), it passes the same check. Skipped without.
    @Test(.enabled(if: getenv("TAPWALKER_APP_IMAGE") != nil))
    func aRealESPIDFImagePasses() throws {
        let path = String(cString: getenv("TAPWALKER_APP_IMAGE")!)
        guard let f = fopen(path, "rb") else { Issue.record("cannot open \(path)"); return }
        defer { fclose(f) }
        var image: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n == 0 { break }
            image += buffer[0..<n]
        }
        let (info, error, _) = check(image, capacity: 0x150000)
        #expect(error == "")
        #expect(info?.projectName == "tapwalker")
        print("real image: \(info?.summary ?? error), IDF \(info?.idfVersion ?? "")")
    }
}
