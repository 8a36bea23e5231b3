import Foundation
import TapWalkerCore
import TapWalkerFAT
import Testing

/// A FAT image made by Debian's mkfs.vfat in a scratch directory, filled and checked with mtools
/// and fsck.vfat: the tools of another implementation, so the tests compare the volume with what
/// they write and read.
final class FATImage {
    let directory: URL
    let path: String

    /// `mkfs.vfat -F bits` on an image of `megabytes` MB; `options`: more mkfs.vfat options.
    init(fat bits: Int, megabytes: Int, options: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("sd.img").path
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(megabytes) << 20)
        try handle.close()
        try FATImage.run("mkfs.vfat", ["-F", "\(bits)", "-n", "TAPWALKER"] + options + [path])
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Puts `bytes` on the image as `name` (a path on the image, "/dir/name") with mcopy.
    func put(_ bytes: [UInt8], as name: String) throws {
        let local = directory.appendingPathComponent("put-\(UUID().uuidString)")
        try Data(bytes).write(to: local)
        try FATImage.run("mcopy", ["-i", path, local.path, "::" + name])
    }

    func makeDirectory(_ name: String) throws {
        try FATImage.run("mmd", ["-i", path, "::" + name])
    }

    /// The bytes mcopy reads from the image for `name`.
    func get(_ name: String) throws -> [UInt8] {
        let local = directory.appendingPathComponent("get-\(UUID().uuidString)")
        try FATImage.run("mcopy", ["-i", path, "::" + name, local.path])
        return [UInt8](try Data(contentsOf: local))
    }

    /// The names mdir lists in `directory` (long names, one a line with -b).
    func names(_ directory: String = "/") throws -> [String] {
        let out = try FATImage.run("mdir", ["-i", path, "-b", "::" + directory])
        return out.split(separator: "\n").map { String($0.split(separator: "/").last ?? "") }.sorted()
    }

    /// fsck.vfat -n: checks without changing anything; returns its report, fails on a problem.
    @discardableResult
    func fsck() throws -> String {
        try FATImage.run("fsck.vfat", ["-n", path])
    }

    func mount() throws(TapWalkerError) -> FATVolume {
        try FATVolume(device: try FileSectors(path))
    }

    /// Runs a tool; a non-zero exit is an error carrying its output.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        guard let executable = ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map({ $0 + tool })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ToolError(text: "\(tool) is not installed (dosfstools and mtools; scripts/test.sh installs them)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["MTOOLS_SKIP_CHECK"] = "1"
        environment["MTOOLS_NO_VFAT"] = nil
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ToolError(text: "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(text)")
        }
        return text
    }

    struct ToolError: Error, CustomStringConvertible {
        let text: String
        var description: String { text }
    }
}

/// An image file as 512-byte sectors, read and written in place with pread/pwrite; counts the
/// sectors moved, so a test can see the volume never reads the whole image.
final class FileSectors: FATSectors {
    private let fd: Int32
    private let sectors: Int
    private(set) var reads = 0
    private(set) var writes = 0

    init(_ path: String) throws(TapWalkerError) {
        fd = Glibc.open(path, O_RDWR)
        guard fd >= 0 else { throw TapWalkerError(.input, "cannot open \(path)") }
        sectors = Int(lseek(fd, 0, SEEK_END)) / 512
    }

    deinit { close(fd) }

    func sectorCount() throws(TapWalkerError) -> Int { sectors }

    func read(sector: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        guard buffer.count == 512, sector >= 0, sector < sectors,
              pread(fd, buffer.baseAddress, 512, off_t(sector) * 512) == 512 else {
            throw TapWalkerError(.device, "reading sector \(sector) failed")
        }
        reads += 1
    }

    func write(sector: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        guard bytes.count == 512, sector >= 0, sector < sectors,
              pwrite(fd, bytes.baseAddress, 512, off_t(sector) * 512) == 512 else {
            throw TapWalkerError(.device, "writing sector \(sector) failed")
        }
        writes += 1
    }
}

/// Bytes that differ from position to position (and from seed to seed), so a misplaced cluster shows.
func pattern(_ count: Int, seed: UInt32) -> [UInt8] {
    var state = seed | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return UInt8(truncatingIfNeeded: state)
    }
}

extension FATVolume {
    /// The whole file at `path`, read in chunks of `chunk` bytes.
    func contents(_ path: String, chunk: Int = 700) throws(TapWalkerError) -> [UInt8] {
        let file = try open(path, mode: .read)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withMutableBytes { (p) throws(TapWalkerError) -> Int in try file.read(into: p) }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        try file.close()
        return out
    }

    /// Writes `bytes` to `path` in chunks of `chunk` bytes.
    func store(_ bytes: [UInt8], at path: String, mode: FATOpenMode = .write, chunk: Int = 1000) throws(TapWalkerError) {
        let file = try open(path, mode: mode)
        var at = 0
        while at < bytes.count {
            let end = min(at + chunk, bytes.count)
            try bytes.withBytes { (p) throws(TapWalkerError) in try file.write(UnsafeRawBufferPointer(rebasing: p[at..<end])) }
            at = end
        }
        try file.close()
    }
}
