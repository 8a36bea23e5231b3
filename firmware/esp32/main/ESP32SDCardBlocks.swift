import TapWalkerCore
import TapWalkerDevice
import TapWalkerFAT

/// SDCardBlocks over the card bsp_sdcard.c initialised (sdspi + sdmmc): raw 512-byte sectors,
/// under the card's FAT file system, which TapWalkerFAT reads from them (`FATCard`, docs/fat.md).
final class ESP32SDCardBlocks: SDCardBlocks {
    let blockBytes = 512

    /// The card in the board's slot (menuconfig "TapWalker") as the board support takes it: its
    /// blocks for raw writes, and its FAT file system for /sd, which the application mounts (both
    /// nil: the board has no slot). Initialised once, here, before the SPI master for JTAG is set
    /// up (tapwalker_bsp.h says why); nothing is mounted, so a card without FAT is still a card.
    /// A slot without a usable card says why through `say` now, and at /sd and SITE MOUNT later:
    /// no card answering is told apart from a card that failed.
    static func startSlot(say: (String) -> Void) -> (blocks: ESP32SDCardBlocks?, files: FATCard?) {
        var pins = tapwalker_sdcard_pins_t()
        guard tapwalker_sdcard_slot(&pins) else { return (nil, nil) }
        let code = tapwalker_sdcard_init(&pins)
        if code == ESP_OK {
            let card = ESP32SDCardBlocks()
            return (card, FATCard(mutex: PThreadMutex()) { () throws(TapWalkerError) -> any SDCardBlocks in card })
        }
        // An empty slot answers nothing: the first command times out (tapwalker_bsp.h).
        let problem = code == ESP_ERR_TIMEOUT
            ? TapWalkerError(.input, "no SD card answered in the slot when the device started (none inserted?): \(ESP32Error.name(code))")
            : TapWalkerError(.device, "the SD card in the slot could not be initialised: \(ESP32Error.name(code)); take it out and in, then restart the device")
        say(problem.message)
        return (nil, FATCard(mutex: PThreadMutex()) { () throws(TapWalkerError) -> any SDCardBlocks in throw problem })
    }

    private init() {}

    func blockCount() throws(TapWalkerError) -> Int {
        let sectors = tapwalker_sdcard_sectors()
        guard sectors > 0 else { throw TapWalkerError(.device, "no SD card was initialised") }
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
