import TapWalkerCore

/// What the device's heap is asked for by the admission: the bytes free now, and (optionally)
/// a measurement of what the calling task holds while it does a piece of work.
public protocol HeapGauge: AnyObject {
    /// Bytes the allocator can still give (the chip: esp_get_free_heap_size; the virtual ESP32:
    /// its cap less its count).
    func freeBytes() -> Int
    /// Starts measuring the calling task's own heap; the mark for `endMeasuring` (nil: not measured).
    func beginMeasuring() -> Int?
    /// The most the task held since `beginMeasuring` gave `mark`.
    func endMeasuring(_ mark: Int) -> Int
}

/// Admits work by memory, for every server of the device at once (docs/memory-admission.md):
/// each kind of connection and job has a worst-case figure (`HeapFigure`), and a piece of work is
/// taken on only when its figure fits in what is left, with `reserve` kept for the serial console
/// and one board job. Otherwise it is refused at once, before it allocates anything: FTP answers
/// 421 (a connection) or 451 (a transfer or job), HTTP 503 with Retry-After, with the reason this
/// gives.
///
/// "What is left" is counted twice, and both must allow it: the ledger (the free heap when the
/// services had started, less the figures of the work admitted and not yet finished), which
/// keeps the worst case of everything admitted within the heap however the work's allocations
/// interleave; and the free heap now, which also sees what the ledger does not (the network
/// stack's buffers on the chip, sessions and tables that grow). A board job is one at a time (the
/// job lock) and its share is the reserve itself, so it is checked against the free heap now only.
public final class HeapAdmission {
    let gauge: any HeapGauge
    private let mutex: any PlatformMutex
    private let clock: any ServiceClock
    /// The servers' places of connections not logged in yet: when memory is short, such a
    /// connection waiting for its client is pushed out to make room, as for want of a place.
    private var waiting: [PreLoginSlots] = []
    /// Where events go: (peer, text).
    public var log: (String, String) -> Void = { _, _ in }
    /// Kept free of connections and transfers: the console's figure and the largest board job's.
    public let reserve: Int
    private var capacity = 0
    private var committed = 0
    /// The most each kind of work was measured to hold (`HeapWork.allCases` order), for the figures.
    private var largest: [Int]
    /// Whether each kind was ever measured.
    private var seen: [Bool]

    public init(gauge: any HeapGauge, mutex: any PlatformMutex, clock: any ServiceClock) {
        self.gauge = gauge
        self.mutex = mutex
        self.clock = clock
        reserve = HeapFigure.bytes(.console) + max(HeapFigure.bytes(.sramJob), HeapFigure.bytes(.flashJob), HeapFigure.bytes(.jtagSession))
        largest = [Int](repeating: 0, count: HeapWork.allCases.count)
        seen = [Bool](repeating: false, count: HeapWork.allCases.count)
        capacity = gauge.freeBytes()
    }

    /// Takes the free heap now as the ledger's whole, once the services' own memory (listeners,
    /// accept tasks, servers) is in use.
    public func startLedger() {
        mutex.lock()
        capacity = gauge.freeBytes() + committed
        mutex.unlock()
    }

    /// A server's places of connections not logged in yet, which may be pushed out for memory.
    public func register(_ slots: PreLoginSlots) {
        mutex.lock()
        waiting.append(slots)
        mutex.unlock()
    }

    /// A piece of work taken on: give it back with `finish` when the work ends.
    public struct Ticket {
        public let work: HeapWork
        /// What the ledger holds for it: its figure plus `extra` (a task's stack).
        public let bytes: Int
        let board: Bool
        let mark: Int?
    }

    /// Admits `work`, holding its figure and `extra` bytes (a task's stack) in the ledger, or
    /// returns why not. When memory is short for a client at `peer`, connections that have not
    /// logged in and wait for their clients are pushed out for it (at most 3, by the rules of
    /// `PreLoginSlots.pushOut`), and their memory is waited for (up to a second after each), so
    /// that connections that never log in cannot keep users out of memory either. `measure`:
    /// the calling task is the one that does the work (its heap is measured until `finish`);
    /// false when another task will.
    public func admit(_ work: HeapWork, extra: Int = 0, peer: String? = nil, measure: Bool = true) -> Result<Ticket, HeapRefusal> {
        var pushedOut = 0
        var waited = 0
        while true {
            guard let refusal = tryAdmit(work, extra) else {
                return .success(Ticket(work: work, bytes: HeapFigure.bytes(work) + extra, board: HeapAdmission.isBoardJob(work),
                                       mark: measure ? gauge.beginMeasuring() : nil))
            }
            if pushedOut == 0 || waited >= 50 {
                guard pushedOut < 3, let peer, let victim = pushOut(for: peer) else { return .failure(refusal) }
                log(victim, "closed: waiting to log in, its memory given to \(peer)")
                pushedOut += 1
                waited = 0
            }
            clock.sleep(microseconds: 20_000)
            waited += 1
        }
    }

