import TapWalkerCore

/// A simulated ECP5 behind its JTAG pins: TAP controller, instruction and data registers, status
/// register, the configuration engine, and simulated time.
///
/// Strict where the chip is strict (reference/ecp5-and-flash-facts.md). Where the reference is
/// silent the simulator chooses the behaviour that is hardest on a programmer and says so:
/// - ISC instructions execute on the first TCK edge in Run-Test/Idle after Update-IR (Lattice
///   executes them in Run-Test/Idle; Diamond's SVF gives each 2 TCK there). Passing from Update-IR
///   straight to Select-DR executes nothing.
/// - An instruction that arrives while BUSY is set is ignored, and burst data shifted while BUSY
///   is lost. A programmer must wait for BUSY to clear.
/// - Configuration data is accepted only in ISC mode (after ISC_ENABLE).
public final class SimulatedECP5 {
    public let part: Part

    // MARK: Time
    /// TCK rising edges since power-up.
    public private(set) var cycles: UInt64 = 0
    /// Simulated time in nanoseconds: TCK periods plus explicit waits.
    public private(set) var timeNanoseconds: UInt64 = 0
    /// The TCK period the cable runs at.
    public var tckPeriodNanoseconds: UInt64 = 40

    /// How long the device stays BUSY. (?) Lattice publishes no figures for these JTAG operations;
    /// Diamond's SVF waits 10 ms (enable), 200 ms (erase) and 200 ms (disable) as upper bounds.
    /// The values below are small so that polling BUSY pays off, and erase scales with the array.
    public struct BusyTimes: Sendable {
        public var enable: UInt64 = 100_000
        public var erasePerFrame: UInt64 = 150
        public var wakeUp: UInt64 = 200_000
        public var refresh: UInt64 = 5_000_000
        public init() {}
    }
    public var busyTimes = BusyTimes()
    private var busyUntil: UInt64 = 0
    public var busy: Bool { timeNanoseconds < busyUntil }

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
        // Power-up with a blank flash: the device tried to boot and found no preamble (reference §2:
        // "a board that booted from a blank flash commonly shows a preamble error").
        status.bse = .preamble
    }

    // MARK: - Time

    public func wait(nanoseconds: UInt64) {
        timeNanoseconds &+= nanoseconds
    }

    private func setBusy(_ ns: UInt64) {
        busyUntil = timeNanoseconds + ns
    }

    // MARK: - Clocking

    /// One TCK cycle: returns TDO as presented before the rising edge, then clocks TMS/TDI in.
    @inline(__always)
    public func clock(tms: Bool, tdi: Bool) -> Bool {
        let tdo: Bool
        switch state {
        case .shiftIR: tdo = irShift & 1 == 1
        case .shiftDR: tdo = drOutput()
        default: tdo = false
        }
        edge(tms: tms, tdi: tdi)
        return tdo
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
            armed = nil
        case .captureIR:
            irShift = ECP5Instruction.captureValue
        case .updateIR:
            instruction = UInt8(truncatingIfNeeded: irShift)
            armed = instruction
        case .captureDR:
            capture()
        case .updateDR:
            updateDR()
        default:
            break
        }
    }

    // MARK: - Data registers

    private enum Register { case value32, busyFlag, boundaryScan, burst, command, bypass }

    private var register: Register {
        switch ECP5Instruction(rawValue: instruction) {
        case .readID, .userCode, .readStatus, .verifyID, .programUserCode: return .value32
        case .checkBusy: return .busyFlag
        case .preload: return .boundaryScan
        case .bitstreamBurst: return .burst
        case .iscEnable, .iscErase, .initAddress, .iscDisable, .refresh, .iscEnableX, .resetCRC, .progSPI:
            return .command
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
        default: dr = 0; drLength = 1
        }
    }

    @inline(__always)
    private func drOutput() -> Bool {
        switch register {
        case .value32, .busyFlag, .bypass: return dr & 1 == 1
        case .boundaryScan: return bsr[bsrHead]
        case .burst, .command: return false
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
        case .command:
            break
        }
    }

    private func updateDR() {
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

    private var currentStatus: StatusRegister {
        var s = status
        s.set(.busy, busy)
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
            setBusy(busyTimes.erasePerFrame * UInt64(part.frames))
        case .initAddress:
            guard status.has(.iscEnable) else { return }
            startLoad()
        case .iscDisable:
            guard status.has(.iscEnable) else { return }
            wakeUp()
            setBusy(busyTimes.wakeUp)
        case .refresh:
            bootFromFlash()
            setBusy(busyTimes.refresh)
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

    /// LSC_REFRESH: like pulsing PROGRAMN, the device clears itself and boots from SPI flash.
    /// No flash is attached yet, so it reads all 0xFF and reports a preamble error, as a board
    /// with a blank flash does.
    private func bootFromFlash() {
        status = StatusRegister(raw: 0)
        configurationValid = false
        configurationDigest = 0
        userCode = 0
        engine = nil
        status.bse = .preamble
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
