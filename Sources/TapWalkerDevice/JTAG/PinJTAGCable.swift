import TapWalkerCore
import TapWalkerServices

/// The JTAG cable of the ESP32 itself: TCK, TMS, TDI and TDO on its own pins.
///
/// Two paths, as docs/firmware.md describes the chip:
/// - bit level through `JTAGPins.shift` (dedicated GPIO): TAP moves, short shifts, every bit with
///   TMS high, and the last bit of a shift that leaves Shift-DR/IR;
/// - runs of at least `spiMinimumBits` bits with TMS low through the `SPIMaster` (DMA, LSB first,
///   mode 0), TMS held low on its GPIO meanwhile. Up to `maximumInFlight` transfers are queued at
///   once from buffers the cable owns, so the caller reads and checks its next input while the
///   previous one shifts.
///
/// TCK changes hands between the GPIO bundle and the SPI clock only while both hold it low: every
/// GPIO shift ends with TCK low, mode 0's clock idles low, and the cable awaits every transfer in
/// flight before it clocks anything by GPIO (the SPI master gives TCK back when the last one is
/// done; see `SPIMaster`).
public final class PinJTAGCable: TDOSampling {
    /// Bytes of one SPI transfer buffer: one DMA slot, `TAPWALKER_JTAG_SPI_SLOT_BYTES` of the C glue
    /// and the bus's `max_transfer_sz` (docs/firmware.md: two 4 KB slots, 32,768 bits, 1.31 ms at
    /// 25 MHz, long enough that one transfer's set-up overhead hides behind the other's shifting).
    public static let transferBytes = 4096
    /// Buffers, hence transfers in flight at most: two is double buffering; more would only cost
    /// memory, since one 4 KB transfer already outlasts the next one's set-up.
    public static let buffers = 2
    /// Shortest TMS-low run worth an SPI transfer. docs/firmware.md: a transfer costs about 28 µs
    /// of set-up on the C3 (interrupt, DMA) and the GPIO loop about 200 ns a bit against the SPI's
    /// 40 ns at 25 MHz, so SPI wins from about 28 / 0.16 = 175 bits; rounded up to 256 because the
    /// hand-over also makes the next GPIO bit wait for the transfer to end.
    public static let spiMinimumBits = 256
    /// The ECP5's maximum TCK (ECP5 family data sheet, JTAG port timing), the default.
    public static let defaultFrequency: UInt32 = 25_000_000

    public let pins: any JTAGPins
    public let spi: (any SPIMaster)?
    public let clock: any DeviceClock

    public private(set) var frequency: UInt32 = PinJTAGCable.defaultFrequency
    private var frequencyApplied = false
    private var cycles: UInt64 = 0

    /// TMS as the GPIO left it (true after reset: `tapwalker_jtag_gpio_init` leaves TMS high).
    private var tmsHigh = true

    // Transfer buffers: `slots` output buffers, allocated on the first SPI transfer, and as many
    // input buffers, allocated only if TDO is ever captured from a run that does not start on a
    // byte boundary (an aligned run's TDO goes straight into the caller's vector; see `start`).
    private let slots: Int
    private var output: UnsafeMutableRawPointer?
    private var input: UnsafeMutableRawPointer?
    private var nextSlot = 0
    // Transfers in flight, oldest first (a ring of `slots` entries).
    private var pending: UnsafeMutablePointer<Pending>?
    private var pendingHead = 0
    private var pendingCount = 0
    /// Bit-level scratch: unaligned GPIO segments, and bytes reversed when there is no SPI.
    private static let scratchBytes = 256
    private var scratch: UnsafeMutableRawPointer?

    private struct Pending {
        var transfer: SPITransfer
        var slot: Int
        var bits: Int
        /// Where the captured TDO goes (the caller's vector, at bit `tdoAt`), nil: not captured.
        var tdo: UnsafeMutableRawPointer?
        var tdoAt: Int
    }

    public init(pins: any JTAGPins, spi: (any SPIMaster)?, clock: any DeviceClock) {
        self.pins = pins
        self.spi = spi
        self.clock = clock
        slots = max(1, min(PinJTAGCable.buffers, spi?.maximumInFlight ?? 1))
    }

