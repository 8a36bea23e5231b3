import Foundation
import Testing

// Runs `tapwalker` where Foundation's Process cannot take it alone: with arguments that are not
// valid UTF-8 (built by the shell with printf), with shell limits (ulimit), or with standard output
// kept as raw bytes.

/// What one run left behind, standard output as bytes.
struct RawResult {
    let exitCode: Int32
    let stdout: Data
    let stderr: String
}

/// Runs `/bin/sh -c script` with `$0` the tapwalker binary and `$1`… `arguments`, from the
/// package root, with the tests' environment minus TAPWALKER_CABLE.
func tapwalkerInShell(
    _ script: String, _ arguments: String..., timeout: TimeInterval = 120,
    sourceLocation: SourceLocation = #_sourceLocation
) -> RawResult {
    guard let binary = Paths.binary else {
        Issue.record("the tapwalker binary was not found; run `swift build` first", sourceLocation: sourceLocation)
        return RawResult(exitCode: -1, stdout: Data(), stderr: "")
    }
    return runRaw("/bin/sh", ["-c", script, binary] + arguments, timeout: timeout, sourceLocation: sourceLocation)
}

/// Runs `executable` with `arguments` and collects both outputs; a hang is an issue.
func runRaw(
    _ executable: String, _ arguments: [String], timeout: TimeInterval = 120,
    sourceLocation: SourceLocation = #_sourceLocation
) -> RawResult {
    let process = Process()
    prepare(process, binary: executable, arguments: arguments)
    let output = Pipe(), errors = Pipe()
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = errors
    let collected = RawCollector()
    let group = DispatchGroup()
    for (handle, isOut) in [(output.fileHandleForReading, true), (errors.fileHandleForReading, false)] {
        group.enter()
        Thread.detachNewThread {
            let data = handle.readDataToEndOfFile()
            collected.set(data, stdout: isOut)
            group.leave()
        }
    }
    do {
        try process.run()
    } catch {
        Issue.record("cannot start \(executable): \(error)", sourceLocation: sourceLocation)
        return RawResult(exitCode: -1, stdout: Data(), stderr: "")
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    if process.isRunning {
        // Its children first (a shell's tapwalker and helpers): they hold the output pipes, and
        // would keep the reads below, and the whole test run, waiting.
        _ = try? Process.run(URL(fileURLWithPath: "/usr/bin/pkill"), arguments: ["-KILL", "-P", "\(process.processIdentifier)"]).waitUntilExit()
        kill(process.processIdentifier, SIGKILL)
        Issue.record("\(executable) \(arguments) did not finish within \(Int(timeout)) s", sourceLocation: sourceLocation)
    }
    process.waitUntilExit()
    try? output.fileHandleForWriting.close()
    try? errors.fileHandleForWriting.close()
    if group.wait(timeout: .now() + 10) == .timedOut {
        Issue.record("\(executable) \(arguments) left a process holding its output open", sourceLocation: sourceLocation)
    }
    let status = process.terminationReason == .exit ? process.terminationStatus : -1
    return RawResult(exitCode: status, stdout: collected.stdout, stderr: String(decoding: collected.stderr, as: UTF8.self))
}

private final class RawCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()
    func set(_ data: Data, stdout: Bool) { lock.withLock { if stdout { out = data } else { err = data } } }
    var stdout: Data { lock.withLock { out } }
    var stderr: Data { lock.withLock { err } }
}

/// The names in a directory as bytes (a name need not be valid UTF-8), sorted.
func directoryEntries(_ path: String) -> [[UInt8]] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [[UInt8]] = []
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) { p in
            p.withMemoryRebound(to: UInt8.self, capacity: 256) { Array(UnsafeBufferPointer(start: $0, count: strlen(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)))) }
        }
        if name != [46] && name != [46, 46] { names.append(name) }
    }
    return names.sorted { $0.lexicographicallyPrecedes($1) }
}

/// The bytes of a file named by bytes.
func contents(ofPathBytes path: [UInt8]) -> [UInt8]? {
    let fd = (path + [0]).withUnsafeBufferPointer { p in
        p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY) }
    }
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var all: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        all += buffer[0..<n]
    }
    return all
}

/// The bytes of a file, or nil when it cannot be read.
func fileBytes(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}
