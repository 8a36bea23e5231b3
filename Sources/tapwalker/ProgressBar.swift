import TapWalkerCore
import TapWalkerPlatform

/// Draws progress on standard error. On a terminal: one line redrawn in place, never wider than
/// the terminal (its width is asked at every redraw, so a resized window is followed; what does
/// not fit is left out, the bar shrinking first, then the rate and ETA). Otherwise (a log, a CI
/// job, a pipe): a plain line at each tenth of a known total, and, when the total is not known
/// (standard input, compressed input), at 1, 2, 4, 8 … MB and once at the end, so a log gets a
/// handful of lines whatever the size. Silent when disabled (--json) or with --quiet.
final class ProgressBar {
    private let enabled: Bool
    private let terminal: Bool
    private let start = MonotonicClock.now()
    private var lastDraw = 0.0
    /// The last tenth (known total) or power of two of megabytes (unknown total) logged.
    private var lastStep = -1
    private var drewBar = false
    private var last: Progress?

    init(enabled: Bool) {
        self.enabled = enabled && !Chatter.quiet
        self.terminal = Terminal.stderrIsTerminal
    }

    func update(_ p: Progress) {
        guard enabled else { return }
        last = p
        if terminal {
            let now = MonotonicClock.now()
            let finished = p.total.map { p.done >= $0 } ?? false
            guard now - lastDraw >= 0.1 || finished else { return }
            lastDraw = now
            let line = ProgressBar.line(p, elapsed: max(now - start, 1e-6), width: Terminal.width - 1)
            Terminal.writeError("\r" + line + String(repeating: " ", count: max(0, Terminal.width - 1 - line.count)))
            drewBar = true
        } else if let total = p.total, total > 0 {
            let tenth = min(10, p.done * 10 / total)
            guard tenth != lastStep else { return }
            lastStep = tenth
            Terminal.writeError("\(p.phase): \(tenth * 10)% (\(bytes(p.done)) of \(bytes(total)))\n")
        } else {
            let mb = p.done >> 20
            guard mb > 0 else { return }
            let step = Int.bitWidth - 1 - mb.leadingZeroBitCount  // log2 of the megabytes
            guard step > lastStep else { return }
            lastStep = step
            Terminal.writeError("\(p.phase): \(bytes(p.done))\n")
        }
    }

    /// Ends the bar's line so that later output starts on a fresh one; a log of a job whose size
    /// was not known gets its final figure.
    func finish() {
        if drewBar { Terminal.writeError("\n") }
        drewBar = false
        if enabled, !terminal, let p = last, p.total == nil {
            Terminal.writeError("\(p.phase): \(bytes(p.done)) in all\n")
        }
        last = nil
    }

    /// The bar's line for a terminal `width` columns wide: the parts that fit, most useful first
    /// (phase and percent or bytes; then a bar of 10 to 30 columns; then bytes of total; then
    /// rate and ETA).
    static func line(_ p: Progress, elapsed: Double, width: Int) -> String {
        let rate = Double(p.done) / elapsed
        var head = p.phase
        var tail: [String] = []
        var fraction: Double?
        if let total = p.total, total > 0 {
            let f = min(1, Double(p.done) / Double(total))
            fraction = f
            head += " \(Int(f * 100))%"
            tail.append("\(bytes(p.done)) / \(bytes(total))")
            tail.append("\(bytes(Int(rate)))/s")
            let eta = rate > 0 ? Int(Double(total - p.done) / rate) : 0
            tail.append("ETA \(eta / 60):\(eta % 60 < 10 ? "0" : "")\(eta % 60)")
        } else {
            head += " \(bytes(p.done))"
            tail.append("\(bytes(Int(rate)))/s")
        }
        // Drop what does not fit, from the end, keeping room for a bar of at least 10 columns.
        func length(_ parts: [String]) -> Int { parts.reduce(head.count) { $0 + 2 + $1.count } }
        let barRoom = fraction == nil ? 0 : 13  // " [" + 10 + "]"
        while !tail.isEmpty, length(tail) + barRoom > width { tail.removeLast() }
        var line = head
        if let f = fraction {
            let room = width - length(tail) - 3
            if room >= 10 {
                let columns = min(30, room)
                let filled = Int(f * Double(columns))
                line += " [" + String(repeating: "#", count: filled) + String(repeating: "-", count: columns - filled) + "]"
            }
        }
        for part in tail { line += "  " + part }
        return line.count > width ? String(line.prefix(max(0, width))) : line
    }
}

/// "1.9 MB", "870 KB", "512 B".
func bytes(_ n: Int) -> String {
    if n >= 1 << 20 { return "\((Double(n) / 1048576 * 10).rounded() / 10) MB" }
    if n >= 1 << 10 { return "\((Double(n) / 1024 * 10).rounded() / 10) KB" }
    return "\(n) B"
}

extension Terminal {
    static func error(_ line: String) { writeError(line + "\n") }
}
