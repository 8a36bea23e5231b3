import TapWalkerCore

/// A SPI NOR flash chip, bit-serial, SPI mode 0, MSB first, modelled per `FlashChip`: the chip table
/// (JEDEC ID, size, erase kinds, typical times) and the chip's `ProtectionScheme` drive everything
/// chip-specific. Source: docs/ecp5.md §5 and Winbond's W25Q32JV Verilog model (WBM).
///
/// Interface: `select()` (CS# falls), `clock(mosi:)` (one SCK rising edge), `miso` (the bit the chip
/// presents for the NEXT clock: for READ 03 + 3 address bytes the sample at clock 32 is bit 7 of the
/// first data byte, as the ECP5 bridge shows it, "no bit offset"), `deselect()` (CS# rises).
/// Time: the board calls `advance(toNanoseconds:)` before it talks to the chip; WIP lasts the chip's
/// TYPICAL time and, when it ends, WIP and WEL clear.
///
/// Behaviour chosen where the reference is silent — strict where that is safe, and documented:
/// - A command executes only if CS# rises on a byte boundary (WBM). Erase, chip erase and the
///   status/function register writes must also end right after their last byte ("CS# must be driven
///   high after the eighth bit of the last byte", datasheets): extra bytes cancel them. Other
///   commands take extra bytes.
/// - Program and erase need WEL. A program or erase that touches a protected area is ignored as if
///   never sent: no WIP, and WEL stays set (WBM: "the instruction will not be executed"). Chip erase
///   is refused when any area is protected. A command refused for lack of WEL changes nothing.
/// - The effect of program/erase/register writes is applied when the operation starts (CS# rise);
///   WIP then blocks every command but RDSR, so nothing can observe the difference — except a power
///   cut, which leaves the operation half done.
/// - While WIP=1 only RDSR works: 05 on every chip, and 35/15 (SR2/SR3) on Winbond-scheme chips,
///   which the Winbond model also answers while busy. Everything else is ignored; MISO reads 1s.
/// - MISO is high-impedance (read as 1s over the bridge) outside a data phase, for ignored commands,
///   in deep power-down (except AB's ID bytes) and in QPI mode.
/// - ISSI (and, (?), Macronix, whose MX25L data sheets list 35h as EQIO too): 35h enters QPI. In QPI
///   mode the model understands no single-SPI command except F5h (exit QPI) and the 66h/99h reset;
///   everything else is ignored with MISO all 1s.
/// - Reset (66 then 99, with nothing in between) is immediate (tRST is not modelled (?)): WEL=0, QPI
///   off, the volatile status bits reload from their non-volatile copies. Ignored while WIP=1 or in
///   deep power-down.
/// - Deep power-down (B9) and release (AB) take effect at once (tDP/tRES1 of 3 µs not modelled (?)).
/// - 90h answers manufacturer then device ID (device first when address bit 0 is 1), alternating.
///   The "device ID" byte of 90h/ABh is not in the chip table: the model uses the JEDEC capacity byte
///   minus one (W25Q128 EF/17, IS25LP128 9D/17, IS25LP032 9D/15, S25FL164K 01/16) (?).
/// - 9F answers 3 bytes, then 1s. 4B: 4 dummy bytes, then 8 fixed bytes derived from the JEDEC ID.
/// - Winbond registers: WRSR 01 takes 1 (SR1) or 2 (SR1, SR2) bytes; 31/11 write SR2/SR3. SR2's LB3..1
///   are one-time (0 → 1 only). SRP/SRL are stored but lock nothing: WP# is not driven through the
///   ECP5 (boards pull it high) (?). 50h makes the next 01/31/11 volatile: no WEL needed, no WIP, and
///   a reset or power cycle brings the non-volatile value back. SR3's WPS (individual block locks) is
///   not modelled (?).
/// - ISSI: WRSR takes exactly 1 byte (SRWD QE BP3..0). The function register (48/42): TBS (bit 1)
///   and IRL (bits 7:4) are one-time (0 → 1); bits 3:2 (suspend flags) and 0 are read-only.
/// - Macronix (?): 15h reads the configuration register; WRSR takes 1 byte (SR) or 2 (SR, CR); CR's
///   T/B (bit 3) is one-time (0 → 1), bits 7:6 and 2:0 are ordinary, others read-only. CR is kept
///   as non-volatile (the real part's ODS/DC bits are volatile; nothing here depends on them).
public final class SimulatedFlash {
    public let chip: FlashChip

