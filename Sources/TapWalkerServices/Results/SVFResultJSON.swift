import TapWalkerCore

extension JSONObject {
    /// An SVF play: the stable keys it has (`file`, the FPGA afterwards when it is an ECP5,
    /// `sram_touched` true once any statement was clocked, since an SVF may configure anything)
    /// and an `svf` object with how far it got.
    public mutating func add(_ svf: SVFPlayResult) {
        add(idcode: svf.idcode, part: svf.part)
        add(status: svf.status)
        if let usercode = svf.usercode { self["usercode"] = .hex(usercode) }
        self["file"] = .string(svf.input)
        self["sram_touched"] = .bool(svf.report.boardTouched)
        var o = JSONObject()
        o["statements"] = .int(svf.report.statements)
        o["tdo_checks"] = .int(svf.report.checkedScans)
        o["bits_shifted"] = .uint(svf.report.bitsShifted)
        o["tck_cycles"] = .uint(svf.report.tckCycles)
        o["line"] = svf.report.boardTouched ? .int(svf.report.line) : .null
        o["checked_before_start"] = .bool(svf.checkedBeforeStart)
        o["board_touched"] = .bool(svf.report.boardTouched)
        self["svf"] = .object(o)
    }
}
