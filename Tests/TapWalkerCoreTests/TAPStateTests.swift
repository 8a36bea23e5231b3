import Testing
@testable import TapWalkerCore

/// Independent breadth-first distances over the IEEE 1149.1 graph written out by hand.
private let edges: [TAPState: (TAPState, TAPState)] = [
    .testLogicReset: (.runTestIdle, .testLogicReset), .runTestIdle: (.runTestIdle, .selectDR),
    .selectDR: (.captureDR, .selectIR), .captureDR: (.shiftDR, .exit1DR), .shiftDR: (.shiftDR, .exit1DR),
    .exit1DR: (.pauseDR, .updateDR), .pauseDR: (.pauseDR, .exit2DR), .exit2DR: (.shiftDR, .updateDR),
    .updateDR: (.runTestIdle, .selectDR), .selectIR: (.captureIR, .testLogicReset),
    .captureIR: (.shiftIR, .exit1IR), .shiftIR: (.shiftIR, .exit1IR), .exit1IR: (.pauseIR, .updateIR),
    .pauseIR: (.pauseIR, .exit2IR), .exit2IR: (.shiftIR, .updateIR), .updateIR: (.runTestIdle, .selectDR),
]

private func distance(_ from: TAPState, _ to: TAPState) -> Int {
    var frontier: Set<TAPState> = [from]
    var seen = frontier
    var d = 0
    while !frontier.contains(to) {
        d += 1
        var next: Set<TAPState> = []
        for s in frontier { for n in [edges[s]!.0, edges[s]!.1] where !seen.contains(n) { next.insert(n); seen.insert(n) } }
        frontier = next
    }
    return d
}

@Test func transitionTableMatchesTheStandard() {
    for s in TAPState.allCases {
        #expect(s.next(tms: false) == edges[s]!.0, "\(s) TMS=0")
        #expect(s.next(tms: true) == edges[s]!.1, "\(s) TMS=1")
    }
}

@Test func pathsBetweenAllSixteenStatesAreShortestAndArrive() {
    for from in TAPState.allCases {
        for to in TAPState.allCases {
            let path = from.path(to: to)
            var s = from
            for i in 0..<path.count { s = s.next(tms: path.bits & (1 << i) != 0) }
            #expect(s == to, "\(from) → \(to) ends in \(s)")
            #expect(path.count == distance(from, to), "\(from) → \(to) takes \(path.count) clocks")
        }
    }
}

@Test func fiveTMSHighClocksResetFromEveryState() {
    for from in TAPState.allCases {
        var s = from
        for _ in 0..<5 { s = s.next(tms: true) }
        #expect(s == .testLogicReset)
    }
}
