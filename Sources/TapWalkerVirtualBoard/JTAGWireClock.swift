import TapWalkerDevice
import TapWalkerServices

/// A `DeviceClock` that reads and spends the wire's simulated time, so that a cable's waits (BUSY,
/// the boot from flash) pass for the simulated board as they would for the chip, and benchmarks
/// read simulated microseconds rather than the host's.
public final class JTAGWireClock: DeviceClock {
    public let wire: JTAGWire

    public init(wire: JTAGWire) {
        self.wire = wire
    }

    public func microseconds() -> UInt64 { wire.nowNanoseconds / 1000 }

    public func sleep(microseconds: UInt32) {
        wire.sleep(nanoseconds: UInt64(microseconds) * 1000)
    }
}
