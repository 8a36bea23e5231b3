import TapWalkerServices

/// A clock that only moves when told to: sleeps advance it, so waits and deadlines run in no time.
public final class ManualClock: ServiceClock {
    public var now: UInt64 = 0
    public init() {}
    public func microseconds() -> UInt64 { now }
    public func sleep(microseconds: UInt32) { now += UInt64(microseconds) }
}

/// A clock that never moves, for the `sim` cable's board service: the simulator keeps its own time.
public final class StillClock: ServiceClock {
    public init() {}
    public func microseconds() -> UInt64 { 0 }
    public func sleep(microseconds: UInt32) {}
}
