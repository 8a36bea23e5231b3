import Testing
import TapWalkerCore
import TapWalkerServices

/// A connection that only records whether the server pushed it out.
private final class IdleConnection: NetworkConnection {
    private(set) var pushedOut = false
    func connect(host: String, port: Int, timeoutMilliseconds: Int) throws(TapWalkerError) {}
    func send(_ bytes: UnsafeRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) {}
    func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int) throws(TapWalkerError) -> Int { 0 }
    func close() {}
    func shutdown() { pushedOut = true }
}

@Suite("pre-login places")
struct PreLoginSlotsTests {
    @Test("a newcomer does not push out its own address's connection that began waiting just now: it waits out the grace, then takes the oldest's place")
    func ownAddressGrace() {
        let clock = ManualClock()
        let slots = PreLoginSlots(total: 3, perAddress: 2, mutex: NoMutex(), clock: clock)
        let first = IdleConnection(), second = IdleConnection()
        let a = slots.enter(first, peer: "10.0.0.1:1")
        _ = slots.enter(second, peer: "10.0.0.1:2")
        #expect(a?.evicted == nil)
        // The browser's third connection, 0.1 s later: the first two may carry requests not read yet.
        clock.now += 100_000
        let third = slots.enter(IdleConnection(), peer: "10.0.0.1:3")
        #expect(third?.evicted == "10.0.0.1:1")
        #expect(first.pushedOut && !second.pushedOut)
        #expect(clock.now >= PreLoginSlots.graceMicroseconds, "it waited for the grace: \(clock.now)")
        #expect(clock.now < PreLoginSlots.graceMicroseconds + 100_000)
    }

    @Test("a connection that has just been answered (kept alive) starts its grace again")
    func graceRestartsAfterAnswer() {
        let clock = ManualClock()
        let slots = PreLoginSlots(total: 3, perAddress: 2, mutex: NoMutex(), clock: clock)
        let first = IdleConnection(), second = IdleConnection()
        let a = slots.enter(first, peer: "10.0.0.1:1")!
        let b = slots.enter(second, peer: "10.0.0.1:2")!
        clock.now = 5_000_000
        slots.setWaiting(a.id, false)   // its request is being answered
        slots.setWaiting(a.id, true)    // answered; waiting for the next one
        let start = clock.now
        let third = slots.enter(IdleConnection(), peer: "10.0.0.1:3")
        // The second has waited 5 s: it goes at once; the first, just answered, keeps its place.
        #expect(third?.evicted == "10.0.0.1:2" && second.pushedOut && !first.pushedOut)
        #expect(clock.now == start)
        _ = b
    }

    @Test("connections being served are never pushed out; with all of its own address's being served, a newcomer is refused after a second")
    func servedNeverPushedOut() {
        let clock = ManualClock()
        let slots = PreLoginSlots(total: 3, perAddress: 2, mutex: NoMutex(), clock: clock)
        let first = IdleConnection(), second = IdleConnection()
        let a = slots.enter(first, peer: "10.0.0.1:1")!
        let b = slots.enter(second, peer: "10.0.0.1:2")!
        slots.setWaiting(a.id, false)
        slots.setWaiting(b.id, false)
        #expect(slots.enter(IdleConnection(), peer: "10.0.0.1:3") == nil)
        #expect(!first.pushedOut && !second.pushedOut)
        #expect(clock.now >= 900_000)
    }

    @Test("a flood's young connections give their place at once to a user from a quieter address")
    func floodHasNoGrace() {
        let clock = ManualClock()
        let slots = PreLoginSlots(total: 3, perAddress: 2, mutex: NoMutex(), clock: clock)
        var flood: [IdleConnection] = []
        for i in 0..<3 {
            let c = IdleConnection()
            flood.append(c)
            _ = slots.enter(c, peer: "10.0.0.\(2 + i % 2):\(i)")
        }
        let start = clock.now
        let user = slots.enter(IdleConnection(), peer: "10.0.9.9:1")
        #expect(user != nil && user?.evicted != nil)
        #expect(clock.now == start, "no waiting for a flood's grace")
        #expect(flood.contains { $0.pushedOut })
    }
}
