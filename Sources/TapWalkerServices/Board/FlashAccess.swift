import TapWalkerCore

/// What every flash job reports about the board around it: the FPGA, the flash chip, whether the
/// running design was stopped to reach the flash, and how the FPGA came back at the end.
public struct FlashAccess: Sendable {
    public var idcode: UInt32?
    public var part: Part?
    public var chip: FlashChip?
    public var jedecID: UInt32?
    /// The SRAM was cleared to reach the flash (the running design stopped).
    public var sramCleared = false
    /// The FPGA after the closing LSC_REFRESH; nil when the job did not reload.
    public var reload: FlashSession.Reload?
    /// The FPGA's status register at the end of the job.
    public var status: StatusRegister?
    /// The cold boot the flash would give at the end of the job (nil: the job did not check).
    public var boot: ColdBootOutcome?

    public init() {}

    /// DONE at the end of the job.
    public var done: Bool? { status.map { $0.configured } }

    /// "FPGA reloaded from flash: DONE", or why it did not come up.
    public var reloadLine: String? {
        guard let reload else { return nil }
        return reload.done ? "FPGA reloaded from flash: DONE" : "FPGA reloaded from flash: not DONE; \(reload.explanation ?? "")"
    }
}
