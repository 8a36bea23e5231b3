import TapWalkerCore
import TapWalkerPlatform

/// The one place the commands open a bitstream or image: an `http://` URL (an `HTTPSource` over
/// POSIX sockets; `https://` is refused as bad usage), `-` for standard input, or a file path
/// (its bytes as given on the command line, UTF-8 or not). gzip and zlib are recognised by
/// content and inflated on the fly, whatever the source; SVF is refused by name or content.
func openInput(_ path: String) throws(TapWalkerError) -> any ByteSource {
    if SVFInput.hasSVFName(path) { throw SVFInput.refusal(path) }
    let inner: any ByteSource
    if HTTPURL.looksLikeURL(path) {
        inner = try HTTPSource(url: path, clock: { UInt64(MonotonicClock.now() * 1_000_000) }) { TCPConnection() }
    } else {
        inner = try FileSource(path: RawArguments.path(path))
    }
    return try SniffedSource(DecompressingSource(inner))
}

/// An SVF file for `tapwalker svf`: the same sources as `openInput`, gzip inflated, without the
/// refusal of SVF text.
func openSVFInput(_ path: String) throws(TapWalkerError) -> any ByteSource {
    if HTTPURL.looksLikeURL(path) { return DecompressingSource(try HTTPSource(url: path) { TCPConnection() }) }
    return DecompressingSource(try FileSource(path: RawArguments.path(path)))
}
