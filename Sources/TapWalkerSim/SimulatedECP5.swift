import TapWalkerCore

/// A simulated ECP5 behind its JTAG pins: TAP controller, instruction and data registers, status
/// register, the configuration engine, and simulated time.
///
/// Strict where the chip is strict (as Lattice's documents and the open tools describe it). Where
/// they are silent the simulator chooses the behaviour that is hardest on a programmer and says so:
/// - ISC instructions execute on the first TCK edge in Run-Test/Idle after Update-IR (Lattice
///   executes them in Run-Test/Idle; Diamond's SVF gives each 2 TCK there). Passing from Update-IR
///   straight to Select-DR executes nothing.
/// - An instruction that arrives while BUSY is set is ignored, and burst data shifted while BUSY
///   is lost. A programmer must wait for BUSY to clear.
/// - Configuration data is accepted only in ISC mode (after ISC_ENABLE).
///
/// The SPI bridge, LSC_PROG_SPI (0x3A):
/// - After Update-IR with 0x3A the first DR scan is the key: exactly 16 bits whose value, shifted LSB
///   first, is 0x68FE (Diamond's `SDR 16 TDI(68FE)`), checked at Update-DR. Any other value or length
///   leaves the bridge closed until 0x3A is loaded again (strict; the chip's behaviour is unknown).
/// - With the bridge open and IR still 0x3A, each Shift-DR period is one SPI transaction: CS# falls
///   on entering Shift-DR, every TCK rising edge in Shift-DR (including the one that moves to
///   Exit1-DR) clocks one bit with MOSI = TDI, TDO = MISO with no bit offset, and CS# rises when the
///   TAP leaves Shift-DR (so Pause-DR ends a transaction). Another instruction or Test-Logic-Reset
///   closes the bridge.
/// - Strict on the precondition: while a user design runs (configurationValid and DONE) the design
///   owns the configuration pins; as if it had no MASTER_SPI_PORT=ENABLE, the bridge does not drive
///   the flash and reads 1s. Tools must clear the SRAM first (ISC_ENABLE, ISC_ERASE, ISC_DISABLE).
///   The same while BUSY (the FPGA itself may be reading the flash) and when no flash is attached.
/// - LSC_REFRESH and power-up boot from the flash as `ColdBoot` describes (docs/ecp5.md §6: the
///   primary image at 0, a JUMP, the golden image through the jump table at the top of the flash)
///   at `masterSPIClockHz`, 2.4 MHz on one data line by default (?) (the ECP5's default MCLK; a
///   bitstream that raises it or reads on more lines is not modelled in time): BUSY lasts
///   `busyTimes.refresh` plus the bits read at that clock, and DONE shows only afterwards.
public final class SimulatedECP5 {
    public let part: Part

    // MARK: Time
    /// TCK rising edges since power-up.
    public private(set) var cycles: UInt64 = 0
    /// Simulated time in nanoseconds: TCK periods plus explicit waits.
    public private(set) var timeNanoseconds: UInt64 = 0
    /// The TCK period the cable runs at.
    public var tckPeriodNanoseconds: UInt64 = 40

    /// How long the device stays BUSY, in nanoseconds. (?) Lattice publishes no figures for these
    /// JTAG operations; Diamond's SVF waits 10 ms (enable), 200 ms (erase) and 200 ms (disable) as
    /// upper bounds. What real tools show bounds enable and erase from above much more tightly:
    /// ecpprog sends ISC_ERASE 32 TCK after ISC_ENABLE and the burst 32 TCK after ISC_ERASE with no
    /// wait, and works on real boards at 6 MHz (about 5 µs); OpenOCD 0.12 plays Diamond's SVF over
    /// remote_bitbang with its RUNTEST sleeps taken while the commands still sit in its buffer, so
    /// ISC_ERASE follows ISC_ENABLE by about 30 TCK and the status register is captured about 20 TCK
    /// after the erase. Both work only if the chip finishes these within well under a microsecond
    /// at 25 MHz; the simulator takes 400 ns (10 TCK at 25 MHz) and still ignores anything sooner. Wake-up and the
    /// boot from flash stay long enough that polling BUSY matters.
    public struct BusyTimes: Sendable {
        public var enable: UInt64 = 400
        public var erase: UInt64 = 400
        public var wakeUp: UInt64 = 200_000
        public var refresh: UInt64 = 5_000_000
        public init() {}
    }
    public var busyTimes = BusyTimes()
    private var busyUntil: UInt64 = 0
    public var busy: Bool { timeNanoseconds < busyUntil }

