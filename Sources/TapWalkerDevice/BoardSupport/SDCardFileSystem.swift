import TapWalkerCore

/// Board support: the SD card's FAT file system, mounted and released on request (SITE MOUNT and
/// UMOUNT, and around a raw `sd@ADDR` write, which must not run under a mounted file system). On
/// the chip, ESP-IDF's FATFS through its VFS at /sdcard (POSIX calls); on the virtual ESP32, the
/// FAT volume inside the card's image (TapWalkerFAT), so both see the same bytes the raw writes
/// change.
public protocol SDCardFileSystem: AnyObject {
    /// Mounts the card's file system and returns it (paths inside it are "/", "/blink.bit").
    /// Throws, saying which, when no card is inserted or the card holds no FAT file system.
    func mount() throws(TapWalkerError) -> any DeviceFileSystem
    /// Writes back what is held and releases the card; files still open fail from then on.
    func unmount() throws(TapWalkerError)
}
