/// The bound on a whole HTTP download, not only on each wait: every receive may wait `idle`, but
/// the transfer as a whole must keep up an average of `minimumBytesPerSecond` once `grace` has
/// passed (time allowed = grace + bytes so far / that rate). A server that sends a byte just
/// before each wait would end therefore fails within the grace plus a second per
/// `minimumBytesPerSecond` bytes it sent, instead of holding the job (and the board) for ever;
/// an honest slow link (a 2 MB bitstream at 1 KB/s takes 35 minutes) still gets through.
public final class HTTPTransferDeadline {
    public struct Rule {
        public var graceMilliseconds: Int
        public var minimumBytesPerSecond: Int
        public init(graceMilliseconds: Int = 30_000, minimumBytesPerSecond: Int = 1024) {
            self.graceMilliseconds = graceMilliseconds
            self.minimumBytesPerSecond = max(minimumBytesPerSecond, 1)
        }
    }

    let name: String
    let rule: Rule
    let clock: () -> UInt64
    let start: UInt64
    /// Body bytes received so far (the head counts as none).
    public var received = 0

    public init(name: String, rule: Rule, clock: @escaping () -> UInt64) {
        self.name = name
        self.rule = rule
        self.clock = clock
        start = clock()
    }

    /// The wait the next receive may have: at most `idle`, never past the time allowed.
    public func timeout(idle: Int) throws(TapWalkerError) -> Int {
        let elapsed = Int((clock() &- start) / 1000)
        let allowed = rule.graceMilliseconds + received / rule.minimumBytesPerSecond * 1000
        guard elapsed < allowed else {
            throw TapWalkerError(.input, "\(name): \(received) bytes in \(elapsed / 1000) s, slower than \(rule.minimumBytesPerSecond) bytes a second on average after the first \(rule.graceMilliseconds / 1000) s; gave up")
        }
        return min(idle, allowed - elapsed)
    }
}
