import TapWalkerCore

/// What the console needs from the rest of the firmware to carry out the commands that touch the
/// board or the device. The board service implements it (so a console job takes the same lock
/// and obeys the same rules as an FTP or web job); the tests use a fake. Each method returns
/// the text to show, one or more lines without a final line break.
public protocol ConsoleActions: AnyObject {
    func status() throws(TapWalkerError) -> String
    func program(file: String) throws(TapWalkerError) -> String
    func flash(file: String, address: Int) throws(TapWalkerError) -> String
    func svf(file: String) throws(TapWalkerError) -> String
    func passthru() throws(TapWalkerError) -> String
    /// Which image the FPGA would boot from the flash, or why none (`flash boot-check`).
    func bootCheck() throws(TapWalkerError) -> String
    /// Mounts the SD card's file system (`mount`) or releases the card (`umount`).
    func mountSD() throws(TapWalkerError) -> String
    func unmountSD() throws(TapWalkerError) -> String
    /// wifiman.conf was changed: the roaming should use these networks.
    func networksChanged(_ networks: [WiFiNetwork])
    /// Restarts the device; on the chip it does not return.
    func reboot()
    /// `update URL`: the firmware image into the inactive slot, then a restart into it; `say`
    /// prints progress before the device goes down.
    func update(url: String, say: (String) -> Void) throws(TapWalkerError) -> String
}

extension ConsoleActions {
    public func update(url: String, say: (String) -> Void) throws(TapWalkerError) -> String {
        throw TapWalkerError(.usage, "this device cannot update its firmware over the network")
    }

    public func bootCheck() throws(TapWalkerError) -> String {
        throw TapWalkerError(.usage, "this console has no board to check")
    }

    public func mountSD() throws(TapWalkerError) -> String {
        throw TapWalkerError(.usage, "this device has no SD card slot")
    }

    public func unmountSD() throws(TapWalkerError) -> String {
        throw TapWalkerError(.usage, "this device has no SD card slot")
    }
}
