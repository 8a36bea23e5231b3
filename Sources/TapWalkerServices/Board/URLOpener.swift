import TapWalkerCore

/// Opens a URL as an input for a board job: `HTTPSource` over the device's sockets on the
/// firmware, libcurl on a host. Either follows `HTTPFetchRules`; the head of the answer is read by
/// `open`, so a missing file, a refused connection or an untrusted certificate fail there, before
/// the board is touched.
public protocol URLOpener: AnyObject {
    func open(_ url: String) throws(TapWalkerError) -> any ByteSource
}

extension BoardService {
    /// `url` opened by `urls` (the caller inflates gzip and zlib, as for every input). A failure
    /// says that the board was left as it was (nothing has touched it yet).
    public func openURL(_ url: String) throws(TapWalkerError) -> any ByteSource {
        guard let urls else {
            throw TapWalkerError(.usage, "this server does not fetch URLs; nothing was done")
        }
        do throws(TapWalkerError) {
            return try urls.open(url)
        } catch {
            throw error.rephrased("\(error.message); nothing was written, the board was left as it was")
        }
    }
}

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
