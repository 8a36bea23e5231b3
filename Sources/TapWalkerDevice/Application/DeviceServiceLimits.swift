import TapWalkerServices

/// The servers' limits on the device, written once. Every FTP or HTTP connection is a task with
/// its own stack (`DeviceTaskStacks.client`) and session buffers (FTP: about 3.5 KB and a 4 KB
/// transfer buffer while it transfers, README's figures), on a chip with roughly 150–200 KB of
/// heap once WiFi runs; the host's limits of 8 each would not fit.
enum DeviceServiceLimits {
    static var ftp: FTPServerOptions {
        var o = FTPServerOptions()
        // Two users at once (one programs, one browses); two more connections may be logging in.
        o.maximumClients = 2
        o.maximumWaiting = 2
        // One per address, below the two in all: one host alone never holds every place.
        o.maximumWaitingPerAddress = 1
        // 4 KB a transfer rather than 16: lwIP's TCP window on the chip is smaller than that
        // anyway, and a transfer's figure leaves room beside the board job's reserve
        // (docs/memory-admission.md).
        o.transferBufferBytes = 4096
        return o
    }

    static var http: HTTPServerOptions {
        var o = HTTPServerOptions()
        // A browser opens a few connections at once: the page, the event stream, an upload.
        o.maximumClients = 4
        // Not logged in: 3 places (still within the 4 tasks), 2 from one address, so that a
        // browser's page and API requests on the access point's setup page do not push each
        // other out, while one address alone never holds every place.
        o.maximumPreLoginClients = 3
        o.maximumPreLoginPerAddress = 2
        // Every answer closes its connection: idle keep-alive connections would hold tasks and
        // the memory a new request is admitted against.
        o.keepAlive = false
        o.onDevice = true
        return o
    }

    /// Tasks one service may have at once; a connection past it is refused on the accept task.
    static var ftpTasks: Int { ftp.maximumClients + ftp.maximumWaiting }
    static var httpTasks: Int { http.maximumClients }

    /// The largest input the board service holds to check it before touching the board; larger
    /// inputs are checked on their way through (the embedded check measures jobs with this bound).
    static let inputBufferLimit = 4096

    /// The longest SVF vector played: twice ecppack's 8000-bit SDRs, about 2 KB for each of TDI,
    /// TDO and MASK and 4 KB of hex digits while one is read (docs/svf.md §7).
    static let svfMaxVectorBits = 16384
}
