import TapWalkerCore

/// Small helpers over bsd.h shared by the BSD adapters: errors as text, and bounded waits.
enum BSD {
    /// strerror of `error`.
    static func text(_ error: Int32) -> String {
        guard let p = bsd_strerror(error) else { return "error \(error)" }
        return String(cString: p)
    }

    /// strerror of errno as it is now.
    static func lastError() -> String { text(bsd_errno()) }

    /// Waits up to `timeoutMilliseconds` (negative: for ever) for `fd` to become readable or
    /// writable; false on timeout. A signal's interruption waits again.
    static func wait(_ fd: Int32, writable: Bool, timeoutMilliseconds: Int) throws(TapWalkerError) -> Bool {
        while true {
            let r = bsd_poll(fd, writable ? 2 : 1, Int32(clamping: timeoutMilliseconds < 0 ? -1 : timeoutMilliseconds))
            if r > 0 { return true }
            if r == 0 { return false }
            let error = bsd_errno()
            if bsd_is_interrupted(error) != 0 { continue }
            throw TapWalkerError(.input, "waiting on a socket failed: \(text(error))")
        }
    }

    static func seconds(_ milliseconds: Int) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}

/// IPv4 addresses as the sockets give them (host byte order) and as text.
enum IPv4 {
    static let loopback: UInt32 = 0x7F00_0001
    static let any: UInt32 = 0

    static func text(_ address: UInt32) -> String {
        "\(address >> 24).\((address >> 16) & 0xFF).\((address >> 8) & 0xFF).\(address & 0xFF)"
    }

    /// "a.b.c.d", or nil.
    static func parse(_ text: String) -> UInt32? {
        var address: UInt32 = 0
        let ok = text.withCString { bsd_parse_ipv4($0, &address) }
        return ok == 0 ? address : nil
    }
}
