import TapWalkerCore

/// What playing an SVF file did, whether it worked or not: how far it got, whether the board was
/// touched at all, the TCK cycles the statements took, and the FPGA afterwards when it is an ECP5.
public struct SVFPlayResult: Sendable {
    /// 32 Mbit per vector on a host: a whole 85F bitstream in one SDR (as Diamond writes it) fits,
    /// at most about 4 MB for each of TDI, TDO and MASK (docs/svf.md §7).
    public static let hostMaxVectorBits = 1 << 25

    public var input = ""
    public var report = SVFPlayer.Report()
    /// True when every statement was read and checked before the first TCK.
    public var checkedBeforeStart = false
    public var idcode: UInt32?
    public var part: Part?
    public var status: StatusRegister?
    public var usercode: UInt32?
    public var microseconds: UInt64 = 0
    public var failure: TapWalkerError?

    public init() {}

    /// "svf: 1196 statements, 3 TDO checks passed, 4712354 TCK in 1.2 s": the line every front end
    /// shows for a file played to the end.
    public var summary: String {
        "svf: \(report.statements) statements, \(report.checkedScans) TDO checks passed, \(report.tckCycles) TCK in \(BoardText.seconds(microseconds))"
    }

    /// The FPGA after the play, when it is an ECP5: "LFE5U-85F: DONE (status 0x…)".
    public var fpgaLine: String? {
        guard let status else { return nil }
        return "\(part?.name ?? "ECP5"): \(status.configured ? "DONE" : "not DONE") (status \(ASCII.hex(status.raw)), \(status.summary))"
    }
}
