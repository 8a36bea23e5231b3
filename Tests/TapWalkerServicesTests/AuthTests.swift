import Testing
import TapWalkerCore
import TapWalkerServices

@Suite("Login throttle and sessions")
struct AuthTests {
    @Test("the throttle's delays double up to 8 s per address; the table is bounded, the quietest dropped")
    func throttle() {
        let clock = ManualClock()
        let t = LoginThrottle(mutex: NoMutex(), clock: clock, capacity: 2)
        var waits: [UInt64] = []
        for _ in 0..<5 {
            t.recordFailure("a")
            waits.append(t.wait(for: "a"))
        }
        #expect(waits == [1_000_000, 2_000_000, 4_000_000, 8_000_000, 8_000_000])
        clock.now += 1
        t.recordFailure("b")
        clock.now += 1
        t.recordFailure("c")  // the table holds two: "a", quiet longest, goes
        #expect(t.failures("a") == 0 && t.failures("b") == 1 && t.failures("c") == 1)
        t.recordSuccess("b")
        #expect(t.wait(for: "b") == 0)
    }

    @Test("guesses spread over many addresses meet one overall budget; an address that logged in before is not counted")
    func overallBudget() {
        let clock = ManualClock()
        let t = LoginThrottle(mutex: NoMutex(), clock: clock, capacity: 64, checkBurst: 10, checkRefillMicroseconds: 500_000)
        t.recordSuccess("10.0.0.1")  // the user's computer
        // 70 addresses, one guess each, all at once (the per-address table of 64 forgets some).
        var checked = 0
        for i in 0..<70 where t.takeCheck("10.0.1.\(i)") == 0 {
            checked += 1
            t.recordFailure("10.0.1.\(i)")
        }
        #expect(checked == 10)
        #expect(t.takeCheck("10.0.2.1") == 500_000, "the next token is half a second away")
        #expect(t.takeCheck("10.0.0.1") == 0, "the user's address is not counted")
        // 20 s later: 40 more tokens, but never more than the burst at once.
        clock.now += 20_000_000
        checked = 0
        for i in 0..<70 where t.takeCheck("10.0.3.\(i)") == 0 { checked += 1 }
        #expect(checked == 10)
    }

    @Test("sessions: distinct random tokens, found only by the exact token, bounded, and they expire")
    func sessions() {
        let clock = ManualClock()
        let s = SessionStore(mutex: NoMutex(), clock: clock, random: CountingRandom(), capacity: 2, idleMicroseconds: 1000)
        let a = s.create(user: "u", access: .full)
        let b = s.create(user: "u", access: .readOnly)
        #expect(a.token != b.token && a.csrf != a.token)
        #expect(s.find(Array(a.token.utf8))?.user == "u")
        #expect(s.find(Array(a.token.utf8.dropLast()) + [UInt8(ascii: "x")]) == nil)
        clock.now += 10
        _ = s.find(Array(b.token.utf8))
        _ = s.create(user: "v", access: .full)  // "a" was used least recently
        #expect(s.find(Array(a.token.utf8)) == nil && s.count == 2)
        clock.now += 2000
        #expect(s.find(Array(b.token.utf8)) == nil)
    }
}
