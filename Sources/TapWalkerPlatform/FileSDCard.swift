#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapWalkerCore
import TapWalkerServices

/// The SD card of `serve --ftp --sd PATH`: an image file or a block device written raw with
/// pwrite. A host has no card file system of its own to mount, so MOUNT says so; UMOUNT (and the
/// release before a raw write) has nothing to do.
public final class FileSDCard: SDCard {
    private let fd: Int32
    public let name: String

    public convenience init(path: String) throws(TapWalkerError) {
        try self.init(path: HostPath(path))
    }

    /// Opens the card by the path's bytes (a name need not be valid UTF-8).
    public init(path: HostPath) throws(TapWalkerError) {
        let d = path.withCString { open($0, O_RDWR) }
        guard d >= 0 else {
            throw TapWalkerError(.usage, "--sd \(path.display): \(errnoText()); give an existing image file or block device")
        }
        fd = d
        name = path.display
        let size = (try? self.size()) ?? 0
        guard size >= FTPDestination.sdBlock else {
            close(d)
            throw TapWalkerError(.usage, "--sd \(path) has \(size) bytes; a card image needs at least one 512-byte block")
        }
    }

    deinit { close(fd) }

    public func size() throws(TapWalkerError) -> Int {
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { throw TapWalkerError(.input, "\(name): \(errnoText())") }
        return Int(end) / FTPDestination.sdBlock * FTPDestination.sdBlock
    }

    public func write(at offset: Int, _ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        try writeAll(fd, bytes, name, at: offset)
    }

    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw TapWalkerError(.input, "\(name): reading at byte \(offset + done): \(n == 0 ? "end of file" : errnoText())") }
            done += n
        }
    }

    public func flush() throws(TapWalkerError) {
        guard fsync(fd) == 0 else { throw TapWalkerError(.input, "\(name): \(errnoText())") }
    }

    public func mount() throws(TapWalkerError) -> String {
        throw TapWalkerError(.input, "on the host the card is the raw image \(name); there is no file system to mount (STOR sd@ADDR writes it)")
    }

    public func unmount() throws(TapWalkerError) -> String {
        "the card \(name) is not mounted on the host; nothing to release"
    }
}
