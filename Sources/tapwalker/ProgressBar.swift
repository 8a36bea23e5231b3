import TapWalkerCore
import TapWalkerPlatform

/// Draws progress on standard error: a bar with bytes, percent, rate and ETA on a terminal; a plain
/// line every 10 % otherwise (logs and CI stay readable). Silent when disabled (--json, --quiet).
final class ProgressBar {
    private let enabled: Bool
    private let terminal: Bool
    private let start = MonotonicClock.now()
    private var lastDraw = 0.0
    private var lastDecile = -1
    private var drewBar = false

    init(enabled: Bool) {
        self.enabled = enabled
        self.terminal = Terminal.stderrIsTerminal
    }

    func update(_ p: Progress) {
        guard enabled else { return }
        let now = MonotonicClock.now()
        let elapsed = max(now - start, 1e-6)
        let rate = Double(p.done) / elapsed
        if terminal {
            let finished = p.total.map { p.done >= $0 } ?? false
            guard now - lastDraw >= 0.1 || finished else { return }
            lastDraw = now
            var line = "\(p.phase) "
            if let total = p.total, total > 0 {
                let fraction = min(1, Double(p.done) / Double(total))
                let width = 30
                let filled = Int(fraction * Double(width))
                line += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
                line += " \(Int(fraction * 100))%  \(bytes(p.done)) / \(bytes(total))  \(bytes(Int(rate)))/s"
                let eta = rate > 0 ? Double(total - p.done) / rate : 0
                line += "  ETA \(Int(eta) / 60):\(pad2(Int(eta) % 60))"
            } else {
                line += "\(bytes(p.done))  \(bytes(Int(rate)))/s"
            }
            Terminal.writeError("\r" + line + String(repeating: " ", count: max(0, Terminal.width - 1 - line.count)))
            drewBar = true
        } else if let total = p.total, total > 0 {
            let decile = min(10, p.done * 10 / total)
            guard decile != lastDecile else { return }
            lastDecile = decile
            Terminal.writeError("\(p.phase): \(decile * 10)% (\(bytes(p.done)) of \(bytes(total)))\n")
        } else {
            let mb = p.done >> 20
            guard mb != lastDecile else { return }
            lastDecile = mb
            Terminal.writeError("\(p.phase): \(bytes(p.done))\n")
        }
    }

    /// Ends the bar's line so that later output starts on a fresh one.
    func finish() {
        if drewBar { Terminal.writeError("\n") }
        drewBar = false
    }

    private func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
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
