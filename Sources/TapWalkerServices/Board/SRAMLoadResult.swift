import TapWalkerCore

/// What an SRAM load did, whether it worked or not: the FPGA, what was sent and how the FPGA ended,
/// whether the whole input was checked before the SRAM was erased, and how long it took.
public struct SRAMLoadResult: Sendable {
    public var idcode: UInt32?
    public var part: Part?
    /// The FPGA's status register at the end.
    public var status: StatusRegister?
    public var usercode: UInt32?
    public var bytesSent = 0
    /// False when the SRAM was left untouched (refused before ISC_ERASE).
    public var sramTouched = false
    /// The input's name ("blink.bit", "/passthru41113043.bit").
    public var input = ""
    /// True when the input was held whole and checked before ISC_ERASE.
    public var checkedBeforeErase = false
    public var microseconds: UInt64 = 0
    public var failure: TapWalkerError?

    public init() {}

    mutating func take(_ report: SRAMProgrammer.Report) {
        idcode = report.idcode ?? idcode
        part = report.part ?? part
        status = report.status
        usercode = report.usercode
        bytesSent = report.bytesSent
        sramTouched = report.sramTouched
        failure = report.failure
    }

    public var done: Bool { failure == nil && (status?.configured ?? false) }

    /// "fpga: 581412 bytes in 0.4 s, DONE (LFE5U-85F, usercode 0x00000000)": the line every front
    /// end shows for a load that worked.
    public var summary: String {
        "fpga: \(bytesSent) bytes in \(BoardText.seconds(microseconds)), DONE"
            + " (\(part?.name ?? "ECP5"), usercode \(ASCII.hex(usercode ?? 0)))"
    }

    /// The one line a line-based front end (an FTP reply, the serial console) gives: the summary,
    /// or the failure prefixed "fpga:" with the status the load left ("(status 0x…: not DONE)").
    public func line() throws(TapWalkerError) -> String {
        guard let failure else { return summary }
        let state = status.map { " (status \(ASCII.hex($0.raw)): \($0.configured ? "DONE" : "not DONE"))" } ?? ""
        throw failure.rephrased("fpga: \(failure.message)\(state)")
    }
}
