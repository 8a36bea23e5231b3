/// Block protection of SPI NOR flash, decoded and encoded by each chip's own table.
///
/// Each scheme follows its maker's data sheet. A generic "64 KB × 2^(BP−1)" model is wrong for
/// Winbond parts, whose BP values protect fractions of the array; each scheme here is the vendor's.
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

/// One field of a flash chip's status, function or configuration register, as the chip's data
/// sheet names it: the table `flash info` decodes from, written once per protection scheme.
public struct FlashRegisterField: Sendable {
    public enum Register: Sendable {
        /// SR1 (Winbond) or the only status register (ISSI, Macronix).
        case status
        /// Winbond SR2.
        case status2
        /// ISSI function register or Macronix configuration register.
        case extra
    }

    public let register: Register
    public let name: String
    public let shift: UInt8
    public let width: UInt8
    /// Set once, never cleared (one-time programmable).
    public let oneTime: Bool

    public func value(in r: ProtectionRegisters) -> Int {
        let byte: UInt8
        switch register {
        case .status: byte = r.status
        case .status2: byte = r.status2
        case .extra: byte = r.extra
        }
        return Int(byte >> shift) & ((1 << Int(width)) - 1)
    }
}

extension ProtectionScheme {
    /// The name of the second register this scheme reads ("SR2", "function register", …).
    public var extraRegisterName: String? {
        switch self {
        case .winbond: return "SR2"
        case .issi: return "function register"
        case .macronix: return "configuration register"
        case .unknown: return nil
        }
    }

    /// The register fields of this scheme, most significant first (Winbond W25Q128JV, ISSI
    /// IS25LP128F and Macronix MX25L12833F data sheets).
    public var fields: [FlashRegisterField] {
        func f(_ r: FlashRegisterField.Register, _ name: String, _ shift: UInt8, _ width: UInt8 = 1, oneTime: Bool = false) -> FlashRegisterField {
            FlashRegisterField(register: r, name: name, shift: shift, width: width, oneTime: oneTime)
        }
        switch self {
        case .winbond:
            return [f(.status, "SRP", 7), f(.status, "SEC", 6), f(.status, "TB", 5), f(.status, "BP", 2, 3),
                    f(.status, "WEL", 1), f(.status, "BUSY", 0),
                    f(.status2, "CMP", 6), f(.status2, "LB", 3, 3, oneTime: true), f(.status2, "QE", 1),
                    f(.status2, "SRL", 0)]
        case .issi:
            return [f(.status, "SRWD", 7), f(.status, "QE", 6), f(.status, "BP", 2, 4), f(.status, "WEL", 1),
                    f(.status, "WIP", 0), f(.extra, "TBS", 1, oneTime: true)]
        case .macronix:
            return [f(.status, "SRWD", 7), f(.status, "QE", 6), f(.status, "BP", 2, 4), f(.status, "WEL", 1),
                    f(.status, "WIP", 0), f(.extra, "T/B", 3, oneTime: true)]
        case .unknown:
            return [f(.status, "BUSY", 0)]
        }
    }
}
