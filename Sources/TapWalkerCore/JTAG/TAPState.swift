/// The sixteen states of the IEEE 1149.1 TAP controller and its transition table.
///
/// Used by the walker (to plan TMS paths) and by the simulated board (to follow them): one table.
public enum TAPState: UInt8, CaseIterable, Sendable {
    case testLogicReset, runTestIdle
    case selectDR, captureDR, shiftDR, exit1DR, pauseDR, exit2DR, updateDR
    case selectIR, captureIR, shiftIR, exit1IR, pauseIR, exit2IR, updateIR

    /// The state after one TCK rising edge with the given TMS.
    @inline(__always)
    public func next(tms: Bool) -> TAPState {
        let row = TAPState.transitions[Int(rawValue)]
        return tms ? row.one : row.zero
    }

    private static let transitions: [(zero: TAPState, one: TAPState)] = [
        (.runTestIdle, .testLogicReset),  // testLogicReset
        (.runTestIdle, .selectDR),        // runTestIdle
        (.captureDR, .selectIR),          // selectDR
        (.shiftDR, .exit1DR),             // captureDR
        (.shiftDR, .exit1DR),             // shiftDR
        (.pauseDR, .updateDR),            // exit1DR
        (.pauseDR, .exit2DR),             // pauseDR
        (.shiftDR, .updateDR),            // exit2DR
        (.runTestIdle, .selectDR),        // updateDR
        (.captureIR, .testLogicReset),    // selectIR
        (.shiftIR, .exit1IR),             // captureIR
        (.shiftIR, .exit1IR),             // shiftIR
        (.pauseIR, .updateIR),            // exit1IR
        (.pauseIR, .exit2IR),             // pauseIR
        (.shiftIR, .updateIR),            // exit2IR
        (.runTestIdle, .selectDR),        // updateIR
    ]

    /// The shortest TMS sequence from this state to `target`, LSB (first clock) first.
    /// Moving to the same state is empty, except Test-Logic-Reset which is held by TMS high anyway.
    /// Paths are at most 7 clocks long; they are found by breadth-first search over the table.
    public func path(to target: TAPState) -> TMSPath {
        if self == target { return TMSPath(bits: 0, count: 0) }
        // Breadth-first search; 16 states, so a fixed array is enough.
        var seen = [Bool](repeating: false, count: 16)
        var queue: [(state: TAPState, path: TMSPath)] = [(self, TMSPath(bits: 0, count: 0))]
        seen[Int(rawValue)] = true
        var head = 0
        while head < queue.count {
            let (state, path) = queue[head]
            head += 1
            for tms in [false, true] {
                let n = state.next(tms: tms)
                if seen[Int(n.rawValue)] { continue }
                seen[Int(n.rawValue)] = true
                let p = TMSPath(bits: path.bits | (tms ? 1 << path.count : 0), count: path.count + 1)
                if n == target { return p }
                queue.append((n, p))
            }
        }
        return TMSPath(bits: 0, count: 0)  // unreachable: the TAP graph is strongly connected
    }

    /// True for the two states in which a clock shifts a register.
    public var isShift: Bool { self == .shiftDR || self == .shiftIR }
}

/// A short TMS sequence: `count` clocks, bit i of `bits` is TMS on clock i.
public struct TMSPath: Equatable, Sendable {
    public var bits: UInt16
    public var count: Int
}
