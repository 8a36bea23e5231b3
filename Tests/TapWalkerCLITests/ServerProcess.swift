import Foundation
import Testing

/// A `tapwalker sim` or `tapwalker serve` running in the background for a test. Ports are chosen by
/// the system (`0`); the server announces each on standard error as `listening: <service> <host>:<port>`,
/// and `port(_:)` waits for that line. `stop()` (or deinit) sends SIGINT and waits, as a user's
/// Ctrl-C would, so the server saves its state; `log` is everything it wrote to standard error.
final class ServerProcess: @unchecked Sendable {
    let arguments: [String]
    private let process = Process()
    private let lock = NSLock()
    private var stderrText = ""
    private let errors = Pipe()
    private var stopped = false

    init(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        self.arguments = arguments
        guard let binary = Paths.binary else {
            Issue.record("the tapwalker binary was not found; run `swift build` first", sourceLocation: sourceLocation)
            stopped = true
            return
        }
        prepare(process, binary: binary, arguments: arguments)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let handle = errors.fileHandleForReading
        handle.readabilityHandler = { [weak self] h in
            let data = h.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.stderrText += String(decoding: data, as: UTF8.self) }
        }
        do {
            try process.run()
        } catch {
            Issue.record("cannot start \(binary): \(error)", sourceLocation: sourceLocation)
            stopped = true
        }
    }

    deinit { stop() }

    /// What the server has written to standard error so far.
    var log: String { lock.withLock { stderrText } }

    /// The port the server announced for `service` ("xvc", "remote_bitbang", "ftp"), waiting up
    /// to `timeout` seconds for it.
    func port(_ service: String, timeout: TimeInterval = 60, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for line in log.split(separator: "\n") {
                let words = line.split(separator: " ")
                if words.count >= 3, words[0] == "listening:", words[1] == service,
                   let port = words[2].split(separator: ":").last.flatMap({ Int($0) }) {
                    return port
                }
            }
            if !process.isRunning {
                Issue.record("`tapwalker \(arguments.joined(separator: " "))` exited (\(process.terminationStatus)) before listening:\n\(log)", sourceLocation: sourceLocation)
                return 0
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("`tapwalker \(arguments.joined(separator: " "))` did not announce \(service) within \(Int(timeout)) s:\n\(log)", sourceLocation: sourceLocation)
        return 0
    }

    /// Waits until the log contains `text` (a line the server writes after a client leaves, say).
    @discardableResult
    func waitForLog(_ text: String, timeout: TimeInterval = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Sends `signal` (SIGKILL, SIGSTOP, SIGCONT) to the server, as a crash or a hang would.
    func send(signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to end by itself; its exit status, or nil (and it is killed) when it
    /// is still running after `timeout` seconds.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            stop(timeout: 5)
            return nil
        }
        stopped = true
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)  // let the last of standard error arrive
        return process.terminationReason == .exit ? process.terminationStatus : -1
    }

    /// Ctrl-C, then waits for the exit; returns the exit status (-1 if it had to be killed).
    @discardableResult
    func stop(timeout: TimeInterval = 30) -> Int32 {
        if stopped { return process.isRunning ? -1 : process.terminationStatus }
        stopped = true
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)  // let the last of standard error arrive
        return process.terminationStatus
    }
}

/// Runs an external program (a peer tool) with a timeout; returns its exit status and output.
func runTool(
    _ executable: String, _ arguments: [String], timeout: TimeInterval = 300, stdin: Data? = nil
) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = Paths.packageRoot
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let input = Pipe()
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    let box = OutputBox()
    pipe.fileHandleForReading.readabilityHandler = { h in
        let data = h.availableData
        if !data.isEmpty { box.append(data) }
    }
    do { try process.run() } catch { return (-1, "cannot start \(executable): \(error)") }
    if let stdin {
        try? input.fileHandleForWriting.write(contentsOf: stdin)
        try? input.fileHandleForWriting.close()
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        return (-1, box.text + "\n[timed out after \(Int(timeout)) s]")
    }
    process.waitUntilExit()
    Thread.sleep(forTimeInterval: 0.1)
    pipe.fileHandleForReading.readabilityHandler = nil
    return (process.terminationStatus, box.text)
}

/// The path of a peer tool found on PATH, or nil when it is not installed (the test command
/// installs them).
func toolPath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/bin"]
    for dir in directories {
        let candidate = dir + "/" + name
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ d: Data) { lock.withLock { data.append(d) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
