import TapWalkerCore
import TapWalkerCurl
import TapWalkerPlatform

/// The one place the commands open a bitstream or image: an `http://` or `https://` URL (a
/// `CurlSource`: libcurl, under `HTTPFetchRules`), `-` for standard input, or a file path
/// (its bytes as given on the command line, UTF-8 or not). gzip and zlib are recognised by
/// content and inflated on the fly, whatever the source; SVF is refused by name or content.
func openInput(_ path: String, _ urls: URLOptions) throws(TapWalkerError) -> any ByteSource {
    if SVFInput.hasSVFName(path) { throw SVFInput.refusal(path) }
    let inner: any ByteSource
    if HTTPURL.looksLikeURL(path) {
        inner = try CurlSource(url: path, options: urls.curl)
    } else {
        inner = try FileSource(path: RawArguments.path(path))
    }
    return try SniffedSource(DecompressingSource(inner))
}

/// An SVF file for `tapwalker svf`: the same sources as `openInput`, gzip inflated, without the
/// refusal of SVF text.
func openSVFInput(_ path: String, _ urls: URLOptions) throws(TapWalkerError) -> any ByteSource {
    if HTTPURL.looksLikeURL(path) { return DecompressingSource(try CurlSource(url: path, options: urls.curl)) }
    return DecompressingSource(try FileSource(path: RawArguments.path(path)))
}
