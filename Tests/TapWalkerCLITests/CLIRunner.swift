import Foundation
import Testing

// Helpers for the CLI tests: find the built `tapwalker`, run it as a user would (arguments, standard
// input, a pipe for each output), read its JSON, and make damaged copies of the example bitstreams.

// MARK: - Where things are

enum Paths {
    /// The package root: this file is <root>/Tests/TapWalkerCLITests/CLIRunner.swift.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `tapwalker` that `swift build`/`swift test` built: next to the running test bundle first
    /// (the same build as the tests), then `<package root>/.build/debug/tapwalker`.
    static let binary: String? = {
        var directories: [URL] = []
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        // Some runners pass the bundle's path as an argument rather than running it directly.
        for argument in CommandLine.arguments where argument.hasSuffix(".xctest") {
            directories.append(URL(fileURLWithPath: argument).deletingLastPathComponent())
        }
        if let executable = Bundle.main.executablePath {
            directories.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        directories.append(URL(fileURLWithPath: Bundle.main.bundlePath).deletingLastPathComponent())
        directories.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in directories {
            let candidate = directory.appendingPathComponent("tapwalker").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }()
}

// MARK: - Running the binary

/// What one run of `tapwalker` left behind.
struct CLIResult {
    let arguments: [String]
    /// The exit status; -1 when the process did not exit by itself (a signal, a timeout).
    let exitCode: Int32
    let stdout: String
    let stderr: String

    /// Standard output as the one JSON object that `--json` promises (nil, with an issue recorded,
    /// when it is anything else).
    func json(sourceLocation: SourceLocation = #_sourceLocation) -> JSON? {
        let text = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.contains("\n") else {
            Issue.record("`tapwalker \(arguments.joined(separator: " "))` printed more than one line on stdout:\n\(stdout)", sourceLocation: sourceLocation)
            return nil
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            Issue.record("`tapwalker \(arguments.joined(separator: " "))` printed no JSON object on stdout:\n\(stdout)\nstderr:\n\(stderr)", sourceLocation: sourceLocation)
            return nil
        }
        return JSON(object)
    }
}

/// Bytes collected from one pipe on a background thread.
private final class PipeReader: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let all = handle.readDataToEndOfFile()
            lock.withLock { data = all }
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return lock.withLock { String(decoding: data, as: UTF8.self) }
    }
}

/// Writing to a pipe whose reader has exited must be an error, not the end of the test process
/// (`prog -` stops reading when it refuses a bitstream).
private let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN); return () }()

/// Sets up `process` to run `tapwalker` as the tests do: from the package root, with the test's
/// environment minus TAPWALKER_CABLE, so that "no cable configured" means just that.
func prepare(_ process: Process, binary: String, arguments: [String]) {
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = Paths.packageRoot
    var environment = ProcessInfo.processInfo.environment
    environment["TAPWALKER_CABLE"] = nil
    process.environment = environment
}

/// Runs `tapwalker` with `arguments`; `stdin` is fed through a pipe (an empty one when nil).
/// The environment is the test's without TAPWALKER_CABLE, so "no cable configured" means just that.
/// A crash or a hang is recorded as an issue: every input must end in an exit code.
func tapwalker(
    _ arguments: String..., stdin: Data? = nil, timeout: TimeInterval = 120,
    sourceLocation: SourceLocation = #_sourceLocation
) -> CLIResult {
    tapwalker(arguments, stdin: stdin, timeout: timeout, sourceLocation: sourceLocation)
}

/// `tapwalker(_:…)` with the arguments in an array.
func tapwalker(
    _ arguments: [String], stdin: Data? = nil, timeout: TimeInterval = 120,
    sourceLocation: SourceLocation = #_sourceLocation
) -> CLIResult {
    _ = ignoreSIGPIPE
    guard let binary = Paths.binary else {
        Issue.record("the tapwalker binary was not found next to the test bundle or in .build/debug; run `swift build` first", sourceLocation: sourceLocation)
        return CLIResult(arguments: arguments, exitCode: -1, stdout: "", stderr: "")
    }
    let process = Process()
    prepare(process, binary: binary, arguments: arguments)

    let input = Pipe(), output = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    let finished = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in finished.signal() }
    do {
        try process.run()
    } catch {
        Issue.record("cannot start \(binary): \(error)", sourceLocation: sourceLocation)
        return CLIResult(arguments: arguments, exitCode: -1, stdout: "", stderr: "")
    }
    let stdoutReader = PipeReader(output.fileHandleForReading)
    let stderrReader = PipeReader(errors.fileHandleForReading)
    let writer = input.fileHandleForWriting
    let bytes = stdin ?? Data()
    Thread.detachNewThread {
        try? writer.write(contentsOf: bytes)
        try? writer.close()
    }

    if finished.wait(timeout: .now() + timeout) == .timedOut {
        process.terminate()
        finished.wait()
        Issue.record("`tapwalker \(arguments.joined(separator: " "))` did not finish within \(Int(timeout)) s", sourceLocation: sourceLocation)
    }
    let result = CLIResult(
        arguments: arguments,
        exitCode: process.terminationReason == .exit ? process.terminationStatus : -1,
        stdout: stdoutReader.text(),
        stderr: stderrReader.text())
    if process.terminationReason != .exit {
        Issue.record("`tapwalker \(arguments.joined(separator: " "))` was killed by signal \(process.terminationStatus)\nstderr:\n\(result.stderr)", sourceLocation: sourceLocation)
    }
    return result
}

