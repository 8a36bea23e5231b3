#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerCore
import TapWalkerServices

/// A connection whose incoming bytes are read by a thread of their own, as fast as they arrive,
/// into a bounded queue that `receive` takes from.
///
/// For the remote_bitbang server: OpenOCD 0.12 writes to a non-blocking socket and gives up with
/// EAGAIN as soon as the kernel's buffers are full, so a server that simulates slower than OpenOCD
/// generates commands (a whole bitstream SDR is 30 million bytes of commands) must take them off
/// the socket without waiting for the simulation.
///
/// Because the simulation may run behind, the client's silences (OpenOCD sleeps on its side for an
/// SVF's RUNTEST times) are measured here, when the bytes arrive, and handed on with them
/// (`NetworkConnection.silentMicroseconds`): the simulated board then lets that time pass at the right point of the
/// command stream. `capacity` bounds the queue; past it the thread
/// stops reading and the client sees TCP back-pressure as it would from any slow server.
public final class PrefetchingConnection: NetworkConnection {
    private let inner: TCPConnection
    private let capacity: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Received bytes, each chunk with the silence that came before it.
    private var chunks: [(bytes: [UInt8], silence: UInt64)] = []
    private var silence: UInt64 = 0
    public var silentMicroseconds: UInt64? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return silence
    }
    private let clock = SystemClock()
    private var offset = 0  // into chunks[0]
    private var queued = 0
    private var ended = false  // the peer closed, or the reader failed
    private var failure: TapWalkerError?
    private var closed = false
    private var readerRunning = true
    static let chunkBytes = 64 * 1024

    /// Starts reading `connection` on a new thread. `capacity` is in bytes.
    public init(_ connection: TCPConnection, capacity: Int = 64 * 1024 * 1024) {
        inner = connection
        self.capacity = capacity
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
        ServerThread.start { [self] in readLoop() }
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        changed.deallocate()
    }

    public var peerName: String { inner.peerName }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: PrefetchingConnection.chunkBytes)
        while true {
            pthread_mutex_lock(mutex)
            while queued >= capacity && !closed { pthread_cond_wait(changed, mutex) }
            let stop = closed
            pthread_mutex_unlock(mutex)
            if stop { break }
            let result: Result<Int, TapWalkerError>
            let before = clock.microseconds()
            do throws(TapWalkerError) {
                // Long timeout: the consumer applies its own idle timeout.
                let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in
                    try inner.receive(into: p, timeoutMilliseconds: 24 * 3600 * 1000)
                }
                result = .success(n)
            } catch {
                result = .failure(error)
            }
            let waited = clock.microseconds() - before
            pthread_mutex_lock(mutex)
            switch result {
            case .success(let n) where n > 0:
                chunks.append((Array(buffer[0..<n]), waited))
                queued += n
            case .success:
                ended = true
            case .failure(let error):
                failure = error
                ended = true
            }
            let stopNow = ended
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
            if stopNow { break }
        }
        pthread_mutex_lock(mutex)
        readerRunning = false
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    public func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {
        throw TapWalkerError(.usage, "a prefetching connection is already connected")
    }

    public func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) {
        try inner.send(bytes, timeoutMilliseconds: timeoutMilliseconds)
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int {
        if buffer.count == 0 { return 0 }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        deadline.tv_sec += timeoutMilliseconds / 1000
        deadline.tv_nsec += (timeoutMilliseconds % 1000) * 1_000_000
        if deadline.tv_nsec >= 1_000_000_000 { deadline.tv_sec += 1; deadline.tv_nsec -= 1_000_000_000 }
        while queued == 0 && !ended {
            if pthread_cond_timedwait(changed, mutex, &deadline) == ETIMEDOUT && queued == 0 && !ended {
                throw TapWalkerError(.input, "\(inner.peerName) sent nothing for \(timeoutMilliseconds / 1000) s; gave up waiting")
            }
        }
        if queued == 0 {
            if let failure { throw failure }
            return 0
        }
        // Bytes from one chunk only: the silence before the next one is accounted when it is taken.
        let chunk = chunks[0].bytes
        if offset == 0 {
            silence += chunks[0].silence
        }
        let copied = min(buffer.count, chunk.count - offset)
        chunk.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: copied)
        }
        offset += copied
        if offset == chunk.count {
            chunks.removeFirst()
            offset = 0
        }
        queued -= copied
        pthread_cond_broadcast(changed)
        return copied
    }

    /// Ends the socket's both directions: the reader thread sees the end, and a `receive`
    /// waiting for it returns.
    public func shutdown() {
        inner.shutdown()
    }

    /// Closes the socket and waits for the reader thread to notice.
    public func close() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
        inner.shutdown()
        pthread_mutex_lock(mutex)
        while readerRunning { pthread_cond_wait(changed, mutex) }
        pthread_mutex_unlock(mutex)
        inner.close()
    }
}
