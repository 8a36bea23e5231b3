import TapWalkerCore

/// What `identify` finds: the FPGA's IDCODE and part, its status register and its USERCODE.
/// Reading them changes nothing on the board (a running design keeps running).
public struct BoardIdentity: Sendable {
    public var idcode: UInt32?
    public var part: Part?
    public var status: StatusRegister?
    public var usercode: UInt32?
    public var failure: TapWalkerError?

    public init() {}

    /// The status register decoded, one line per field, and the BSE advice when there is an error.
    public var statusLines: [String] {
        guard let status else { return [] }
        var lines = status.fieldLines
        if let advice = status.bseAdvice { lines.append(advice) }
        return lines
    }
}
