import TapWalkerCore

/// The overall limit on password checks, whatever the number of addresses they come from.
///
/// `LoginThrottle` slows each address down; someone with many addresses (or one that rotates
/// them) is not slowed by that at all. So every check of a password from an address that has not
/// logged in successfully takes a token from one bucket for the whole server: `burst` at once,
/// refilled at one token per `refillMicroseconds`. With the bucket empty a password is refused
/// unchecked (HTTP 429, FTP 421) until a token is back, so the guesses the server answers stay
/// within `burst` plus one per refill period, however many addresses are used.
///
/// The trade-off: while such a flood runs, a user at an address that has never logged in
/// competes with it for the tokens (and is told to try again in a few seconds). Addresses that
/// logged in successfully before (the last `trustedCapacity` of them) are not counted against
/// the bucket, so the usual user at the usual computer, and a browser session that needs no
/// password at all, are not locked out by it; their own failures are still slowed per address.
final class PasswordCheckBudget {
    let burst: UInt64
    let refillMicroseconds: UInt64
    let trustedCapacity: Int
    /// Tokens, scaled by `refillMicroseconds` (one token = that many units), as of `updated`.
    private var units: UInt64
    private var updated: UInt64
    /// Addresses that logged in, most recent last.
    private var trusted: [[UInt8]] = []

    init(burst: Int, refillMicroseconds: UInt64, trustedCapacity: Int, now: UInt64) {
        self.burst = UInt64(max(burst, 1))
        self.refillMicroseconds = max(refillMicroseconds, 1)
        self.trustedCapacity = max(trustedCapacity, 0)
        units = self.burst * self.refillMicroseconds
        updated = now
    }

    /// Takes a token for a check from `address` (none for a trusted one); 0 when the check may
    /// go ahead, else the microseconds until a token is back (nothing taken).
    func take(_ address: [UInt8], now: UInt64) -> UInt64 {
        if trusted.contains(address) { return 0 }
        let full = burst * refillMicroseconds
        units = min(full, units + (now > updated ? now - updated : 0))
        updated = now
        guard units >= refillMicroseconds else { return refillMicroseconds - units }
        units -= refillMicroseconds
        return 0
    }

    /// `address` logged in: its checks are not counted from now on.
    func trust(_ address: [UInt8]) {
        guard trustedCapacity > 0 else { return }
        trusted.removeAll { $0 == address }
        if trusted.count >= trustedCapacity { trusted.removeFirst() }
        trusted.append(address)
    }
}