    // MARK: Content and statistics

    /// The array, `chip.size` bytes, erased (0xFF) when new; held sparsely (FlashMemory).
    public var memory: FlashMemory
    public private(set) var pagePrograms = 0
    public private(set) var erase4K = 0
    public private(set) var erase32K = 0
    public private(set) var erase64K = 0
    public private(set) var chipErases = 0
    /// Array bytes read: READ/FAST READ data bytes clocked out, and what the FPGA read at boot.
    public private(set) var bytesRead = 0

    // MARK: Fault injection

    /// Bits that always read and stay at a value after program, erase and load.
    public struct StuckBits: Sendable {
        public var address: Int
        public var mask: UInt8
        public var value: UInt8
        public init(address: Int, mask: UInt8, value: UInt8) {
            self.address = address
            self.mask = mask
            self.value = value
        }
    }

    public var stuckBits: [StuckBits] = [] {
        didSet { applyStuckBits(in: 0..<memory.count) }
    }
    /// Erase silently does nothing to addresses in this range (the operation still takes its time and
    /// clears WEL, as if it had worked).
    public var failingErase: Range<Int>?
    /// The power fails during the Nth program or erase operation started from now (1 = the next one):
    /// that operation is applied only in part (the first half of the page, block or chip) and the
    /// board is off (`poweredOff`) until `powerCycle()`.
    public var powerCutDuringOperation: Int?
    public private(set) var poweredOff = false

    // MARK: Registers and state

    /// Volatile status registers as the chip uses them (Winbond SR1..SR3; others use [0] only),
    /// bits 1:0 (WEL, WIP) kept apart.
    private var status: [UInt8]
    /// Their non-volatile copies (what a reset or power cycle restores).
    private var nvStatus: [UInt8]
    /// ISSI function register or Macronix configuration register (holds the one-time top/bottom bit).
    private var extra: UInt8
    public private(set) var writeEnabled = false
    public private(set) var poweredDown = false
    public private(set) var qpiMode = false
    private var resetEnabled = false
    private var volatileWriteEnabled = false

    // MARK: Time

    public private(set) var timeNanoseconds: UInt64 = 0
    private var operationPending = false
    private var busyUntil: UInt64 = 0

    /// WIP: an operation is under way.
    public var busy: Bool { operationPending && timeNanoseconds < busyUntil }

    // MARK: Transaction

    private enum Handler {
        case ignore
        case atDeselect  // executes at CS# rise: WREN, WRDI, B9, AB, 66, 99, 50, 35 (QPI), F5, FF, C7/60
        case readRegister(UInt8)  // 05, 35, 15, 48
        case writeRegister  // 01, 31, 11, 42: data bytes collected
        case jedec, manufacturerDevice, releaseID, uniqueID, sfdp
        case read(dataStart: Int)
        case pageProgram
        case erase(FlashChip.EraseKind)
    }

    private var selected = false
    private var bitCount = 0
    private var byteCount = 0
    private var inByte: UInt8 = 0
    private var outByte: UInt8 = 0xFF
    private var opcode: UInt8 = 0
    private var handler = Handler.ignore
    private var address = 0
    private var arguments: [UInt8] = []
    private var latch: [UInt8]

    public init(chip: FlashChip) {
        self.chip = chip
        memory = FlashMemory(count: chip.size)
        latch = [UInt8](repeating: 0xFF, count: chip.pageSize)
        switch chip.protection {
        case .winbond:
            // (?) Factory values: SR1 = 0, SR2 = 0 (QE=0, as the -IQ parts), SR3 = 0x60 (drive 25%).
            nvStatus = [0x00, 0x00, 0x60]
            extra = 0
        case .issi, .unknown:
            nvStatus = [0x00, 0, 0]
            extra = 0x00  // ISSI: TBS = 0: top (factory default)
        case .macronix:
            nvStatus = [0x00, 0, 0]
            extra = 0x07  // (?) ODS = 111, T/B = 0 (top)
        }
        status = nvStatus
        arguments.reserveCapacity(8)
    }

