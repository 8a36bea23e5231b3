import CCurl
import Glibc
import TapWalkerCore
import TapWalkerServices

/// An `http://` or `https://` URL as a `ByteSource`, through libcurl (host only): TLS is
/// OpenSSL's through curl, never TapWalker's own.
///
/// Both schemes go through libcurl on the host, not only https: a server that moves a file from
/// http:// to https:// (a common redirect) is then followed like any other, and one client means
/// one behaviour. The portable `HTTPSource` stays the device's client, where libcurl is not.
/// Either way the rules are `HTTPFetchRules`: redirects are followed here, by this code, not by
/// curl (at most 3, only to http:// or https://), each wait and the whole transfer are bounded the
/// same way, and the messages are the same.
///
/// Like `HTTPSource`, `init` makes the request and reads the answer's head, so a missing file, a
/// refused connection, an untrusted certificate or a redirect loop fail before anything reaches a
/// board. The body is pulled as the caller reads: curl is paused when `bufferLimit` bytes wait, so
/// memory stays bounded however fast the server sends.
public final class CurlSource: ByteSource {
    public struct Options {
        /// A PEM file of CA certificates trusted in addition to the system's.
        public var caFile: String?
        public var waitMilliseconds = HTTPFetchRules.waitMilliseconds
        public var deadline = HTTPTransferDeadline.Rule()
        public init(caFile: String? = nil) { self.caFile = caFile }
    }

    public let name: String
    public private(set) var totalBytes: Int?
    /// The URL finally read, after redirects.
    public private(set) var finalURL: String
    static let bufferLimit = 65536

    private let options: Options
    private let caBundle: [UInt8]?
    private let multi: UnsafeMutableRawPointer
    private var easy: UnsafeMutableRawPointer?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    private var finished: CURLcode?
    private var transfer: HTTPTransferDeadline?
    // Filled by the callbacks.
    fileprivate var pending: [UInt8] = []
    fileprivate var pendingStart = 0
    fileprivate var paused = false
    fileprivate var statusLine = ""
    fileprivate var status = 0
    fileprivate var headDone = false
    fileprivate var location: String?
    fileprivate var received = 0
    /// When bytes last arrived (head or body): a wait is measured from here.
    fileprivate var lastData: UInt64 = 0

    public init(url: String, options: Options = Options()) throws(TapWalkerError) {
        name = url
        finalURL = url
        self.options = options
        caBundle = try options.caFile.map { (path) throws(TapWalkerError) in try CurlSource.bundle(adding: path) }
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        multi = curl_multi_init()!
        var redirects = 0
        while true {
            try start(finalURL)
            try pump { $0.headDone }
            guard HTTPFetchRules.isRedirect(status) else { break }
            let target = redirectTarget()
            guard let target else {
                throw TapWalkerError(.input, "\(name): server answered '\(statusLine)' without a Location header")
            }
            if redirects == HTTPFetchRules.maxRedirects {
                throw HTTPFetchRules.tooManyRedirects(name, statusLine: statusLine, location: target)
            }
            guard HTTPFetchRules.followable(target) else { throw HTTPFetchRules.redirectRefused(name, location: target) }
            redirects += 1
            finalURL = target
        }
        guard status >= 200 && status < 300 else { throw HTTPFetchRules.refusedAnswer(name, statusLine: statusLine) }
        var length: curl_off_t = -1
        if tw_curl_get_offset(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK, length >= 0 {
            totalBytes = Int(length)
        }
        transfer = HTTPTransferDeadline(name: name, rule: options.deadline, clock: CurlSource.microseconds)
    }

    deinit {
        stop()
        curl_multi_cleanup(multi)
        errorBuffer.deallocate()
    }

    public func read(into out: UnsafeMutableRawBufferPointer) throws(TapWalkerError) -> Int {
        guard out.count > 0 else { return 0 }
        while pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
            if let code = finished {
                if code == CURLE_OK { return 0 }
                if code == CURLE_PARTIAL_FILE, let total = totalBytes {
                    throw HTTPFetchRules.closedEarly(name, received: received, total: total)
                }
                throw HTTPFetchRules.cutShort(failure(code), received: received, total: totalBytes)
            }
            if paused {
                paused = false
                curl_easy_pause(easy, CURLPAUSE_CONT)
            }
            do throws(TapWalkerError) { try wait() } catch {
                throw HTTPFetchRules.cutShort(error, received: received, total: totalBytes)
            }
        }
        let n = min(out.count, pending.count - pendingStart)
        pending.withUnsafeBytes { p in
            out.baseAddress!.copyMemory(from: p.baseAddress! + pendingStart, byteCount: n)
        }
        pendingStart += n
        return n
    }

