import TapWalkerCore
import TapWalkerPlatform

/// The one place the commands open a bitstream or image: an `http://` URL (an `HTTPSource` over
/// POSIX sockets; `https://` is refused as bad usage), `-` for standard input, or a file path.
/// gzip and zlib are recognised by content and inflated on the fly, whatever the source.
func openInput(_ path: String) throws(TapWalkerError) -> any ByteSource {
    let inner: any ByteSource
    if HTTPURL.looksLikeURL(path) {
        inner = try HTTPSource(url: path) { TCPConnection() }
    } else {
        inner = try FileSource(path: path)
    }
    return DecompressingSource(inner)
}