    /// Replaces the array with `bytes`; the rest of the chip reads 0xFF.
    public func load(_ bytes: [UInt8]) {
        let n = min(bytes.count, memory.count)
        memory = FlashMemory(count: chip.size)
        bytes.withUnsafeBufferPointer { b in memory.write(UnsafeBufferPointer(rebasing: b[0..<n])) }
        applyStuckBits(in: 0..<memory.count)
    }

    /// The registers that set protection, in the form `ProtectionScheme` decodes.
    public var protectionRegisters: ProtectionRegisters {
        switch chip.protection {
        case .winbond: return ProtectionRegisters(status: status[0], status2: status[1])
        case .issi, .macronix, .unknown: return ProtectionRegisters(status: status[0], extra: extra)
        }
    }

    /// The chip's non-volatile register state, for a host that keeps the chip between runs:
    /// [SR1, SR2, SR3, function/configuration register] (Winbond uses SR1..SR3 and 0; ISSI and
    /// Macronix SR, 0, 0 and their FR/CR). Setting it is a power-up with those values (the volatile
    /// copies follow); a value of any other length is ignored.
    public var nonVolatileRegisters: [UInt8] {
        get { nvStatus + [extra] }
        set {
            guard newValue.count == 4 else { return }
            nvStatus = Array(newValue[0..<3])
            extra = newValue[3]
            status = nvStatus
        }
    }

    /// What RDSR (05) answers now.
    public var statusRegister: UInt8 {
        (status[0] & 0xFC) | (writeEnabled ? 0x02 : 0) | (busy ? 0x01 : 0)
    }

    public var protectedRange: Range<Int> {
        chip.protection.protectedRange(protectionRegisters, size: chip.size)
    }

    /// Power comes back: volatile state is lost (WEL, QPI, power-down, an unfinished operation,
    /// volatile status bits); the array keeps what was written before the cut.
    public func powerCycle() {
        poweredOff = false
        powerCutDuringOperation = nil
        softReset()
        poweredDown = false
        operationPending = false
        selected = false
        outByte = 0xFF
    }

    // MARK: - Time

    @inline(__always)
    public func advance(toNanoseconds t: UInt64) {
        timeNanoseconds = t
        if operationPending && t >= busyUntil { finishOperation() }
    }

    private func finishOperation() {
        operationPending = false
        writeEnabled = false
    }

    private func startOperation(microseconds: UInt32) {
        operationPending = true
        busyUntil = timeNanoseconds &+ UInt64(microseconds) &* 1000
    }

    // MARK: - Pins

    public func select() {
        guard !poweredOff else { return }
        selected = true
        bitCount = 0
        byteCount = 0
        inByte = 0
        outByte = 0xFF
        handler = .ignore
        arguments.removeAll(keepingCapacity: true)
    }

    /// The bit presented for the next clock.
    public var miso: Bool {
        @inline(__always) get { outByte & 0x80 != 0 }
    }

    @inline(__always)
    public func clock(mosi: Bool) {
        guard selected else { return }
        inByte = (inByte << 1) | (mosi ? 1 : 0)
        outByte = (outByte << 1) | 1
        bitCount &+= 1
        if bitCount & 7 == 0 { byteReceived(inByte) }
    }

    /// Clocks `count` bits at once, bits `from..<from+count` of `tdi` (LSB-first packing), ORing
    /// MISO into `tdo` at the same positions: the same as `count` calls of `miso` and `clock(mosi:)`,
    /// with the board's time at each byte boundary being `startTime + k × period` for the k-th bit.
    public func shift(
        count: Int, tdi: UnsafeRawBufferPointer, tdo: UnsafeMutableRawBufferPointer?, from: Int,
        startTime: UInt64, period: UInt64
    ) {
        guard selected else {
            if let tdo { for i in from..<(from + count) { tdo[i >> 3] |= UInt8(1 << (i & 7)) } }
            return
        }
        var inB = inByte
        var outB = outByte
        var bits = bitCount
        for k in 0..<count {
            let i = from + k
            if outB & 0x80 != 0, let tdo { tdo[i >> 3] |= UInt8(1 << (i & 7)) }
            inB = (inB << 1) | ((tdi[i >> 3] >> UInt8(i & 7)) & 1)
            outB = (outB << 1) | 1
            bits &+= 1
            if bits & 7 == 0 {
                advance(toNanoseconds: startTime &+ UInt64(k + 1) &* period)
                inByte = inB
                bitCount = bits
                byteReceived(inB)
                outB = outByte
            }
        }
        inByte = inB
        outByte = outB
        bitCount = bits
    }

