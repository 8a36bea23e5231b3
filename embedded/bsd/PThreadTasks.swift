import TapWalkerCore
import TapWalkerDevice
import TapWalkerServices

/// Tasks as POSIX threads and locks as pthread mutexes: ESP-IDF's pthread layer (each thread a
/// FreeRTOS task whose stack comes from the heap) on the chip, the host's threads on the virtual
/// ESP32. There the host maps thread stacks outside the heap, so `chargeStack` charges each
/// stack to the capped heap, as the chip would; it returns false when the heap cannot take it.
public final class PThreadTasks: DeviceTasks {
    let chargeStack: ((Int) -> Bool)?
    let releaseStack: ((Int) -> Void)?
    let stackScale: Int

    /// `chargeStack`/`releaseStack`: account a task's stack when it starts and when it ends (nil
    /// where the stack already comes from the heap). `stackScale` multiplies the stack a thread
    /// really gets, never what is charged: 1 on the chip; more on a 64-bit host, whose frames are
    /// larger than the RISC-V ones the figures were measured with (an FTP upload to fpga overran
    /// a 16 KB x86_64 stack that is ample on the C3, where the rv32 lane holds jobs under 12 KB).
    public init(chargeStack: ((Int) -> Bool)? = nil, releaseStack: ((Int) -> Void)? = nil, stackScale: Int = 1) {
        self.chargeStack = chargeStack
        self.releaseStack = releaseStack
        self.stackScale = stackScale
    }

    public func start(name: String, stackBytes: Int, _ body: @escaping () -> Void) throws(TapWalkerError) {
        let stack = max(stackBytes * stackScale, Int(bsd_minimum_stack()))
        if let chargeStack, !chargeStack(stackBytes) {
            throw TapWalkerError(.device, "no memory for the \(stackBytes) bytes of stack task \(name) needs")
        }
        let release = releaseStack
        let task = PThreadTask {
            body()
            release?(stackBytes)
        }
        let context = Unmanaged.passRetained(task).toOpaque()
        let rc = bsd_thread_start(stack, { context in
            let task = Unmanaged<PThreadTask>.fromOpaque(context!).takeRetainedValue()
            task.body()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<PThreadTask>.fromOpaque(context).release()
            releaseStack?(stackBytes)
            throw TapWalkerError(.device, "cannot start task \(name): \(BSD.text(rc))")
        }
    }

    public func makeMutex() -> any PlatformMutex { PThreadMutex() }
}

/// What a started thread runs, handed through pthread_create's context pointer.
final class PThreadTask {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// A pthread mutex (ESP-IDF maps it to a FreeRTOS mutex).
public final class PThreadMutex: PlatformMutex {
    private let mutex: UnsafeMutableRawPointer

    public init() {
        guard let m = bsd_mutex_create() else { fatalError("no memory for a mutex") }
        mutex = m
    }

    deinit { bsd_mutex_destroy(mutex) }

    public func lock() { bsd_mutex_lock(mutex) }
    public func unlock() { bsd_mutex_unlock(mutex) }
}
