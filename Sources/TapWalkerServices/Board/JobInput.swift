import TapWalkerCore

// How a front end's named input (a stored file or a URL) becomes a board job's input: one rule
// for FTP, HTTP and the console, applied before the board is taken.
extension BoardService {
    /// A job's input as a line-based front end names it (`SITE PROG`, the console's `prog`): an
    /// http:// or https:// URL, fetched by `urls`, else a file of `store` (`openStored`).
    public func openInput(_ name: String, in store: any FileStore, directory: [UInt8] = [UInt8(ascii: "/")]) throws(TapWalkerError) -> any ByteSource {
        HTTPURL.looksLikeURL(name) ? try openURL(name) : try BoardService.openStored(name, in: store, directory: directory)
    }

    /// The regular file `name` of `store`, relative to `directory` and confined to the store
    /// (`StorePath`). Opened before the board is taken, so a missing file or a directory is
    /// refused with the board as it was.
    public static func openStored(_ name: String, in store: any FileStore, directory: [UInt8] = [UInt8(ascii: "/")]) throws(TapWalkerError) -> any ByteSource {
        try store.openForReading(try BoardService.storedPath(name, in: store, directory: directory), offset: 0)
    }

    /// The path `openStored` opens, checked to be a regular file of `store`.
    public static func storedPath(_ name: String, in store: any FileStore, directory: [UInt8] = [UInt8(ascii: "/")]) throws(TapWalkerError) -> String {
        guard !name.isEmpty else { throw TapWalkerError(.usage, "a path is needed") }
        let path = String(decoding: try StorePath.resolve(Array(name.utf8), in: directory), as: UTF8.self)
        guard !(try store.info(path)).isDirectory else { throw TapWalkerError(.input, "\(path) is a directory; nothing was done") }
        return path
    }
}