    // MARK: SPI flash and the bridge

    /// The SPI flash on the configuration pins (nil: none; the bridge then reads 1s and REFRESH finds
    /// no preamble).
    public var flash: SimulatedFlash?
    /// The master SPI clock the FPGA boots with, in Hz, on one data line. (?) 2.4 MHz: the ECP5's
    /// default MCLK before a bitstream can change it.
    public var masterSPIClockHz: UInt64 = 2_400_000
    /// (?) How far the FPGA reads looking for the preamble before it reports a preamble error.
    public var bootPreambleSearchBytes: Int { ColdBoot.preambleSearchBytes }
    /// The key was accepted and IR is still LSC_PROG_SPI.
    public private(set) var spiBridgeOpen = false
    private var awaitingSPIKey = false
    /// The chip whose CS# is low in this Shift-DR period (nil: none, MISO reads 1s).
    private var spiSelected: SimulatedFlash? {
        didSet { spiShifting = spiSelected != nil }
    }
    /// In Shift-DR with a chip selected: `shiftSPI` may take a run of bits at once.
    public private(set) var spiShifting = false
    /// DONE stays hidden until the boot from flash has finished.
    private var bootingUntil: UInt64 = 0
    /// Bytes the last LSC_REFRESH read from the flash.
    public private(set) var bootBytesRead = 0
    /// What the last boot from flash found on each path (nil: no flash, or not booted yet).
    public private(set) var lastBoot: ColdBootOutcome?

    /// The board lost power (a power-cut fault of the flash).
    public var poweredOff: Bool { flash?.poweredOff ?? false }

    // MARK: TAP and registers
    public private(set) var state: TAPState = .testLogicReset
    public private(set) var instruction: UInt8 = ECP5Instruction.readID.rawValue
    private var irShift: UInt32 = 0
    private var dr: UInt64 = 0
    private var drLength = 1
    private var drShifted = 0
    private var bsr: [Bool] = []
    private var bsrHead = 0
    private var armed: UInt8?
    private var register = Register.value32

    // MARK: Configuration
    public private(set) var status = StatusRegister(raw: 0)
    public private(set) var userCode: UInt32 = 0
    /// True while the SRAM holds a complete configuration that passed every check.
    public private(set) var configurationValid = false
    /// A digest (FNV-1a) of the frames of the configuration in SRAM; 0 when erased or partial.
    public private(set) var configurationDigest: UInt64 = 0
    private var engine: ConfigurationEngine?
    private var digest = FrameDigest()
    private var burstBytes = 0

    public init(part: Part) {
        self.part = part
        bsr = [Bool](repeating: false, count: part.boundaryScanLength)
        // Power-up with a blank flash: the device tried to boot and found no preamble; a board that
        // booted from a blank flash commonly shows a preamble error.
        status.bse = .preamble
    }

    // MARK: - Time

    public func wait(nanoseconds: UInt64) {
        timeNanoseconds &+= nanoseconds
        flash?.advance(toNanoseconds: timeNanoseconds)
    }

    private func setBusy(_ ns: UInt64) {
        busyUntil = timeNanoseconds + ns
    }

    // MARK: - Clocking

    /// One TCK cycle: returns TDO as presented before the rising edge, then clocks TMS/TDI in.
    @inline(__always)
    public func clock(tms: Bool, tdi: Bool) -> Bool {
        let out = tdo
        edge(tms: tms, tdi: tdi)
        return out
    }

    /// What the TDO pin shows now: the value the next rising edge of TCK samples. It changes only
    /// on falling edges, so it holds from one falling edge to the next rising edge.
    public var tdo: Bool {
        switch state {
        case .shiftIR: return irShift & 1 == 1
        case .shiftDR: return drOutput()
        default: return false
        }
    }

    private func edge(tms: Bool, tdi: Bool) {
        cycles &+= 1
        timeNanoseconds &+= tckPeriodNanoseconds
        switch state {
        case .runTestIdle:
            if let op = armed {
                armed = nil
                execute(op)
            }
        case .shiftIR:
            irShift = (irShift >> 1) | (tdi ? 1 << UInt32(ECP5Instruction.length - 1) : 0)
        case .shiftDR:
            shiftDR(tdi)
        default:
            break
        }
        let next = state.next(tms: tms)
        if next != state { enter(next) }
        state = next
    }