    // MARK: - The transfer

    private func start(_ url: String) throws(TapWalkerError) {
        stop()
        guard let e = curl_easy_init() else { throw TapWalkerError(.input, "\(name): libcurl could not start a transfer") }
        easy = e
        statusLine = ""
        status = 0
        headDone = false
        location = nil
        finished = nil
        lastData = CurlSource.microseconds()
        tw_curl_set_string(e, CURLOPT_URL, url)
        // Redirects are ours (HTTPFetchRules); curl only fetches.
        tw_curl_set_long(e, CURLOPT_FOLLOWLOCATION, 0)
        tw_curl_set_string(e, CURLOPT_PROTOCOLS_STR, "http,https")
        tw_curl_set_long(e, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        tw_curl_set_long(e, CURLOPT_NOSIGNAL, 1)
        tw_curl_set_long(e, CURLOPT_CONNECTTIMEOUT_MS, options.waitMilliseconds)
        tw_curl_set_string(e, CURLOPT_USERAGENT, "tapwalker")
        errorBuffer[0] = 0
        tw_curl_set_pointer(e, CURLOPT_ERRORBUFFER, errorBuffer)
        if let caBundle {
            caBundle.withUnsafeBytes { (p: UnsafeRawBufferPointer) in
                var blob = curl_blob(data: UnsafeMutableRawPointer(mutating: p.baseAddress), len: p.count, flags: UInt32(CURL_BLOB_COPY))
                _ = tw_curl_set_pointer(e, CURLOPT_CAINFO_BLOB, &blob)
            }
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        tw_curl_set_callback(e, CURLOPT_HEADERFUNCTION, curlHeader)
        tw_curl_set_pointer(e, CURLOPT_HEADERDATA, me)
        tw_curl_set_callback(e, CURLOPT_WRITEFUNCTION, curlWrite)
        tw_curl_set_pointer(e, CURLOPT_WRITEDATA, me)
        curl_multi_add_handle(multi, e)
    }

    private func stop() {
        guard let e = easy else { return }
        curl_multi_remove_handle(multi, e)
        curl_easy_cleanup(e)
        easy = nil
    }

    /// Runs the transfer until `done` or the end; an error before the head is complete is thrown.
    private func pump(until done: (CurlSource) -> Bool) throws(TapWalkerError) {
        while !done(self) {
            if let code = finished {
                if code == CURLE_OK { throw TapWalkerError(.input, "\(name): the connection closed before an answer") }
                throw failure(code)
            }
            try wait()
        }
    }

    /// One round: lets curl work, then waits for the sockets up to what the rules allow.
    private func wait() throws(TapWalkerError) {
        perform()
        if finished != nil || pendingStart < pending.count || headDone && paused { return }
        let silent = Int((CurlSource.microseconds() &- lastData) / 1000)
        guard silent < options.waitMilliseconds else { throw HTTPFetchRules.stalled(name, milliseconds: options.waitMilliseconds) }
        var timeout = options.waitMilliseconds - silent
        if let transfer {
            transfer.received = received
            timeout = try transfer.timeout(idle: timeout)
        }
        var fds: Int32 = 0
        curl_multi_poll(multi, nil, 0, Int32(min(timeout, 1000)), &fds)
        perform()
    }

    private func perform() {
        var running: Int32 = 0
        curl_multi_perform(multi, &running)
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            if message.pointee.msg == CURLMSG_DONE { finished = message.pointee.data.result }
        }
    }

    /// The redirect's Location as an absolute URL, resolved against the URL that answered (curl's
    /// URL parser, RFC 3986); as given when it cannot be resolved (the refusal then quotes it).
    private func redirectTarget() -> String? {
        guard let location else { return nil }
        guard let u = curl_url() else { return location }
        defer { curl_url_cleanup(u) }
        var out: UnsafeMutablePointer<CChar>?
        guard curl_url_set(u, CURLUPART_URL, finalURL, 0) == CURLUE_OK,
              curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK,
              curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK, let out else { return location }
        defer { curl_free(out) }
        return String(cString: out)
    }

    /// curl's failure in TapWalker's words: the certificate, a timeout, or curl's own message.
    private func failure(_ code: CURLcode) -> TapWalkerError {
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            return TapWalkerError(.input, "\(name): the server's certificate is not trusted (\(detail)); nothing was downloaded. If the server's CA is your own, give its certificate with --ca-file PATH")
        case CURLE_OPERATION_TIMEDOUT:
            return HTTPFetchRules.stalled(name, milliseconds: options.waitMilliseconds)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return TapWalkerError(.usage, "\(name): \(detail)")
        default:
            return TapWalkerError(.input, "\(name): \(detail)")
        }
    }