    public func deselect() {
        guard selected else { return }
        selected = false
        outByte = 0xFF
        guard bitCount & 7 == 0, byteCount > 0 else { return }  // off a byte boundary: ignored
        execute()
    }

    // MARK: - Bytes

    private func byteReceived(_ b: UInt8) {
        let index = byteCount
        byteCount += 1
        if index == 0 {
            opcode = b
            handler = decode(b)
        } else {
            argument(b, index: index)
        }
        outByte = output(index: byteCount)
    }

    private var isWinbond: Bool { chip.protection == .winbond }
    private var isISSI: Bool { chip.protection == .issi }
    private var isMacronix: Bool { chip.protection == .macronix }

    private func decode(_ op: UInt8) -> Handler {
        if poweredOff { return .ignore }
        if poweredDown { return op == SPIOpcode.releasePowerDown ? .releaseID : .ignore }
        if qpiMode { return op == SPIOpcode.exitQPI || op == SPIOpcode.resetEnable || op == SPIOpcode.reset ? .atDeselect : .ignore }
        if busy {
            if op == SPIOpcode.readStatus { return .readRegister(op) }
            if isWinbond && (op == SPIOpcode.readStatus2 || op == SPIOpcode.readStatus3) { return .readRegister(op) }
            return .ignore
        }
        switch op {
        case SPIOpcode.writeEnable, SPIOpcode.writeDisable, SPIOpcode.powerDown, SPIOpcode.resetEnable, SPIOpcode.reset,
             SPIOpcode.continuousReadReset, SPIOpcode.chipErase, SPIOpcode.chipEraseAlternative:
            return .atDeselect
        case SPIOpcode.readStatus: return .readRegister(op)
        case SPIOpcode.readStatus2: return isWinbond ? .readRegister(op) : .atDeselect  // ISSI/Macronix: enter QPI
        case SPIOpcode.readStatus3: return isWinbond || isMacronix ? .readRegister(op) : .ignore
        case SPIOpcode.readFunction: return isISSI ? .readRegister(op) : .ignore
        case SPIOpcode.writeStatus: return .writeRegister
        case SPIOpcode.writeStatus2, SPIOpcode.writeStatus3: return isWinbond ? .writeRegister : .ignore
        case SPIOpcode.writeFunction: return isISSI ? .writeRegister : .ignore
        case SPIOpcode.volatileWriteEnable: return isWinbond ? .atDeselect : .ignore
        case SPIOpcode.jedecID: return .jedec
        case SPIOpcode.manufacturerDevice: return .manufacturerDevice
        case SPIOpcode.releasePowerDown: return .releaseID
        case SPIOpcode.uniqueID: return .uniqueID
        case SPIOpcode.sfdp: return .sfdp
        case SPIOpcode.read: return .read(dataStart: 4)
        case SPIOpcode.fastRead: return .read(dataStart: 5)
        case SPIOpcode.pageProgram: return .pageProgram
        // ISSI also erases a 4 KB sector with D7h; the chip table lists only the common opcode.
        case SPIOpcode.sectorEraseISSI where isISSI: return chip.erase(size: FlashChip.sectorSize).map { Handler.erase($0) } ?? .ignore
        default:
            for e in chip.erases where e.opcode == op { return .erase(e) }
            return .ignore
        }
    }

    private func argument(_ b: UInt8, index: Int) {
        switch handler {
        case .manufacturerDevice, .read, .pageProgram, .erase, .sfdp:
            if index <= 3 {
                address = (address << 8 | Int(b)) & 0xFF_FFFF
                if index == 3, case .pageProgram = handler {
                    for i in 0..<latch.count { latch[i] = 0xFF }
                }
                return
            }
            if case .read(let start) = handler, index >= start { bytesRead += 1 }
            if case .pageProgram = handler {
                // The low address byte wraps inside the page: extra bytes overwrite earlier ones.
                latch[(address + index - 4) & (chip.pageSize - 1)] = b
            }
        case .writeRegister:
            if arguments.count < 4 { arguments.append(b) }
        default:
            break
        }
    }

