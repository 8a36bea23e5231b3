/// One SVF statement as the player executes it, with everything the SVF rules leave implicit
/// (sticky TDI and MASK, header and trailer bits, default end states) already resolved by
/// `SVFParser` (docs/svf.md §2–§5).
public enum SVFStatement: Sendable {
    /// SIR (`instruction` true) or SDR: header, body and trailer joined in shift order.
    case scan(SVFScan)
    /// STATE: the TAP states to pass through, one TCK each, the last one stable. A bare
    /// `STATE s;` has just `s` and the player takes its own path there.
    case state(path: [TAPState], explicit: Bool)
    case runTest(SVFRunTest)
    /// FREQUENCY in Hz; nil: back to the cable's own frequency.
    case frequency(UInt32?)
    /// ENDIR, ENDDR, HDR/HIR/TDR/TIR and TRST change only what later statements do (TRST: the
    /// board has no TRST pin, docs/svf.md §6), so the player has nothing to clock for them.
    case setting
}

public struct SVFScan: Sendable {
    public var instruction: Bool
    public var tdi: SVFBits
    /// The bits expected on TDO, nil when the statement checks nothing.
    public var tdo: SVFBits?
    /// Which TDO bits are compared (1: compare).
    public var mask: SVFBits
    /// Where the TAP goes after the scan (ENDIR/ENDDR).
    public var end: TAPState
}

public struct SVFRunTest: Sendable {
    public var runState: TAPState
    public var clocks: UInt64
    public var minimumMicroseconds: UInt64
    public var end: TAPState
}

/// The state names of SVF and which of them a statement may stop in.
public enum SVFStateName {
    static let table: [(name: String, state: TAPState)] = [
        ("RESET", .testLogicReset), ("IDLE", .runTestIdle),
        ("DRSELECT", .selectDR), ("DRCAPTURE", .captureDR), ("DRSHIFT", .shiftDR), ("DREXIT1", .exit1DR),
        ("DRPAUSE", .pauseDR), ("DREXIT2", .exit2DR), ("DRUPDATE", .updateDR),
        ("IRSELECT", .selectIR), ("IRCAPTURE", .captureIR), ("IRSHIFT", .shiftIR), ("IREXIT1", .exit1IR),
        ("IRPAUSE", .pauseIR), ("IREXIT2", .exit2IR), ("IRUPDATE", .updateIR),
    ]

    public static func state(_ word: [UInt8]) -> TAPState? {
        table.first { ASCII.equal(word, $0.name) }?.state
    }

    public static func name(_ state: TAPState) -> String {
        table.first { $0.state == state }?.name ?? "?"
    }

    /// The four states SVF lets a statement end in: the TAP holds them with TMS constant.
    public static func isStable(_ state: TAPState) -> Bool {
        state == .testLogicReset || state == .runTestIdle || state == .pauseDR || state == .pauseIR
    }
}