    deinit {
        output?.deallocate()
        input?.deallocate()
        pending?.deallocate()
        scratch?.deallocate()
    }

    public var statistics: CableStatistics { CableStatistics(tckCycles: cycles) }

    /// Transfers in flight now (for tests and the virtual board's checks).
    public var transfersInFlight: Int { pendingCount }

    public func setFrequency(_ hertz: UInt32) throws(TapWalkerError) -> UInt32 {
        try drain()
        var f = max(1, min(hertz, PinJTAGCable.defaultFrequency))
        if let spi {
            // The SPI divider gives at most what was asked; the GPIO loop is bounded by the same.
            let actual = try spi.configure(clockHz: Int(f))
            if actual > 0 { f = UInt32(actual) }
        }
        try pins.setMaximumFrequency(f)
        frequency = f
        frequencyApplied = true
        return f
    }

    // MARK: - Cable

    public func clock(
        bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError) {
        guard bits > 0 else { return }
        try applyFrequency()
        cycles &+= UInt64(bits)
        guard let spi, bits >= PinJTAGCable.spiMinimumBits else {
            return try gpio(from: 0, count: bits, tms: tms, tdi: tdi, tdo: tdo)
        }
        var i = 0
        while i < bits {
            let (start, end) = nextLowRun(tms, from: i, bits: bits)
            if start > i { try gpio(from: i, count: start - i, tms: tms, tdi: tdi, tdo: tdo) }
            var p = start
            while p < end {
                var n = min(end - p, chunkBits(spi))
                // A length the SPI cannot send: one bit fewer, which the GPIO clocks next.
                if !spi.supports(bits: n) { n -= 1 }
                guard n > 0 else { break }
                try queueSPI(spi, from: p, bits: n, tdi: tdi, tdo: tdo)
                p += n
            }
            i = p
        }
        // TDO goes to the caller's vector before this returns; TDI was copied when queued.
        if tdo != nil { try drain() }
    }