    /// The byte the chip shifts out while byte number `index` (0 = opcode) comes in.
    private func output(index: Int) -> UInt8 {
        switch handler {
        case .readRegister(let op):
            switch op {
            case SPIOpcode.readStatus: return statusRegister
            case SPIOpcode.readStatus2: return status[1]
            case SPIOpcode.readStatus3: return isWinbond ? status[2] : extra
            case SPIOpcode.readFunction: return extra
            default: return 0xFF
            }
        case .jedec:
            let k = index - 1
            return k < 3 ? UInt8(truncatingIfNeeded: chip.jedecID >> UInt32(16 - 8 * k)) : 0xFF
        case .manufacturerDevice:
            guard index >= 4 else { return 0xFF }
            let deviceFirst = address & 1 == 1
            return (index - 4) & 1 == (deviceFirst ? 1 : 0) ? manufacturerID : deviceID
        case .releaseID:
            return index >= 4 ? deviceID : 0xFF
        case .uniqueID:
            let k = index - 5
            return k >= 0 && k < 8 ? uniqueID(k) : 0xFF
        case .sfdp:
            return index >= 5 ? SimulatedFlash.sfdp(chip, address + index - 5) : 0xFF
        case .read(let start):
            return index >= start ? memory[(address + index - start) % memory.count] : 0xFF
        default:
            return 0xFF
        }
    }

    private var manufacturerID: UInt8 { UInt8(truncatingIfNeeded: chip.jedecID >> 16) }
    /// (?) Not in the chip table: the legacy device ID is the JEDEC capacity byte minus one.
    private var deviceID: UInt8 { UInt8(truncatingIfNeeded: chip.jedecID) &- 1 }

    private func uniqueID(_ k: Int) -> UInt8 {
        // Fixed per chip: an FNV-1a hash of the JEDEC ID, spread over 8 bytes.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for s in [16, 8, 0] { h = (h ^ UInt64((chip.jedecID >> UInt32(s)) & 0xFF)) &* 0x100_0000_01b3 }
        return UInt8(truncatingIfNeeded: h >> UInt64(8 * k))
    }

    // MARK: - CS# rise

    private func execute() {
        let wasResetEnabled = resetEnabled
        let wasVolatile = volatileWriteEnabled
        resetEnabled = false
        volatileWriteEnabled = false
        switch handler {
        case .ignore:
            // Not executed at all: the reset and volatile-write sequences are not broken.
            resetEnabled = wasResetEnabled
            volatileWriteEnabled = wasVolatile
        case .atDeselect:
            executeSimple(wasResetEnabled: wasResetEnabled)
        case .releaseID:
            poweredDown = false
        case .writeRegister:
            writeRegister(volatile: wasVolatile)
        case .pageProgram:
            guard byteCount >= 5, writeEnabled else { return }
            programPage()
        case .erase(let kind):
            guard byteCount == 4, writeEnabled else { return }
            erase(kind)
        default:
            break  // reads, IDs: nothing happens at CS# rise
        }
    }

    private func executeSimple(wasResetEnabled: Bool) {
        switch opcode {
        case SPIOpcode.writeEnable where !qpiMode: writeEnabled = true
        case SPIOpcode.writeDisable where !qpiMode: writeEnabled = false
        case SPIOpcode.powerDown where !qpiMode: poweredDown = true
        case SPIOpcode.resetEnable: resetEnabled = true
        case SPIOpcode.reset: if wasResetEnabled { softReset() }
        case SPIOpcode.volatileWriteEnable where !qpiMode: volatileWriteEnabled = true
        case SPIOpcode.readStatus2 where !qpiMode: qpiMode = true
        case SPIOpcode.exitQPI: qpiMode = false
        case SPIOpcode.chipErase, SPIOpcode.chipEraseAlternative:
            guard !qpiMode, byteCount == 1, writeEnabled else { return }
            eraseChip()
        default:
            break  // FF: no-op
        }
    }