    private func enter(_ next: TAPState) {
        switch next {
        case .testLogicReset:
            instruction = ECP5Instruction.readID.rawValue
            register = SimulatedECP5.register(for: instruction)
            armed = nil
            spiBridgeOpen = false
            awaitingSPIKey = false
        case .captureIR:
            irShift = ECP5Instruction.captureValue
        case .updateIR:
            instruction = UInt8(truncatingIfNeeded: irShift)
            register = SimulatedECP5.register(for: instruction)
            armed = instruction
            // Any instruction closes the bridge; LSC_PROG_SPI opens a window for the key.
            spiBridgeOpen = false
            awaitingSPIKey = register == .spi
        case .shiftDR:
            if register == .spi && spiBridgeOpen { spiSelect() }
        case .exit1DR:
            // Leaving Shift-DR raises CS#. (Exit1-DR is also entered from Capture-DR: nothing selected.)
            if let f = spiSelected {
                f.advance(toNanoseconds: timeNanoseconds)
                f.deselect()
                spiSelected = nil
            }
        case .captureDR:
            capture()
        case .updateDR:
            updateDR()
        default:
            break
        }
    }

    // MARK: - Data registers

    private enum Register { case value32, busyFlag, boundaryScan, burst, command, spi, bypass }

    private static func register(for instruction: UInt8) -> Register {
        switch ECP5Instruction(rawValue: instruction) {
        case .readID, .userCode, .readStatus, .verifyID, .programUserCode: return .value32
        case .checkBusy: return .busyFlag
        case .preload: return .boundaryScan
        case .bitstreamBurst: return .burst
        case .iscEnable, .iscErase, .initAddress, .iscDisable, .refresh, .iscEnableX, .resetCRC:
            return .command
        case .progSPI:
            return .spi
        case .user1, .user2, .bypass, nil:
            // No user design implements USER1/USER2 here; unknown instructions select BYPASS.
            return .bypass
        }
    }

    private func capture() {
        drShifted = 0
        switch ECP5Instruction(rawValue: instruction) {
        case .readID: dr = UInt64(part.idcode); drLength = 32
        case .userCode: dr = UInt64(userCode); drLength = 32
        case .readStatus: dr = UInt64(currentStatus.raw); drLength = 32
        case .verifyID, .programUserCode: dr = 0; drLength = 32
        case .checkBusy: dr = busy ? 1 : 0; drLength = 64  // 1-bit register, read zero-extended
        case .progSPI: dr = 0; drLength = awaitingSPIKey ? 16 : 1
        default: dr = 0; drLength = 1
        }
    }

    @inline(__always)
    private func drOutput() -> Bool {
        switch register {
        case .value32, .busyFlag, .bypass: return dr & 1 == 1
        case .boundaryScan: return bsr[bsrHead]
        case .burst, .command: return false
        case .spi:
            // MISO of the selected chip; 1s when the bridge drives nothing; 0 while taking the key.
            if let f = spiSelected { return f.miso }
            return spiBridgeOpen
        }
    }

    private func shiftDR(_ tdi: Bool) {
        drShifted += 1
        switch register {
        case .value32, .busyFlag, .bypass:
            let top = UInt64(drLength - 1)
            dr = (dr >> 1) | (tdi ? 1 << top : 0)
        case .boundaryScan:
            bsr[bsrHead] = tdi
            bsrHead = (bsrHead + 1) % bsr.count
        case .burst:
            guard acceptsBurst, let engine else { return }
            engine.consume(bit: tdi)
            if drShifted & 7 == 0 { burstBytes += 1; afterBurstData() }
        case .spi:
            if let f = spiSelected {
                f.advance(toNanoseconds: timeNanoseconds)
                f.clock(mosi: tdi)
            } else if awaitingSPIKey {
                dr = (dr >> 1) | (tdi ? 1 << 15 : 0)
            }
        case .command:
            break
        }
    }

