#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C and SIGTERM for the servers: the handler only writes a byte to a pipe (the one thing a
/// signal handler may safely do), and every wait on a socket also watches that pipe. A server then
/// ends its current client cleanly, saves its state and returns, instead of dying mid-operation.
public enum Interruption {
    nonisolated(unsafe) private static var pipeFDs: [Int32] = [-1, -1]

    /// The read end, or -1 before `install()` (poll ignores negative descriptors).
    public static var fd: Int32 { pipeFDs[0] }

    /// Installs the handlers for SIGINT and SIGTERM. Call once, before serving.
    public static func install() {
        guard pipeFDs[0] < 0 else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        pipeFDs = fds
        writeEnd = fds[1]
        let handler: @convention(c) (Int32) -> Void = { _ in
            var b: UInt8 = 1
            _ = write(Interruption.writeEnd, &b, 1)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A process started from a thread that blocks these signals (a test runner's worker, some
        // service managers) inherits the mask and would never see them: unblock them here.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    nonisolated(unsafe) private static var writeEnd: Int32 = -1

    /// True once a signal arrived (the byte stays in the pipe, so every waiter sees it).
    public static var requested: Bool {
        guard fd >= 0 else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }
}