// MARK: - JSON

/// One object of `--json` output, read with JSONSerialization. The accessors return nil unless the
/// value has exactly that JSON type: `true` is not the number 1, `null` is not a missing key.
struct JSON {
    let fields: [String: Any]

    init(_ fields: [String: Any]) { self.fields = fields }

    func has(_ key: String) -> Bool { fields[key] != nil }

    func isNull(_ key: String) -> Bool { fields[key] is NSNull }

    func string(_ key: String) -> String? { fields[key] as? String }

    func bool(_ key: String) -> Bool? {
        guard let value = fields[key], JSON.isBoolean(value) else { return nil }
        return value as? Bool
    }

    func int(_ key: String) -> Int? {
        guard let value = fields[key], !JSON.isBoolean(value), value is NSNumber else { return nil }
        return value as? Int
    }

    /// A "0x41113043" string as its value.
    func hex(_ key: String) -> UInt32? { string(key).flatMap(parseHex) }

    func object(_ key: String) -> JSON? { (fields[key] as? [String: Any]).map(JSON.init) }

    /// JSONSerialization gives `true`/`false` as a boolean NSNumber class of its own.
    private static func isBoolean(_ value: Any) -> Bool {
        ObjectIdentifier(type(of: value)) == ObjectIdentifier(type(of: NSNumber(value: true) as Any))
    }
}

/// "0x52414D21" or "0x52414d21" → 0x52414D21.
func parseHex(_ text: String) -> UInt32? {
    guard text.hasPrefix("0x") || text.hasPrefix("0X") else { return nil }
    return UInt32(text.dropFirst(2), radix: 16)
}

// MARK: - The example bitstreams

/// One line of Examples/manifest.tsv.
struct ManifestRow: CustomStringConvertible {
    let file: String
    let design: String
    let part: String
    let idcode: UInt32
    let compressed: Bool
    let usercode: UInt32
    let bytes: Int
    let ebrWrites: Int

    var path: String { Examples.path(file) }
    var description: String { file }

    /// Every row of the manifest (an issue, and no rows, when it cannot be read).
    static func all(sourceLocation: SourceLocation = #_sourceLocation) -> [ManifestRow] {
        let url = Examples.url("manifest.tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("cannot read \(url.path)", sourceLocation: sourceLocation)
            return []
        }
        var lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let header = lines.removeFirst()
        func column(_ name: String) -> Int { header.firstIndex(of: name)! }
        return lines.map { f in
            ManifestRow(
                file: f[column("file")], design: f[column("design")], part: f[column("part")],
                idcode: parseHex(f[column("idcode")])!, compressed: f[column("compressed")] == "yes",
                usercode: parseHex(f[column("usercode")])!, bytes: Int(f[column("bytes")])!,
                ebrWrites: Int(f[column("ebr_writes")])!)
        }
    }
}

/// The bytes of an example file, read once.
func exampleBytes(_ name: String) -> [UInt8] {
    [UInt8](FileManager.default.contents(atPath: Examples.path(name)) ?? Data())
}

/// Where things are in an uncompressed bitstream, found the way the FPGA finds them.
struct BitstreamLayout {
    static let preamble: [UInt8] = [0xFF, 0xFF, 0xBD, 0xB3]
    /// LSC_PROG_INCR_RTI (0x82), flags 0x91, 13294 frames (0x33EE): the 85F's frame-data command.
    static let frameCommand85F: [UInt8] = [0x82, 0x91, 0x33, 0xEE]
    static let frames85F = 13294
    /// 142 data bytes (1136 bits), 2 CRC bytes, 1 dummy byte.
    static let frameDataBytes = 142
    static let frameStride = 145

    let preambleOffset: Int
    /// The first byte of the first frame sent.
    let frameDataStart: Int

