import TapWalkerServices

/// A lock for code that one test thread runs alone.
public final class NoMutex: PlatformMutex {
    public init() {}
    public func lock() {}
    public func unlock() {}
}
