/// How a flash job reaches the flash and what it leaves behind.
public struct FlashJobOptions: Sendable {
    /// Reach the flash without clearing the running design (works only if that design enables the
    /// master SPI port). The design keeps running, so the job does not reload the FPGA either.
    public var keepRunning = false
    /// Leave the FPGA unconfigured at the end instead of reloading it from flash.
    public var noReload = false
    /// Write an image at address 0 that is not a complete bitstream for the board's part.
    public var force = false
    /// Read back and compare what was written.
    public var verify = true
    /// Write the image over the primary image the flash boots (at 0, or where the JUMP at 0
    /// points), never over the golden image or the jump table unless `force`.
    public var primaryOnly = false

    public init(keepRunning: Bool = false, noReload: Bool = false, force: Bool = false, verify: Bool = true) {
        self.keepRunning = keepRunning
        self.noReload = noReload
        self.force = force
        self.verify = verify
    }

    /// Whether the job ends with LSC_REFRESH: always, on every exit path, unless the design was kept
    /// running or the user asked for no reload.
    public var reloads: Bool { !keepRunning && !noReload }
}