    /// CS# falls: the flash is driven only when attached, not hidden by a running design, and the
    /// FPGA is not busy (reading the flash itself at boot).
    /// Fast path for SPI transactions: takes the run of bits from `from` on that keep TMS low in
    /// Shift-DR with a chip selected, exactly as `clock(tms:tdi:)` would, and returns how many it
    /// took (0 when not applicable; the bit that leaves Shift-DR always goes through `clock`).
    public func shiftSPI(
        bits: Int, tms: UnsafeRawBufferPointer, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?,
        from: Int
    ) -> Int {
        guard spiShifting, state == .shiftDR, let f = spiSelected else { return 0 }
        var end = from
        while end < bits && (tms[end >> 3] >> UInt8(end & 7)) & 1 == 0 { end += 1 }
        let n = end - from
        guard n > 0 else { return 0 }
        let period = tckPeriodNanoseconds
        f.shift(count: n, tdi: tdi, tdo: tdo, from: from, startTime: timeNanoseconds, period: period)
        cycles &+= UInt64(n)
        timeNanoseconds &+= UInt64(n) &* period
        drShifted += n
        return n
    }

    private func spiSelect() {
        guard let f = flash, !busy, !(configurationValid && status.done) else { return }
        f.advance(toNanoseconds: timeNanoseconds)
        f.select()
        spiSelected = f
    }

    private func updateDR() {
        if register == .spi {
            if awaitingSPIKey {
                awaitingSPIKey = false
                spiBridgeOpen = drShifted == 16 && UInt16(truncatingIfNeeded: dr) == ECP5Instruction.spiKey
            }
            return
        }
        guard drShifted >= 32 else { return }
        let value = UInt32(truncatingIfNeeded: dr)
        switch ECP5Instruction(rawValue: instruction) {
        case .programUserCode:
            if status.has(.iscEnable) && !busy { userCode = value }
        case .verifyID:
            // (?) The JTAG VERIFY_ID register: a mismatch raises the ID error flag.
            if value != part.idcode { status.set(.idError) }
        default:
            break
        }
    }

    /// Bulk fast path: whole bytes MSB first in Shift-DR with TMS low. Returns false when the bytes
    /// must go bit by bit (not in Shift-DR, not a burst, or the engine holds a partial byte).
    public func shiftBurstBytes(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard state == .shiftDR, register == .burst else { return false }
        let n = UInt64(bytes.count) * 8
        if drShifted & 7 != 0 { return false }
        cycles &+= n
        timeNanoseconds &+= n * tckPeriodNanoseconds
        drShifted += bytes.count * 8
        guard acceptsBurst, let engine else { return true }
        engine.consume(bytes)
        burstBytes += bytes.count
        afterBurstData()
        return true
    }

    private var acceptsBurst: Bool { status.has(.iscEnable) && !busy }

    private func afterBurstData() {
        guard let engine else { return }
        if engine.preambleOffset != nil { status.set(.standardPreamble) }
        // USERCODE takes the bitstream's value as soon as ISC_PROGRAM_USERCODE arrives: Diamond's
        // SVF reads it after the burst, before ISC_DISABLE, and expects the programmed value.
        if let code = engine.userCode { userCode = code }
        if let problem = engine.problem, status.bse == .none {
            status.bse = problem.code
            status.set(.fail)
            if problem.code == .id { status.set(.idError) }
            if problem.code == .illegalCommand { status.set(.invalidCommand) }
            configurationValid = false
            configurationDigest = 0
        }
    }

    // MARK: - Instructions

    /// The status register as LSC_READ_STATUS would read it now (BUSY and booting applied).
    public var statusNow: StatusRegister { currentStatus }

    private var currentStatus: StatusRegister {
        var s = status
        s.set(.busy, busy)
        if timeNanoseconds < bootingUntil { s.set(.done, false) }
        return s
    }

    private func execute(_ opcode: UInt8) {
        guard let op = ECP5Instruction(rawValue: opcode) else { return }
        switch op {
        case .iscEnable, .iscErase, .initAddress, .iscDisable, .refresh, .iscEnableX:
            if busy { return }  // strict: ignored while BUSY
        default:
            return
        }
        switch op {
        case .iscEnable, .iscEnableX:
            status.set(.iscEnable)
            status.set(.writeEnable)
            status.set(.jtagActive)
            if op == .iscEnableX {
                status.set(.transparent)  // background mode: the user design keeps running
            } else {
                status.set(.done, false)  // offline configuration: the design stops
            }
            startLoad()
            setBusy(busyTimes.enable)
        case .iscErase:
            guard status.has(.iscEnable) else { return }
            configurationValid = false
            configurationDigest = 0
            userCode = 0
            status.set(.done, false)
            status.set(.fail, false)
            status.bse = .none
            for f in [StatusRegister.Flag.idError, .invalidCommand, .executionError, .standardPreamble] {
                status.set(f, false)
            }
            startLoad()
            setBusy(busyTimes.erase)
        case .initAddress:
            guard status.has(.iscEnable) else { return }
            startLoad()
        case .iscDisable:
            guard status.has(.iscEnable) else { return }
            wakeUp()
            setBusy(busyTimes.wakeUp)
        case .refresh:
            refresh()
        default:
            break
        }
    }

