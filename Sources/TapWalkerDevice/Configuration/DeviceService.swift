/// The network services the firmware can run, each enabled by a port in `[services]`.
public enum DeviceService: CaseIterable, Sendable {
    case ftp
    case http
    case xvc
    case remoteBitbang

    /// The key in `[services]`.
    public var key: String {
        switch self {
        case .ftp: return "ftp"
        case .http: return "http"
        case .xvc: return "xvc"
        case .remoteBitbang: return "remote_bitbang"
        }
    }

    /// The position in `allCases`, for per-service tables.
    var index: Int {
        switch self {
        case .ftp: return 0
        case .http: return 1
        case .xvc: return 2
        case .remoteBitbang: return 3
        }
    }

    /// FTP and the web page log users in and then write files, SRAM and flash; without a
    /// configured login they would be open to anyone on the network, so they refuse to start.
    /// XVC and remote_bitbang have no login in their protocols at all: they run only where the
    /// owner gave them a port.
    public var needsLogin: Bool {
        switch self {
        case .ftp, .http: return true
        case .xvc, .remoteBitbang: return false
        }
    }
}
