import TapWalkerCore

/// The files a board job may open by name (a passthru bitstream chosen by IDCODE): the host's
/// directories, the FTP root, or the firmware's flash file system and SD card. `open` returns the
/// file as stored; the job inflates gzip and zlib itself.
public protocol BoardFileSystem: AnyObject {
    /// Whether a regular file exists at `path`.
    func isFile(_ path: String) -> Bool
    func open(_ path: String) throws(TapWalkerError) -> any ByteSource
}
