#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file system path as the kernel sees it: bytes, which need not be valid UTF-8 (POSIX file
/// names are any bytes but `/` and NUL), and the text that messages show for it.
public struct HostPath: Sendable, Equatable {
    public let bytes: [UInt8]
    /// The path for messages; invalid UTF-8 shows as U+FFFD.
    public let display: String

    public init(_ path: String) {
        bytes = Array(path.utf8)
        display = path
    }

    public init(bytes: [UInt8], display: String? = nil) {
        self.bytes = bytes
        self.display = display ?? String(decoding: bytes, as: UTF8.self)
    }

    /// The directory that holds the path's last component ("." for a bare name).
    public var directory: HostPath {
        var b = bytes
        while b.count > 1, b.last == UInt8(ascii: "/") { b.removeLast() }
        guard let slash = b.lastIndex(of: UInt8(ascii: "/")) else { return HostPath(".") }
        if slash == 0 { return HostPath("/") }
        return HostPath(bytes: Array(b[..<slash]))
    }

    /// The last component ("flash.bin" of "/tmp/flash.bin").
    public var lastComponent: [UInt8] {
        var b = bytes
        while b.count > 1, b.last == UInt8(ascii: "/") { b.removeLast() }
        guard let slash = b.lastIndex(of: UInt8(ascii: "/")) else { return b }
        return Array(b[(slash + 1)...])
    }

    /// `self` followed by `suffix` ("flash.bin" + ".registers").
    public func appending(_ suffix: String) -> HostPath {
        HostPath(bytes: bytes + Array(suffix.utf8), display: display + suffix)
    }

    /// Calls `body` with the path as a NUL-terminated C string, for open(2), stat(2) and rename(2).
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        let terminated = bytes + [0]
        return try terminated.withUnsafeBufferPointer { p in
            try p.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// stat(2) of the path (following symbolic links), or nil with errno set.
    /// A regular file (not a directory, a named pipe or a device), told without opening it: opening
    /// a named pipe to look at it would take the writer's one stream.
    public var isRegularFile: Bool {
        guard let st = status() else { return false }
        return (st.st_mode & S_IFMT) == S_IFREG
    }

    public func status() -> stat? {
        var st = stat()
        return withCString { stat($0, &st) } == 0 ? st : nil
    }

    /// access(2) with `mode` (R_OK, W_OK, X_OK), with errno set when false.
    public func allows(_ mode: Int32) -> Bool {
        withCString { access($0, mode) } == 0
    }
}
