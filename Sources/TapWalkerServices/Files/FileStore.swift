import TapWalkerCore

/// One entry of the FTP root, as listings and SIZE/MDTM need it.
public struct FileInfo {
    public var name: String
    public var isDirectory: Bool
    public var size: Int
    /// Last modification, seconds since 1970-01-01 UTC.
    public var modified: Int

    public init(name: String, isDirectory: Bool, size: Int, modified: Int) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
        self.modified = modified
    }
}

/// An open file being written by STOR/APPE.
public protocol FileWriter: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError)
    /// Finishes the file (again is harmless).
    func close() throws(TapWalkerError)
}

/// The storage the FTP server shows: a directory on the host (POSIX), the flash file system or SD
/// card on the ESP32. Every `path` is already normalised by `StorePath` ("/", "/a/b.bit": absolute in
/// the store, no "." or ".." left); the implementation maps it under its root and must still
/// refuse a path that leaves the root through a symbolic link, also when a directory is replaced
/// by one while the request runs (the host's store follows no link at all). Errors are messages
/// for the client ("no such file or directory: /a.bit").
public protocol FileStore: AnyObject {
    func info(_ path: String) throws(TapWalkerError) -> FileInfo
    /// The entries of a directory, without "." and "..", in the order they should be listed.
    func list(_ path: String) throws(TapWalkerError) -> [FileInfo]
    /// A regular file's bytes from `offset` on (REST).
    func openForReading(_ path: String, offset: Int) throws(TapWalkerError) -> any ByteSource
    /// Creates or truncates a regular file, or appends to it.
    func openForWriting(_ path: String, append: Bool) throws(TapWalkerError) -> any FileWriter
    func rename(_ from: String, to: String) throws(TapWalkerError)
    func removeFile(_ path: String) throws(TapWalkerError)
    func makeDirectory(_ path: String) throws(TapWalkerError)
    func removeDirectory(_ path: String) throws(TapWalkerError)
}
