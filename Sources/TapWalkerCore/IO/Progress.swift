/// Progress of a long job, reported as it happens. The command line draws a bar from it; the
/// firmware and the servers log it.
public struct Progress: Sendable {
    /// What is happening: "programming", "reading", "erasing", …
    public var phase: String
    public var done: Int
    /// nil when the size is not known in advance (standard input, chunked HTTP).
    public var total: Int?

    public init(phase: String, done: Int, total: Int?) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}

public typealias ProgressHandler = (Progress) -> Void
