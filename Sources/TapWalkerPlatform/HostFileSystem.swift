#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerCore
import TapWalkerServices

/// The host's files as the board service opens them by name (passthru bitstreams): regular files.
public final class HostFileSystem: BoardFileSystem {
    public init() {}

    public func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    public func open(_ path: String) throws(TapWalkerError) -> any ByteSource {
        try FileSource(path: path)
    }
}
