import TapWalkerCore

/// The progress of board jobs as events for GET /api/events: "progress" (bytes, total, rate in
/// bytes per second, ETA in seconds) while a job runs, then "result" (the job's result object).
/// Jobs publish, event streams poll with the sequence number of the last event they sent. Only the
/// last `capacity` events are kept; a stream that fell further behind skips to the oldest kept.
public final class HTTPJobEvents {
    public struct Event {
        public var id: Int
        public var name: String
        public var data: String
    }

    private let mutex: any PlatformMutex
    private let clock: any ServiceClock
    private let capacity: Int
    private var events: [Event] = []
    private var nextID = 1
    private var jobStart: UInt64 = 0
    private var lastProgress: UInt64 = 0
    /// Progress events closer together than this are dropped (the last one is always sent).
    public var minimumIntervalMicroseconds: UInt64 = 200_000

    public init(mutex: any PlatformMutex, clock: any ServiceClock, capacity: Int = 32) {
        self.mutex = mutex
        self.clock = clock
        self.capacity = max(capacity, 2)
    }

    /// A job starts now (rates are measured from here).
    public func start(job: String, holder: String) {
        mutex.lock()
        jobStart = clock.microseconds()
        lastProgress = 0
        mutex.unlock()
        append("start", "{\"job\":\(HTTPJSON.string(job)),\"holder\":\(HTTPJSON.string(holder))}")
    }

    /// `bytes` of `total` (nil: unknown) are done.
    public func progress(bytes: Int, total: Int?) {
        mutex.lock()
        let now = clock.microseconds()
        let last = total.map { bytes >= $0 } ?? false
        if !last && lastProgress != 0 && now &- lastProgress < minimumIntervalMicroseconds {
            mutex.unlock()
            return
        }
        lastProgress = now
        let elapsed = now &- jobStart
        mutex.unlock()
        let rate = elapsed > 0 ? Int(UInt64(bytes) * 1_000_000 / elapsed) : 0
        var eta = "null"
        if let total, rate > 0 { eta = String((max(total - bytes, 0) + rate - 1) / rate) }
        let totalText = total.map { String($0) } ?? "null"
        append("progress", "{\"bytes\":\(bytes),\"total\":\(totalText),\"rate\":\(rate),\"eta\":\(eta)}")
    }

    /// The job ended with this result object.
    public func result(_ json: String) {
        append("result", json)
    }

    /// Events after `id`, oldest first.
    public func since(_ id: Int) -> [Event] {
        mutex.lock()
        defer { mutex.unlock() }
        return events.filter { $0.id > id }
    }

    /// The id of the newest event (0 before any).
    public var lastID: Int {
        mutex.lock()
        defer { mutex.unlock() }
        return nextID - 1
    }

    // MARK: - Streams

    /// The streams open now, per login (a session's token, a Basic user, or anonymous).
    private var streams: [(owner: [UInt8], count: Int)] = []

    /// Counts a new stream for `owner`; false when it already has `limit` open.
    public func openStream(_ owner: [UInt8], limit: Int) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        if let i = streams.firstIndex(where: { $0.owner == owner }) {
            guard streams[i].count < limit else { return false }
            streams[i].count += 1
        } else {
            guard limit > 0 else { return false }
            streams.append((owner, 1))
        }
        return true
    }

    /// A stream of `owner` ended.
    public func closeStream(_ owner: [UInt8]) {
        mutex.lock()
        if let i = streams.firstIndex(where: { $0.owner == owner }) {
            streams[i].count -= 1
            if streams[i].count <= 0 { streams.remove(at: i) }
        }
        mutex.unlock()
    }

    /// Streams open now for `owner`.
    public func openStreams(_ owner: [UInt8]) -> Int {
        mutex.lock()
        defer { mutex.unlock() }
        return streams.first(where: { $0.owner == owner })?.count ?? 0
    }

    private func append(_ name: String, _ data: String) {
        mutex.lock()
        events.append(Event(id: nextID, name: name, data: data))
        nextID += 1
        if events.count > capacity { events.removeFirst(events.count - capacity) }
        mutex.unlock()
    }
}
