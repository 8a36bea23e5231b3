import TapWalkerCore
import TapWalkerServices

/// Board support: tasks and locks. On the chip, FreeRTOS tasks (their stacks come from the heap,
/// so a task's stack counts against the device's memory) and FreeRTOS mutexes; on the virtual
/// ESP32, POSIX threads whose stacks are charged to the capped heap the same way.
public protocol DeviceTasks: AnyObject {
    /// Runs `body` on a task of its own with `stackBytes` of stack; throws when there is no memory
    /// for it (the caller refuses the work that needed it and goes on).
    func start(name: String, stackBytes: Int, _ body: @escaping () -> Void) throws(TapWalkerError)
    /// A new lock for the services' shared state (job lock, sessions, login throttle).
    func makeMutex() -> any PlatformMutex
}
