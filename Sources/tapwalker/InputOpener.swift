import TapWalkerCore
import TapWalkerCurl
import TapWalkerPlatform

/// The one place the commands open a bitstream, image or SVF file: an `http://` or `https://` URL
/// (a `CurlSource`: libcurl, under `HTTPFetchRules`), `-` for standard input, or a file path (its
/// bytes as given on the command line, UTF-8 or not). The input is handed to the board service as
/// it is; the service inflates gzip and zlib by content and refuses SVF text given to a bitstream job.
func openInput(_ path: String, _ urls: URLOptions) throws(TapWalkerError) -> any ByteSource {
    if HTTPURL.looksLikeURL(path) { return try CurlSource(url: path, options: urls.curl) }
    return try FileSource(path: RawArguments.path(path))
}

/// An input for a bitstream command: `openInput`, with SVF refused by its name or its first bytes
/// before the cable is opened (`SniffedSource`).
func openBitstreamInput(_ path: String, _ urls: URLOptions) throws(TapWalkerError) -> any ByteSource {
    if SVFInput.hasSVFName(path) { throw SVFInput.refusal(path) }
    return try SniffedSource(openInput(path, urls))
}
