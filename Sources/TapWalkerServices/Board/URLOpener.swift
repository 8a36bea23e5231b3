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