    init?(_ bytes: [UInt8]) {
        guard let p = bytes.firstRange(of: BitstreamLayout.preamble)?.lowerBound,
            let c = bytes[p...].firstRange(of: BitstreamLayout.frameCommand85F)?.lowerBound
        else { return nil }
        preambleOffset = p
        frameDataStart = c + BitstreamLayout.frameCommand85F.count
    }

    /// The offset of a byte in the middle of the `k`-th frame sent. Frames go highest-numbered
    /// first, so that is frame number `frames85F - 1 - k`.
    func middleOfSentFrame(_ k: Int) -> Int {
        frameDataStart + k * BitstreamLayout.frameStride + BitstreamLayout.frameDataBytes / 2
    }
}

/// The same bytes every run: a 64-bit xorshift from a fixed seed.
func deterministicNoise(count: Int, seed: UInt64 = 0x7A97_A1C3_E5D0_0001) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}

// MARK: - Temporary files

/// A fresh directory for files made by one test, removed when the test's body returns.
struct TempDir {
    let url: URL

    /// Writes `bytes` to `name` in the directory and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = url.appendingPathComponent(name).path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot create \(path)")
        return path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

func withTempDir<R>(_ body: (TempDir) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tapwalker-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(TempDir(url: url))
}

// MARK: - Damaged copies of blink-85f.bit

enum Blink85F {
    static let name = "blink-85f.bit"
    static var bytes: [UInt8] { exampleBytes(name) }

    /// One bit flipped in the middle of the data of the `k`-th frame sent, and the number of the
    /// frame it lands in (nil, with an issue, when the frame data cannot be found).
    static func flippingOneBit(inSentFrame k: Int, sourceLocation: SourceLocation = #_sourceLocation)
        -> (bytes: [UInt8], frame: Int)?
    {
        var b = bytes
        guard let layout = BitstreamLayout(b) else {
            Issue.record("no preamble and LSC_PROG_INCR_RTI 0x91 0x33EE in \(name)", sourceLocation: sourceLocation)
            return nil
        }
        b[layout.middleOfSentFrame(k)] ^= 0x10
        return (b, BitstreamLayout.frames85F - 1 - k)
    }

    /// Everything from the preamble on: the comment header dropped.
    static var withoutHeader: [UInt8] {
        let b = bytes
        guard let p = b.firstRange(of: BitstreamLayout.preamble)?.lowerBound else { return [] }
        return Array(b[p...])
    }

    /// The first half of the file: about half of the frames, no usercode, no ISC_PROGRAM_DONE.
    static var firstHalf: [UInt8] {
        let b = bytes
        return Array(b[..<(b.count / 2)])
    }
}

// MARK: - Inputs that are not bitstreams at all

/// Inputs that `info` and `prog` must turn down as unreadable (exit 2) without crashing.
enum UnreadableInput: String, CaseIterable, CustomStringConvertible {
    case noise = "64 KiB of random bytes"
    case empty = "an empty file"
    case directory = "a directory"
    case missing = "a missing file"

    var description: String { rawValue }

    /// Makes the input in `dir` and returns its path.
    func make(in dir: TempDir) -> String {
        switch self {
        case .noise: return dir.write("noise.bit", deterministicNoise(count: 64 * 1024))
        case .empty: return dir.write("empty.bit", [])
        case .directory: return dir.url.path
        case .missing: return dir.path("no-such-file.bit")
        }
    }

    /// What the message must say.
    var message: String {
        switch self {
        case .noise: return "not an ECP5 bitstream"
        case .empty: return "is empty"
        case .directory: return "is a directory"
        case .missing: return "No such file"
        }
    }

    /// True when the input can be opened, so `prog` gets as far as the board before refusing it.
    var reachesTheBoard: Bool { self == .noise || self == .empty }
}

// MARK: - Helper servers that announce themselves

/// Starts a Python helper server (`python3 ARGUMENTS`) that daemonises: it prints its numbers
/// ("PORT PID", "HTTP HTTPS PID") and the launching process exits, closing the pipe. Returns the
/// numbers, `count` of them, or records why not.
func startAnnouncingServer(_ arguments: [String], numbers count: Int, waitSeconds: Double, what: String,
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> [Int] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let handle = out.fileHandleForReading
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var text = ""
    Thread.detachNewThread {
        text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        done.signal()
    }
    if done.wait(timeout: .now() + waitSeconds) == .timedOut { process.terminate() }
    let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
    try #require(fields.count == count, "\(what) printed no ports and pid: '\(text)'", sourceLocation: sourceLocation)
    return fields
}
