/// The rules every download of an input follows, whichever client makes it (`HTTPSource` on
/// sockets; on a host, libcurl for http and https): written once here so that a URL behaves the
/// same way, with the same messages, on every path (docs/url-sources.md).
///
/// - at most `maxRedirects` redirects, each to an absolute http:// or https:// URL (or a path on
///   the same server); anything else (ftp://, file://) is refused;
/// - the connect and every wait for data at most `waitMilliseconds`, and the whole transfer
///   bounded by `HTTPTransferDeadline.Rule` (an average rate after a grace);
/// - only a 2xx answer is a body; the body is exactly what Content-Length announces (bytes after
///   it are never read), and one that ends early, or stops arriving, is data cut short (exit 1);
/// - the size bound is the board's, not the download's: the board service reads an input ahead up
///   to the part's largest bitstream and refuses a longer one before the board is touched.
public enum HTTPFetchRules {
    public static let maxRedirects = 3
    public static let waitMilliseconds = 30_000
    public static let redirectStatuses: [Int] = [301, 302, 303, 307, 308]

    public static func isRedirect(_ status: Int) -> Bool { redirectStatuses.contains(status) }

    /// The schemes a redirect may lead to.
    public static func followable(_ location: String) -> Bool {
        let b = Array(location.utf8)
        return HTTPURL.hasScheme(b, "http://") || HTTPURL.hasScheme(b, "https://")
    }

    public static func tooManyRedirects(_ name: String, statusLine: String, location: String) -> TapWalkerError {
        TapWalkerError(.input, "\(name): too many redirects (more than \(maxRedirects)); the last one was '\(statusLine)' to \(location)")
    }

    public static func redirectRefused(_ name: String, location: String) -> TapWalkerError {
        TapWalkerError(.input, "\(name): the server redirects to '\(location)'; only http:// and https:// URLs (and paths on the same server) are followed")
    }

    public static func refusedAnswer(_ name: String, statusLine: String) -> TapWalkerError {
        TapWalkerError(.input, "\(name): server answered '\(statusLine)'")
    }

    /// The body ended before its announced length.
    public static func closedEarly(_ name: String, received: Int, total: Int) -> TapWalkerError {
        TapWalkerError(.data, "\(name): the connection closed after \(received) of \(total) bytes (Content-Length)")
    }

    /// A wait that failed once the body had begun (a stall, the transfer's deadline, a reset):
    /// the input is cut short, which is the data saying no (exit 1), not an unreadable input.
    /// (What the server sent wrong, a broken chunk, stays what it was.)
    public static func cutShort(_ error: TapWalkerError, received: Int, total: Int?) -> TapWalkerError {
        if error.kind != .input { return error }
        let of = total.map { " of \($0)" } ?? ""
        return TapWalkerError(.data, "\(error.message) (after \(received)\(of) bytes of the body)")
    }

    /// No byte for `waitMilliseconds`.
    public static func stalled(_ name: String, milliseconds: Int) -> TapWalkerError {
        TapWalkerError(.input, "\(name): the server sent nothing for \(milliseconds / 1000) s; gave up waiting")
    }
}