    /// Bitstream bytes, each MSB first, with TMS low. The SPI master shifts LSB first (its
    /// LSB-first flags, docs/firmware.md: the one JTAG device on the shared bus is set up that
    /// way and holds the bus across a hand-over, so a second MSB-first device cannot interleave
    /// with it). The bytes must be copied into a cable-owned DMA buffer anyway, since they stay in
    /// flight after this returns; the copy reverses each byte by table as it goes, which is the
    /// only reversal on the chip.
    public func shiftBytesMSBFirst(_ bytes: UnsafeRawBufferPointer) throws(TapWalkerError) {
        guard bytes.count > 0 else { return }
        try applyFrequency()
        cycles &+= UInt64(bytes.count) &* 8
        guard let spi, bytes.count * 8 >= PinJTAGCable.spiMinimumBits else {
            try drain()
            let s = scratchBuffer()
            var offset = 0
            while offset < bytes.count {
                let n = min(PinJTAGCable.scratchBytes, bytes.count - offset)
                BitOrder.reverse(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]),
                                 into: s.assumingMemoryBound(to: UInt8.self))
                try pins.shift(tms: nil, tdi: UnsafeRawBufferPointer(start: s, count: n), tdo: nil, bits: n * 8)
                offset += n
            }
            tmsHigh = false
            return
        }
        let chunk = chunkBits(spi) / 8
        var offset = 0
        while offset < bytes.count {
            let n = min(chunk, bytes.count - offset)
            let slot = try freeSlot()
            let out = output! + slot * PinJTAGCable.transferBytes
            BitOrder.reverse(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]),
                             into: out.assumingMemoryBound(to: UInt8.self))
            try start(spi, slot: slot, bits: n * 8, tdo: nil, tdoAt: 0)
            offset += n
        }
    }

    public func wait(microseconds: UInt32) throws(TapWalkerError) {
        try drain()
        clock.sleep(microseconds: microseconds)
    }

    public func flush() throws(TapWalkerError) {
        try drain()
    }

    /// The transfer buffers (8 KB, 16 with TDO captured) and the scratch go back to the heap
    /// between jobs, where a connection can be admitted against them (docs/memory-admission.md);
    /// the next transfer allocates them again. Kept while a transfer could still be in flight.
    public func releaseBuffers() {
        guard (try? drain()) != nil, pendingCount == 0 else { return }
        output?.deallocate()
        output = nil
        input?.deallocate()
        input = nil
        pending?.deallocate()
        pending = nil
        scratch?.deallocate()
        scratch = nil
        nextSlot = 0
        pendingHead = 0
    }

    public func sampleTDO() throws(TapWalkerError) -> Bool {
        try drain()
        return pins.readTDO()
    }

    /// Awaits everything in flight and lets the pins go (inputs again), so the board's own JTAG
    /// connector can be used. The next clock takes them back through `JTAGPins`.
    public func release() throws(TapWalkerError) {
        try drain()
        pins.release()
        tmsHigh = true
    }

    // MARK: - GPIO path

    private func gpio(
        from p: Int, count n: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer,
        tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError) {
        try drain()
        if p & 7 == 0 {
            let b = p >> 3
            let end = (p + n + 7) >> 3
            try pins.shift(tms: UnsafeRawBufferPointer(rebasing: tms[b..<end]),
                           tdi: UnsafeRawBufferPointer(rebasing: tdi[b..<end]),
                           tdo: tdo.map { UnsafeMutableRawBufferPointer(rebasing: $0[b..<end]) }, bits: n)
        } else {
            // Not on a byte boundary (after an SPI run): through the scratch, a third each for
            // TMS, TDI and TDO.
            let s = scratchBuffer()
            let third = PinJTAGCable.scratchBytes / 3
            let m = UnsafeMutableRawBufferPointer(start: s, count: third)
            let d = UnsafeMutableRawBufferPointer(start: s + third, count: third)
            let o = UnsafeMutableRawBufferPointer(start: s + 2 * third, count: third)
            var done = 0
            while done < n {
                let k = min(n - done, third * 8)
                BitOrder.copyBits(tms, from: p + done, to: m, at: 0, count: k)
                BitOrder.copyBits(tdi, from: p + done, to: d, at: 0, count: k)
                try pins.shift(tms: UnsafeRawBufferPointer(m), tdi: UnsafeRawBufferPointer(d),
                               tdo: tdo == nil ? nil : o, bits: k)
                if let tdo { BitOrder.copyBits(UnsafeRawBufferPointer(o), from: 0, to: tdo, at: p + done, count: k) }
                done += k
            }
        }
        let last = p + n - 1
        tmsHigh = tms[last >> 3] >> UInt8(last & 7) & 1 == 1
    }

    /// The first run of at least `spiMinimumBits` TMS-low bits at or after `from`, as
    /// (start, end); (bits, bits) when there is none. Whole zero bytes are skipped at once.
    private func nextLowRun(_ tms: UnsafeRawBufferPointer, from: Int, bits: Int) -> (Int, Int) {
        var p = from
        while p < bits {
            if tms[p >> 3] >> UInt8(p & 7) & 1 == 1 { p += 1; continue }
            var q = p + 1
            while q < bits {
                if q & 7 == 0 && q + 8 <= bits && tms[q >> 3] == 0 { q += 8; continue }
                if tms[q >> 3] >> UInt8(q & 7) & 1 == 1 { break }
                q += 1
            }
            if q - p >= PinJTAGCable.spiMinimumBits { return (p, q) }
            p = q
        }
        return (bits, bits)
    }

    // MARK: - SPI path

    private func chunkBits(_ spi: any SPIMaster) -> Int {
        min(PinJTAGCable.transferBytes * 8, spi.maximumTransferBits) & ~7
    }

    private func queueSPI(
        _ spi: any SPIMaster, from p: Int, bits n: Int, tdi: UnsafeRawBufferPointer,
        tdo: UnsafeMutableRawBufferPointer?
    ) throws(TapWalkerError) {
        let slot = try freeSlot()
        let out = output! + slot * PinJTAGCable.transferBytes
        let bytes = (n + 7) >> 3
        if p & 7 == 0 {
            out.copyMemory(from: tdi.baseAddress! + (p >> 3), byteCount: bytes)
        } else {
            BitOrder.copyBits(tdi, from: p, to: UnsafeMutableRawBufferPointer(start: out, count: bytes), at: 0, count: n)
        }
        try start(spi, slot: slot, bits: n, tdo: tdo?.baseAddress, tdoAt: p)
    }

    /// A slot no transfer uses: awaits the oldest when all are in flight.
    private func freeSlot() throws(TapWalkerError) -> Int {
        if output == nil {
            output = UnsafeMutableRawPointer.allocate(byteCount: slots * PinJTAGCable.transferBytes, alignment: 4)
            pending = UnsafeMutablePointer<Pending>.allocate(capacity: slots)
        }
        if pendingCount == slots { try awaitOldest() }
        let slot = nextSlot
        nextSlot = (nextSlot + 1) % slots
        return slot
    }

    private func start(_ spi: any SPIMaster, slot: Int, bits: Int, tdo: UnsafeMutableRawPointer?, tdoAt: Int)
        throws(TapWalkerError)
    {
        // TMS stays low on its GPIO while the SPI clocks (a run of TMS-low bits).
        if tmsHigh {
            pins.setTMS(false)
            tmsHigh = false
        }
        var into: UnsafeMutableRawBufferPointer? = nil
        // Where the await copies TDO from the cable's input buffer (nil: nowhere, or already there).
        var copyTo = tdo
        if let tdo, tdoAt & 7 == 0 {
            // On a byte boundary the SPI writes TDO into the caller's vector itself: `clock`
            // awaits every transfer before it returns, so the vector outlives the transfer, and
            // the bits past the run in its last byte belong to the next segment, clocked (and
            // written) only after this transfer is awaited. (On the chip a vector that is not
            // DMA-capable is copied by the driver, docs/firmware.md.)
            into = UnsafeMutableRawBufferPointer(start: tdo + (tdoAt >> 3), count: (bits + 7) >> 3)
            copyTo = nil
        } else if tdo != nil {
            if input == nil {
                input = UnsafeMutableRawPointer.allocate(byteCount: slots * PinJTAGCable.transferBytes, alignment: 4)
            }
            into = UnsafeMutableRawBufferPointer(start: input! + slot * PinJTAGCable.transferBytes, count: (bits + 7) >> 3)
        }
        let t = try spi.queue(bits: bits,
                              output: UnsafeRawBufferPointer(start: output! + slot * PinJTAGCable.transferBytes,
                                                             count: (bits + 7) >> 3),
                              input: into)
        (pending! + (pendingHead + pendingCount) % slots).initialize(
            to: Pending(transfer: t, slot: slot, bits: bits, tdo: copyTo, tdoAt: tdoAt))
        pendingCount += 1
    }

    private func awaitOldest() throws(TapWalkerError) {
        let p = pending![pendingHead]
        pendingHead = (pendingHead + 1) % slots
        pendingCount -= 1
        try spi!.await(p.transfer)
        if let tdo = p.tdo {
            let bytes = (p.bits + 7) >> 3
            BitOrder.copyBits(UnsafeRawBufferPointer(start: input! + p.slot * PinJTAGCable.transferBytes, count: bytes),
                              from: 0, to: UnsafeMutableRawBufferPointer(start: tdo, count: (p.tdoAt + p.bits + 7) >> 3),
                              at: p.tdoAt, count: p.bits)
        }
    }

    /// Awaits every transfer in flight: TCK is the GPIO's again afterwards.
    private func drain() throws(TapWalkerError) {
        while pendingCount > 0 { try awaitOldest() }
    }

    private func applyFrequency() throws(TapWalkerError) {
        if !frequencyApplied { _ = try setFrequency(frequency) }
    }

    private func scratchBuffer() -> UnsafeMutableRawPointer {
        if let scratch { return scratch }
        let s = UnsafeMutableRawPointer.allocate(byteCount: PinJTAGCable.scratchBytes, alignment: 4)
        scratch = s
        return s
    }
}
