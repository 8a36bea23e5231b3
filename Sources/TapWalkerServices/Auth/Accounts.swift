import TapWalkerCore

/// Who may log in to the servers (FTP, HTTP), and what they may do. The original accepted any
/// login; here one configured user may do everything, and anonymous users (FTP USER anonymous or
/// ftp with any password; HTTP without credentials) may only browse and download, and only when
/// that is enabled.
public struct Accounts {
    public enum Access {
        /// Browse and download; nothing that writes or touches the board.
        case readOnly
        case full
    }

    public var user: [UInt8]?
    public var password: [UInt8]?
    /// Checks a password kept in another form than clear text (the device's salted hash); when
    /// set it decides instead of `password`. It must take the same time whatever the guess.
    public var verifier: ((_ given: [UInt8]) -> Bool)?
    public var anonymousRead: Bool

    /// The third failed login on one connection closes it. The delays between attempts are the
    /// `LoginThrottle`'s, counted per client address across connections (and HTTP).
    public static let failuresBeforeClosing = 3

    public init(user: [UInt8]?, password: [UInt8]?, anonymousRead: Bool) {
        self.user = user
        self.password = password
        self.anonymousRead = anonymousRead
    }

    /// One user whose password `verifier` checks (a salted hash that only it can compare).
    public init(user: [UInt8], verifier: @escaping (_ given: [UInt8]) -> Bool, anonymousRead: Bool) {
        self.user = user
        self.password = nil
        self.verifier = verifier
        self.anonymousRead = anonymousRead
    }

    /// Why these accounts cannot serve: a configuration mistake, said before a server starts.
    /// A fact, not a sentence: each front end words it in its own terms (the command line names
    /// its options).
    public enum Problem: Equatable {
        /// No user and no anonymous access: nobody could log in.
        case nobodyCanLogIn
        /// A user whose password is empty (and no verifier).
        case emptyPassword
    }

    public var problem: Problem? {
        if user == nil && !anonymousRead { return .nobodyCanLogIn }
        if user != nil && verifier == nil && (password?.isEmpty ?? true) { return .emptyPassword }
        return nil
    }

    /// USER names that mean anonymous.
    public static func isAnonymous(_ name: [UInt8]) -> Bool {
        ASCII.equalFold(name, "anonymous") || ASCII.equalFold(name, "ftp")
    }

    /// The access `name` gets with `password`, or nil. Compared in constant time for a given
    /// password length, so the reply time tells nothing about how much of a guess was right.
    public func check(name: [UInt8], password given: [UInt8]) -> Access? {
        if let user {
            // Both halves are always checked, so the time taken does not tell a known name.
            let nameMatches = Accounts.constantTimeEqual(name, user)
            let passwordMatches: Bool
            if let verifier { passwordMatches = verifier(given) }
            else if let password { passwordMatches = Accounts.constantTimeEqual(given, password) }
            else { passwordMatches = false }
            if nameMatches && passwordMatches { return .full }
        }
        if anonymousRead && Accounts.isAnonymous(name) { return .readOnly }
        return nil
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        if a.count != b.count { difference |= 1 }
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