    /// The system's CAs (the bundle libcurl was built to use) followed by the ones in `path`.
    static func bundle(adding path: String) throws(TapWalkerError) -> [UInt8] {
        guard let extra = readFile(path), extra.count < 4 << 20 else {
            throw TapWalkerError(.usage, "--ca-file \(path): cannot read it (\(String(cString: strerror(errno))))")
        }
        guard String(decoding: extra, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw TapWalkerError(.usage, "--ca-file \(path): no PEM certificate in it (-----BEGIN CERTIFICATE-----)")
        }
        var system: [UInt8] = []
        if let cainfo = tw_curl_default_ca() {
            system = readFile(String(cString: cainfo)) ?? []
        }
        return system + [10] + extra
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n == 0 { break }
            all += chunk[0..<n]
            if all.count > 64 << 20 { return nil }
        }
        return ferror(f) == 0 ? all : nil
    }

    static func microseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000 + UInt64(t.tv_nsec) / 1000
    }
}

/// One header line (curl passes them whole, CRLF included): the status line, Location, and the
/// empty line that ends a head. A 1xx head is followed by another.
private func curlHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ me: UnsafeMutableRawPointer?) -> Int {
    let n = size * count
    guard let data, let me else { return n }
    let source = Unmanaged<CurlSource>.fromOpaque(me).takeUnretainedValue()
    source.lastData = CurlSource.microseconds()
    var line = Array(UnsafeRawBufferPointer(start: data, count: n))
    while let last = line.last, last == 10 || last == 13 { line.removeLast() }
    if line.starts(with: Array("HTTP/".utf8)) {
        source.statusLine = String(decoding: line, as: UTF8.self)
        let words = line.split(separator: 32)
        source.status = words.count > 1 ? Int(String(decoding: words[1], as: UTF8.self)) ?? 0 : 0
        source.location = nil
    } else if line.isEmpty {
        if source.status >= 200 { source.headDone = true }
    } else if let colon = line.firstIndex(of: UInt8(ascii: ":")),
              HTTPMessageReader.equalFold(line[..<colon], "location") {
        source.location = String(decoding: HTTPMessageReader.trimmed(line[(colon + 1)...]), as: UTF8.self)
    }
    return n
}

/// Body bytes: kept for `read` when the answer is the body (2xx), dropped otherwise (a redirect's
/// or an error page's); curl is paused while `bufferLimit` bytes wait.
private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ me: UnsafeMutableRawPointer?) -> Int {
    let n = size * count
    guard let data, let me else { return n }
    let source = Unmanaged<CurlSource>.fromOpaque(me).takeUnretainedValue()
    guard source.status >= 200 && source.status < 300 else { return n }
    if source.pending.count - source.pendingStart + n > CurlSource.bufferLimit && source.pending.count > source.pendingStart {
        source.paused = true
        return tw_curl_write_pause()
    }
    source.pending.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n))
    source.received += n
    source.lastData = CurlSource.microseconds()
    return n
}

/// `tapwalker serve`'s URL inputs (FTP `SITE PROG URL`, `POST /api/fpga` with a URL): libcurl.
public final class CurlURLOpener: URLOpener {
    let options: CurlSource.Options
    public init(options: CurlSource.Options) { self.options = options }
    public func open(_ url: String) throws(TapWalkerError) -> any ByteSource { try CurlSource(url: url, options: options) }
}