    private static func isBoardJob(_ work: HeapWork) -> Bool {
        work == .sramJob || work == .flashJob || work == .jtagSession
    }

    /// Takes `work`'s share now, or says why not.
    private func tryAdmit(_ work: HeapWork, _ extra: Int) -> HeapRefusal? {
        let bytes = HeapFigure.bytes(work) + extra
        let console = HeapFigure.bytes(.console)
        mutex.lock()
        defer { mutex.unlock() }
        let free = gauge.freeBytes()
        if HeapAdmission.isBoardJob(work) {
            return bytes + console > free ? HeapRefusal(work: work, needed: bytes, left: free - console, reserve: console) : nil
        }
        let ledgerLeft = capacity - committed - reserve
        if bytes > ledgerLeft || bytes + reserve > free {
            return HeapRefusal(work: work, needed: bytes, left: min(ledgerLeft, free - reserve), reserve: reserve)
        }
        committed += bytes
        return nil
    }

    private func pushOut(for peer: String) -> String? {
        mutex.lock()
        let servers = waiting
        mutex.unlock()
        for slots in servers {
            if let victim = slots.pushOut(for: peer) { return victim }
        }
        return nil
    }

    /// Starts measuring `ticket`'s work on the calling task (for a ticket admitted with
    /// `measure: false` on another task).
    public func measuring(_ ticket: Ticket) -> Ticket {
        Ticket(work: ticket.work, bytes: ticket.bytes, board: ticket.board, mark: gauge.beginMeasuring())
    }

    /// The work of `ticket` has ended: its figure leaves the ledger, and what it held is noted.
    public func finish(_ ticket: Ticket) {
        let held = ticket.mark.map { gauge.endMeasuring($0) }
        mutex.lock()
        if !ticket.board { committed -= ticket.bytes }
        if let held { note(ticket.work, held) }
        mutex.unlock()
    }

    /// Measures `body`, run on the calling task, as `work` that needs no admission (a console
    /// line: its memory is part of the reserve); noted only when `body` returns true (a console
    /// line that ran a board job is that job's, not the console's own).
    public func measure(_ work: HeapWork, _ body: () -> Bool) {
        let mark = gauge.beginMeasuring()
        let counts = body()
        guard let mark else { return }
        let held = gauge.endMeasuring(mark)
        guard counts else { return }
        mutex.lock()
        note(work, held)
        mutex.unlock()
    }

    /// Under the mutex.
    private func note(_ work: HeapWork, _ held: Int) {
        guard let i = HeapWork.allCases.firstIndex(of: work) else { return }
        seen[i] = true
        if held > largest[i] { largest[i] = held }
    }

    /// "ftp-connection 5120/8192 ..." : each kind measured so far, the most it held and its figure.
    public var figuresText: String {
        mutex.lock()
        defer { mutex.unlock() }
        var text = ""
        for (i, work) in HeapWork.allCases.enumerated() where seen[i] {
            text += (text.isEmpty ? "" : ", ") + "\(work.name) \(largest[i])/\(HeapFigure.bytes(work))"
        }
        return text.isEmpty ? "none measured" : text
    }

    /// The ledger now: (whole, admitted, reserve) and the free heap, for logs and the console.
    public var ledger: (capacity: Int, committed: Int, reserve: Int, free: Int) {
        mutex.lock()
        defer { mutex.unlock() }
        return (capacity, committed, reserve, gauge.freeBytes())
    }
}

/// Why a piece of work was not admitted, in words for the client and the log.
public struct HeapRefusal: Error {
    public let work: HeapWork
    public let needed: Int
    public let left: Int
    public let reserve: Int

    public var message: String {
        "not enough memory for another \(HeapRefusal.what(work)) now: it may need \(HeapRefusal.kilobytes(needed)) KB and \(HeapRefusal.kilobytes(max(0, left))) KB are left beside the \(HeapRefusal.kilobytes(reserve)) KB kept for the console and one board job"
    }

    /// Seconds a client should wait before trying again.
    public static let retrySeconds = 5

    static func what(_ work: HeapWork) -> String {
        switch work {
        case .ftpControl: return "FTP connection"
        case .ftpTransfer: return "FTP transfer"
        case .httpConnection: return "HTTP connection"
        case .httpUpload: return "upload or download"
        case .eventStream: return "event stream"
        case .sramJob, .flashJob, .jtagSession: return "board job"
        case .console: return "console command"
        case .inflater: return "gzip or zlib decoder"
        }
    }

    static func kilobytes(_ bytes: Int) -> Int { (bytes + 1023) / 1024 }
}