    private func softReset() {
        writeEnabled = false
        qpiMode = false
        resetEnabled = false
        volatileWriteEnabled = false
        status = nvStatus
    }

    private func writeRegister(volatile: Bool) {
        let n = byteCount - 1
        guard n >= 1 else { return }
        guard volatile || writeEnabled else { return }
        // New values of SR1..SR3 (nil: not written) and of the function/configuration register.
        var sr: [UInt8?] = [nil, nil, nil]
        var ex: UInt8?
        let base = volatile ? status : nvStatus
        switch (chip.protection, opcode) {
        case (.winbond, SPIOpcode.writeStatus):
            guard n <= 2 else { return }
            sr[0] = arguments[0] & 0xFC
            if n == 2 { sr[1] = winbondSR2(base[1], arguments[1]) }
        case (.winbond, SPIOpcode.writeStatus2):
            guard n == 1 else { return }
            sr[1] = winbondSR2(base[1], arguments[0])
        case (.winbond, SPIOpcode.writeStatus3):
            guard n == 1 else { return }
            sr[2] = arguments[0] & 0x64  // (?) WPS, DRV1, DRV0; the rest reserved
        case (.issi, SPIOpcode.writeStatus):
            guard n == 1 else { return }
            sr[0] = arguments[0] & 0xFC
        case (.issi, SPIOpcode.writeFunction):
            guard n == 1 else { return }
            ex = extra | (arguments[0] & 0xF2)  // TBS and IRL: one-time, 0 → 1 only
        case (.macronix, SPIOpcode.writeStatus):
            guard n <= 2 else { return }
            sr[0] = arguments[0] & 0xFC
            if n == 2 { ex = (extra & 0x08) | (arguments[1] & 0xCF) }  // T/B one-time: stays once set
        default:
            return
        }
        for i in 0..<3 {
            guard let v = sr[i] else { continue }
            status[i] = v
            if !(volatile && isWinbond) { nvStatus[i] = v }
        }
        if volatile && isWinbond { return }  // 50h: the volatile copy only, at once, no WEL, no WIP
        if let ex { extra = ex }
        startOperation(microseconds: chip.writeStatus.typical)
    }

    private func winbondSR2(_ old: UInt8, _ new: UInt8) -> UInt8 {
        // SUS (bit 7) and bit 2 read-only; LB3..1 one-time (0 → 1); CMP, QE, SRL ordinary.
        (new & 0x43) | ((old | new) & 0x38)
    }

    // MARK: - Program and erase

    private func programPage() {
        let page = address & ~(chip.pageSize - 1)
        let range = page..<(page + chip.pageSize)
        guard !protectedRange.overlaps(range) else { return }
        pagePrograms += 1
        var count = chip.pageSize
        if cutsPower() { count = chip.pageSize / 2 }
        for i in 0..<count { memory[page + i] &= latch[i] }
        applyStuckBits(in: range)
        finishStart(chip.pageProgram.typical)
    }

    private func erase(_ kind: FlashChip.EraseKind) {
        let start = address & ~(kind.size - 1)
        let range = start..<(start + kind.size)
        guard !protectedRange.overlaps(range) else { return }
        switch kind.size {
        case 4096: erase4K += 1
        case 32768: erase32K += 1
        default: erase64K += 1
        }
        fill(range, cut: cutsPower())
        finishStart(kind.timing.typical)
    }

    private func eraseChip() {
        guard protectedRange.isEmpty else { return }
        chipErases += 1
        fill(0..<memory.count, cut: cutsPower())
        finishStart(chip.chipErase.typical)
    }

    private func fill(_ range: Range<Int>, cut: Bool) {
        let erased = range.lowerBound..<(cut ? range.lowerBound + range.count / 2 : range.upperBound)
        if let bad = failingErase, bad.overlaps(erased) {
            let hole = bad.clamped(to: erased)
            fillFF(erased.lowerBound..<hole.lowerBound)
            fillFF(hole.upperBound..<erased.upperBound)
        } else {
            fillFF(erased)
        }
        applyStuckBits(in: range)
    }

    private func fillFF(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        memory.erase(range)
    }