    private func startLoad() {
        let e = ConfigurationEngine(part: part, source: .jtag)
        let d = FrameDigest()
        e.frameSink = { frame, bytes in d.add(frame: frame, bytes) }
        engine = e
        digest = d
        burstBytes = 0
    }

    private func wakeUp() {
        status.set(.iscEnable, false)
        status.set(.writeEnable, false)
        status.set(.transparent, false)
        if let engine, burstBytes > 0 {
            if engine.isComplete {
                configurationValid = true
                configurationDigest = digest.value
                userCode = engine.userCode ?? 0
            } else {
                configurationValid = false
                configurationDigest = 0
                if engine.problem == nil {
                    // (?) An incomplete stream: no BSE code is documented; FAIL is the strict answer.
                    if engine.preambleOffset == nil { status.bse = .preamble }
                    status.set(.fail)
                }
            }
        }
        engine = nil
        status.set(.done, configurationValid && !status.fail && status.bse == .none)
    }

    /// Power off and on: the flash loses its volatile state (and a power-cut fault is over), the TAP
    /// resets, and the FPGA boots from the flash as at power-up, BUSY while it reads.
    public func powerCycle() {
        flash?.powerCycle()
        state = .testLogicReset
        instruction = ECP5Instruction.readID.rawValue
        register = SimulatedECP5.register(for: instruction)
        armed = nil
        spiBridgeOpen = false
        awaitingSPIKey = false
        spiSelected = nil
        busyUntil = 0
        refresh()
    }

    /// Power-up as a person sees it: the board was switched on long before the first command, so
    /// the boot from flash has finished without costing the command simulated time.
    public func powerUpSettled() {
        powerCycle()
        busyUntil = timeNanoseconds
        bootingUntil = timeNanoseconds
    }

    private func refresh() {
        let read = bootFromFlash()
        bootBytesRead = read
        setBusy(busyTimes.refresh + UInt64(read) * 8 * 1_000_000_000 / max(masterSPIClockHz, 1))
        bootingUntil = busyUntil
    }

    /// LSC_REFRESH: like pulsing PROGRAMN, the device clears itself and boots from the SPI flash:
    /// the primary image from address 0, the golden one through the jump table when the primary
    /// fails (`ColdBoot`, the same code as `flash boot-check`; docs/ecp5.md §6). Returns the bytes read.
    private func bootFromFlash() -> Int {
        configurationValid = false
        configurationDigest = 0
        userCode = 0
        engine = nil
        lastBoot = nil
        guard let flash else {
            status = StatusRegister(raw: 0)
            status.bse = .preamble  // nothing answers: all 1s, no preamble
            return bootPreambleSearchBytes
        }
        flash.advance(toNanoseconds: timeNanoseconds)
        let boot = ColdBoot(flash: flash, part: part)
        var d = FrameDigest()
        boot.pathStarted = { d = FrameDigest() }
        boot.frameSink = { frame, bytes in d.add(frame: frame, bytes) }
        // Reading the simulated flash cannot throw; the outcome of a failed read is all 1s.
        guard let outcome = try? boot.boot() else {
            status = StatusRegister(raw: 0)
            status.bse = .preamble
            return bootPreambleSearchBytes
        }
        lastBoot = outcome
        status = outcome.status
        if let loaded = outcome.loaded {
            configurationValid = true
            configurationDigest = d.value
            userCode = loaded.userCode ?? 0
        }
        return outcome.bytesRead
    }
}

extension SimulatedFlash: BootFlash {
    public var bootFlashSize: Int { memory.count }

    /// The FPGA's master SPI read; a chip that cannot answer reads all 1s, as the pins would.
    public func bootRead(from address: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        _ = masterRead(from: address, into: buffer)
    }
}

/// FNV-1a over frame numbers and frame bytes: identifies what is in the configuration SRAM.
final class FrameDigest {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    func add(frame: Int, _ bytes: UnsafeRawBufferPointer) {
        var h = value
        var f = UInt32(truncatingIfNeeded: frame)
        for _ in 0..<4 {
            h = (h ^ UInt64(f & 0xFF)) &* 0x100_0000_01b3
            f >>= 8
        }
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        value = h
    }
}
