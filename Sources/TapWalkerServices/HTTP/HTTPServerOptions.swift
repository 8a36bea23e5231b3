/// Limits of the HTTP server. Every one bounds something a client could otherwise grow.
public struct HTTPServerOptions {
    /// "METHOD target HTTP/1.1": longer gets 414 and the connection is closed.
    public var maximumRequestLine = 2048
    /// One header line; longer gets 431.
    public var maximumHeaderLine = 2048
    /// Header lines of one request; more get 431.
    public var maximumHeaders = 32
    /// Any wait for the client's next bytes (also the keep-alive wait between requests).
    public var idleTimeoutMilliseconds = 60_000
    /// A whole request head, however its bytes are spread out, for a logged-in connection.
    public var headTimeoutMilliseconds = 20_000
    /// Sending: a client that takes nothing for this long is dropped.
    public var sendTimeoutMilliseconds = 30_000
    /// Connections at once; one more is answered 503 and closed. On the ESP32 each is a task.
    public var maximumClients = 8
    /// Of those, connections that have not logged in yet: a few, so that strangers cannot fill
    /// the server.
    public var maximumPreLoginClients = 3
    /// Of those, from one client address: fewer than all, so one host never holds every place
    /// (a newcomer from an address at its cap pushes out that address's oldest idle connection).
    public var maximumPreLoginPerAddress = 2
    /// A connection that has not logged in must have sent its request heads within this time
    /// from when it was accepted; bytes that trickle in do not extend it. (Its place among the
    /// pre-login ones can be taken sooner, while it waits for bytes.)
    public var preLoginMilliseconds = 10_000
    /// Login forms, renames and other small bodies.
    public var smallBodyLimit = 4096
    /// Bitstreams for SRAM.
    public var bitstreamLimit = 16 << 20
    /// Flash images and stored files.
    public var flashLimit = 32 << 20
    /// Firmware images: more than any OTA slot, which the update itself checks as the bytes arrive.
    public var firmwareLimit = 8 << 20
    /// Writes to the SD card.
    public var sdLimit = 1 << 30
    /// A body left unread by a handler is read and dropped up to this, else the connection closes.
    public var drainLimit = 65536
    /// A body left unread when the connection closes after an answer (a refused upload) is read
    /// and dropped up to this first, so that the client gets the answer rather than a reset: 16 MB,
    /// more than any ECP5 bitstream, so every refused bitstream upload is answered.
    public var lingerLimit = 16 << 20
    /// An event stream ends after this, and the page opens a new one.
    public var eventStreamMilliseconds = 300_000
    /// Event streams one login may have open at once (a tab each); anonymous readers share one
    /// allowance. One more is answered 429.
    public var maximumEventStreamsPerLogin = 2
    /// How often an event stream looks for new events.
    public var eventPollMicroseconds: UInt32 = 200_000
    /// A connection stays open for the client's next request after an answer. Off on the ESP32:
    /// each connection holds a task and its buffers (docs/memory-admission.md), and a browser
    /// keeps several idle between its requests, which would hold the memory the next request needs.
    public var keepAlive = true
    /// True on the ESP32: the page then shows the WiFi settings.
    public var onDevice = false

    public init() {}
}
