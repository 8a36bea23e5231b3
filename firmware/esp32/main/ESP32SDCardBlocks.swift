import TapWalkerCore
import TapWalkerDevice

/// SDCardBlocks over the card bsp_sdcard.c mounted (sdspi + sdmmc): raw 512-byte sectors, next to
/// the FAT file system at TAPWALKER_SDCARD_MOUNT.
final class ESP32SDCardBlocks: SDCardBlocks {
    let blockBytes = 512

    /// Mounts the card in the board's slot (menuconfig "TapWalker"), before the SPI master for
    /// JTAG is set up (tapwalker_bsp.h says why). Nil when the board has no slot; `problem` says
    /// why a card in it could not be mounted.
    static func mountSlot() -> (card: ESP32SDCardBlocks?, problem: String?) {
        var pins = tapwalker_sdcard_pins_t()
        guard tapwalker_sdcard_slot(&pins) else { return (nil, nil) }
        let code = tapwalker_sdcard_mount(&pins)
        guard code == ESP_OK else { return (nil, "no SD card mounted at \(TAPWALKER_SDCARD_MOUNT): \(ESP32Error.name(code))") }
        return (ESP32SDCardBlocks(), nil)
    }

    private init() {}

    func blockCount() throws(TapWalkerError) -> Int {
        let sectors = tapwalker_sdcard_sectors()
        guard sectors > 0 else { throw TapWalkerError(.device, "no SD card mounted") }
        return Int(clamping: sectors)
    }

    func read(block: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        let count = try blocks(block, buffer.count)
        guard count > 0 else { return }
        try ESP32Error.check(tapwalker_sdcard_read(UInt32(block), count, buffer.baseAddress), "SD card read at block \(block)")
    }

    func write(block: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        let count = try blocks(block, bytes.count)
        guard count > 0 else { return }
        try ESP32Error.check(tapwalker_sdcard_write(UInt32(block), count, bytes.baseAddress), "SD card write at block \(block)")
    }

    /// Whole blocks in `bytes`, refusing a range the driver's 32-bit sector numbers cannot hold.
    private func blocks(_ block: Int, _ bytes: Int) throws(TapWalkerError) -> UInt32 {
        let count = bytes / blockBytes
        guard bytes % blockBytes == 0 else {
            throw TapWalkerError(.usage, "SD card transfers are whole \(blockBytes)-byte blocks, not \(bytes) bytes")
        }
        guard block >= 0, UInt64(block) + UInt64(count) <= UInt64(UInt32.max) else {
            throw TapWalkerError(.usage, "SD card block \(block) is out of range")
        }
        return UInt32(count)
    }
}
