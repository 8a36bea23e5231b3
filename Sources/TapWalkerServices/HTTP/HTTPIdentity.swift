/// Who made a request, as far as the server could tell from its Cookie or Authorization header.
public enum HTTPIdentity {
    /// No credentials (and no anonymous access configured).
    case nobody
    /// No credentials, and the server allows anonymous read-only access.
    case anonymous
    /// A browser session (cookie); unsafe requests must carry its CSRF token.
    case session(SessionStore.Session)
    /// HTTP Basic credentials, checked on this request.
    case basic(user: String, access: Accounts.Access)

    public var access: Accounts.Access? {
        switch self {
        case .nobody: return nil
        case .anonymous: return .readOnly
        case .session(let s): return s.access
        case .basic(_, let access): return access
        }
    }

    /// Whether a password was checked for it (anonymous and nobody count as not logged in).
    public var loggedIn: Bool {
        switch self {
        case .session, .basic: return true
        case .nobody, .anonymous: return false
        }
    }

    public var user: String? {
        switch self {
        case .nobody: return nil
        case .anonymous: return "anonymous"
        case .session(let s): return s.user
        case .basic(let user, _): return user
        }
    }
}

/// One request being answered: what the routes work with.
public final class HTTPExchange {
    public let request: HTTPRequest
    public let body: HTTPRequestBody
    public let response: HTTPResponse
    /// "address:port" of the client.
    public let peer: String
    public var identity: HTTPIdentity = .nobody {
        didSet { if identity.loggedIn { onLoggedIn?() } }
    }
    /// Called when the request proves a login (Basic, a session cookie, the login form): the
    /// connection lifts its pre-login deadline, so that a long upload by a logged-in client is
    /// bounded by the idle timeout only.
    var onLoggedIn: (() -> Void)?
    /// Called when the request becomes an event stream: the connection gives up its place among
    /// those not logged in (a stream is counted per login instead, `HTTPJobEvents.openStream`).
    var onStream: (() -> Void)?
    /// Waits up to the given milliseconds for the client; false once it has gone (closed or
    /// reset), so that a stream ends as soon as its tab does. nil: just sleep.
    var waitForPeer: ((Int) -> Bool)?

    init(request: HTTPRequest, body: HTTPRequestBody, response: HTTPResponse, peer: String) {
        self.request = request
        self.body = body
        self.response = response
        self.peer = peer
    }

    /// Who holds a stream, for the per-login cap: the session, the Basic user, or anonymous.
    var streamOwner: [UInt8] {
        switch identity {
        case .session(let s): return Array("session \(s.token)".utf8)
        case .basic(let user, _): return Array("user \(user)".utf8)
        case .anonymous, .nobody: return Array("anonymous".utf8)
        }
    }

    /// How board jobs name this client to the one it keeps waiting.
    public var holder: String { "HTTP client \(peer)" }
}
