#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerCore

/// Checks of the files a command will use, made before it starts (before a server listens, before
/// a flash job clears the SRAM), so that a wrong path is a usage error that names the option and
/// the problem instead of a failure halfway through. `option` is how messages name the path
/// ("--stats", "-o").
public enum PathCheck {
    /// A file that `FileSink` will create or replace: its directory exists and can be written, and
    /// the path is not a directory; an existing file must be writable (a read-only file is the
    /// user's way of saying keep it).
    public static func outputFile(_ path: HostPath, option: String) throws(TapWalkerError) {
        let shown = "\(option) \(path.display)"
        guard !path.bytes.isEmpty else { throw TapWalkerError(.usage, "\(option) needs a path") }
        if let st = path.status() {
            let kind = st.st_mode & S_IFMT
            guard kind != S_IFDIR else {
                throw TapWalkerError(.usage, "\(shown) is a directory; give a file name")
            }
            guard kind == S_IFREG else {
                throw TapWalkerError(.usage, "\(shown) is not a regular file; give a file name (- is standard output where the command takes it)")
            }
            guard path.allows(W_OK) else {
                throw TapWalkerError(.usage, "\(shown) cannot be written: \(errnoText())")
            }
        }
        let directory = path.directory
        guard let dst = directory.status() else {
            throw TapWalkerError(.usage, "\(shown): the directory \(directory.display) does not exist (\(errnoText()))")
        }
        guard (dst.st_mode & S_IFMT) == S_IFDIR else {
            throw TapWalkerError(.usage, "\(shown): \(directory.display) is not a directory")
        }
        guard directory.allows(W_OK | X_OK) else {
            throw TapWalkerError(.usage, "\(shown): the directory \(directory.display) cannot be written: \(errnoText())")
        }
    }

    /// A directory a server reads (and, when `writable`, changes).
    public static func directory(_ path: HostPath, option: String, writable: Bool) throws(TapWalkerError) {
        let shown = "\(option) \(path.display)"
        guard let st = path.status() else {
            throw TapWalkerError(.usage, "\(shown): \(errnoText()); give an existing directory")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw TapWalkerError(.usage, "\(shown) is not a directory")
        }
        guard path.allows(R_OK | X_OK) else {
            throw TapWalkerError(.usage, "\(shown) cannot be read: \(errnoText())")
        }
        if writable, !path.allows(W_OK) {
            throw TapWalkerError(.usage, "\(shown) cannot be written (\(errnoText())), and uploads store files there")
        }
    }

    /// An existing file (or, when `blockDevice`, a block device) that is read and written in
    /// place; returns its size in bytes.
    public static func existingFile(_ path: HostPath, option: String, blockDevice: Bool = false) throws(TapWalkerError) -> Int {
        let shown = "\(option) \(path.display)"
        guard let st = path.status() else {
            throw TapWalkerError(.usage, "\(shown): \(errnoText())")
        }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFREG || (blockDevice && kind == S_IFBLK) else {
            throw TapWalkerError(.usage, kind == S_IFDIR ? "\(shown) is a directory, not a file" : "\(shown) is not a regular file" + (blockDevice ? " or a block device" : ""))
        }
        guard path.allows(R_OK | W_OK) else {
            throw TapWalkerError(.usage, "\(shown) cannot be read and written: \(errnoText())")
        }
        if kind == S_IFREG { return Int(st.st_size) }
        // A block device's size is where its end is.
        let fd = path.withCString { open($0, O_RDONLY) }
        guard fd >= 0 else { throw TapWalkerError(.usage, "\(shown): \(errnoText())") }
        defer { close(fd) }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { throw TapWalkerError(.usage, "\(shown): \(errnoText())") }
        return Int(end)
    }
}
