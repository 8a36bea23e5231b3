/// Block protection of SPI NOR flash, decoded and encoded by each chip's own table.
///
/// Source: reference §5. openFPGALoader's generic "64 KB × 2^(BP−1)" model is wrong for Winbond
/// parts, whose BP values protect fractions of the array; each scheme here is the vendor's.
public enum ProtectionScheme: Sendable {
    /// Winbond (and Cypress S25FL1-K): SR1 = SRP SEC TB BP2 BP1 BP0 WEL BUSY; SR2 bit 6 = CMP.
    /// SEC=0: BP 1…6 protect 1/64 … 1/2 of the array; SEC=1: 4/8/16/32 KB; TB picks the bottom;
    /// BP=7 protects all; CMP=1 protects the complement. SR2's SRL and LB bits are one-time.
    case winbond
    /// ISSI IS25LP: SR = SRWD QE BP3 BP2 BP1 BP0 WEL WIP; BP=n protects 64 KB × 2^(n−1) (all once that
    /// reaches the size), at the top unless the function register's TBS bit (one-time) is set.
    case issi
    /// Macronix MX25L: SR = SRWD QE BP3…BP0 WEL WIP, the same 2^(n−1) blocks as ISSI; bottom when
    /// configuration register bit 3 (T/B, one-time) is set. (?) from the MX25L12835F data sheet family.
    case macronix
    /// A chip known only by SFDP: its protection table is not known, so TapWalker reports no
    /// protected range (a protected area then shows up as a verify failure) and never sets one.
    case unknown
}

/// The registers that hold protection, as read from the chip.
public struct ProtectionRegisters: Equatable, Sendable {
    /// SR1 (Winbond) or the only status register (ISSI, Macronix).
    public var status: UInt8
    /// Winbond SR2 (CMP, SRL, LB); 0 elsewhere.
    public var status2: UInt8
    /// ISSI function register or Macronix configuration register: where the one-time top/bottom bit
    /// lives; 0 for Winbond.
    public var extra: UInt8

    public init(status: UInt8, status2: UInt8 = 0, extra: UInt8 = 0) {
        self.status = status
        self.status2 = status2
        self.extra = extra
    }
}

extension ProtectionScheme {
    /// Status register bits that set protection (BP, TB, SEC for Winbond).
    public var statusMask: UInt8 {
        switch self {
        case .winbond: return 0x7C
        case .issi, .macronix: return 0x3C
        case .unknown: return 0
        }
    }

    /// The protected address range; exactly `0..<0` when nothing is protected.
    public func protectedRange(_ r: ProtectionRegisters, size: Int) -> Range<Int> {
        let range = table(r, size: size)
        return range.isEmpty ? 0..<0 : range
    }

    private func table(_ r: ProtectionRegisters, size: Int) -> Range<Int> {
        switch self {
        case .winbond:
            let bp = Int(r.status >> 2) & 7
            let tb = r.status & 0x20 != 0
            let sec = r.status & 0x40 != 0
            let cmp = r.status2 & 0x40 != 0
            var length: Int
            if bp == 0 { length = 0 }
            else if bp == 7 { length = size }
            else if sec { length = 4096 << min(bp - 1, 3) }
            else { length = (size / 64) << (bp - 1) }
            var range = tb ? 0..<length : (size - length)..<size
            if cmp { range = tb ? length..<size : 0..<(size - length) }
            return range
        case .issi, .macronix:
            let n = Int(r.status >> 2) & 0xF
            let bottom = self == .issi ? r.extra & 0x02 != 0 : r.extra & 0x08 != 0
            if n == 0 { return 0..<0 }
            let length = n - 1 >= 20 ? size : min(size, 65536 << (n - 1))
            return bottom ? 0..<length : (size - length)..<size
        case .unknown:
            return 0..<0
        }
    }

    /// Whether the one-time top/bottom bit says "bottom" (always false for Winbond, whose TB is
    /// an ordinary status bit).
    public func otpBottom(_ r: ProtectionRegisters) -> Bool {
        switch self {
        case .winbond, .unknown: return false
        case .issi: return r.extra & 0x02 != 0
        case .macronix: return r.extra & 0x08 != 0
        }
    }

    /// Register values that protect exactly `range`, changing only ordinary (rewritable) bits.
    /// nil when the chip's table has no such range, or it needs a one-time bit set differently.
    public func registers(protecting range: Range<Int>, size: Int, from current: ProtectionRegisters) -> ProtectionRegisters? {
        let wanted = range.isEmpty ? 0..<0 : range
        for candidate in candidates(current) where protectedRange(candidate, size: size) == wanted {
            return candidate
        }
        return nil
    }

    /// Every setting of the rewritable protection bits, simplest first.
    private func candidates(_ current: ProtectionRegisters) -> [ProtectionRegisters] {
        var out: [ProtectionRegisters] = []
        switch self {
        case .winbond:
            for cmp in [false, true] {
                for sec in [false, true] {
                    for tb in [false, true] {
                        for bp in 0..<8 {
                            var r = current
                            r.status = (current.status & ~statusMask) | UInt8(bp << 2) | (tb ? 0x20 : 0) | (sec ? 0x40 : 0)
                            r.status2 = cmp ? current.status2 | 0x40 : current.status2 & ~0x40
                            out.append(r)
                        }
                    }
                }
            }
        case .issi, .macronix:
            for bp in 0..<16 {
                var r = current
                r.status = (current.status & ~statusMask) | UInt8(bp << 2)
                out.append(r)
            }
        case .unknown:
            break
        }
        return out
    }
}