    /// Counts one program/erase operation against the power-cut fault; true when this one is cut.
    private func cutsPower() -> Bool {
        guard let n = powerCutDuringOperation else { return false }
        if n > 1 {
            powerCutDuringOperation = n - 1
            return false
        }
        powerCutDuringOperation = nil
        poweredOff = true
        return true
    }

    private func finishStart(_ microseconds: UInt32) {
        if poweredOff {
            selected = false
            outByte = 0xFF
            return
        }
        startOperation(microseconds: microseconds)
    }

    private func applyStuckBits(in range: Range<Int>) {
        for s in stuckBits where range.contains(s.address) && s.address < memory.count {
            memory[s.address] = (memory[s.address] & ~s.mask) | (s.value & s.mask)
        }
    }

    // MARK: - The FPGA's own read at boot

    /// The FPGA as SPI master reads the array from `address` (READ 03) into `buffer`, wrapping at the
    /// end. Returns false, leaving `buffer` all 0xFF, when the chip cannot answer (powered off, in
    /// deep power-down, in QPI mode, busy, or selected by the JTAG bridge).
    public func masterRead(from address: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard !poweredOff, !poweredDown, !qpiMode, !busy, !selected else {
            for i in 0..<buffer.count { buffer[i] = 0xFF }
            return false
        }
        var a = address % memory.count
        var i = 0
        while i < buffer.count {
            let n = min(buffer.count - i, memory.count - a)
            memory.copy(from: a, into: UnsafeMutableRawBufferPointer(rebasing: buffer[i..<(i + n)]))
            i += n
            a = (a + n) % memory.count
        }
        bytesRead += buffer.count
        return true
    }

    // MARK: - SFDP

    /// A minimal JESD216 SFDP table: header "SFDP" v1.0 with one parameter header pointing to a
    /// 9-DWORD basic flash parameter table at 0x30 (density, 4 KB erase opcode, erase types from the
    /// chip table, no multi-I/O reads declared, 3-byte addressing). Unused bytes read 0xFF.
    static func sfdp(_ chip: FlashChip, _ address: Int) -> UInt8 {
        let header: [UInt8] = [0x53, 0x46, 0x44, 0x50, 0x00, 0x01, 0x00, 0xFF,  // "SFDP", 1.0, 1 header, 0xFF
                               0x00, 0x00, 0x01, 0x09, 0x30, 0x00, 0x00, 0xFF]  // BFPT 1.0, 9 DWORDs at 0x30
        if address < header.count { return header[address] }
        let table = 0x30
        guard address >= table, address < table + 36 else { return 0xFF }
        let k = address - table
        return UInt8(truncatingIfNeeded: basicParameter(chip, k / 4) >> UInt32(8 * (k % 4)))
    }

    private static func basicParameter(_ chip: FlashChip, _ dword: Int) -> UInt32 {
        let sector = chip.erase(size: FlashChip.sectorSize)
        switch dword {
        case 0:
            // bits 1:0 = 01 (uniform 4 KB erase), bit 2 = page of 64 B or more, 7:5 reserved 1s,
            // 15:8 4 KB erase opcode, 18:17 = 00 (3-byte addresses), 23 and 31:24 reserved 1s.
            let erase4: UInt32 = sector == nil ? 0x03 : 0x01
            return 0xFF80_00E4 | erase4 | UInt32(sector?.opcode ?? 0xFF) << 8
        case 1:
            return UInt32(chip.size * 8 - 1)  // density in bits, minus one
        case 4:
            return 0xFFFF_FFEE  // no 2-2-2 or 4-4-4 reads
        case 5, 6:
            return 0x0000_FFFF
        case 7, 8:
            // Erase types 1-4: size as 2^N (N in the low byte, 0 = absent) and opcode.
            var word: UInt32 = 0
            for half in 0..<2 {
                let i = (dword - 7) * 2 + half
                guard i < chip.erases.count else { continue }
                let e = chip.erases[i]
                word |= (UInt32(e.size.trailingZeroBitCount) | UInt32(e.opcode) << 8) << UInt32(16 * half)
            }
            return word
        default:
            return 0  // fast-read parameters: none declared
        }
    }
}
