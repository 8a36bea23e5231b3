/// The 32-bit ECP5 status register (LSC_READ_STATUS, 0x3C), decoded field by field.
///
/// Sources: openFPGALoader's lattice.cpp, OpenOCD's ecp5.c and the checks in Diamond's SVF files. The simulator builds its status word from these same names.
public struct StatusRegister: Equatable, Sendable {
    public var raw: UInt32

    public init(raw: UInt32) { self.raw = raw }

    /// One-bit flags, named as those sources name them.
    public struct Flag: Sendable {
        public let bit: Int
        public let name: String
        public var mask: UInt32 { 1 << UInt32(bit) }

        public static let transparent = Flag(bit: 0, name: "transparent mode")
        public static let jtagActive = Flag(bit: 4, name: "JTAG active")
        public static let passwordProtection = Flag(bit: 5, name: "PWD protection")
        public static let decryptEnable = Flag(bit: 7, name: "decrypt enable")
        public static let done = Flag(bit: 8, name: "DONE")
        public static let iscEnable = Flag(bit: 9, name: "ISC enable")
        public static let writeEnable = Flag(bit: 10, name: "write enable")
        public static let readEnable = Flag(bit: 11, name: "read enable")
        public static let busy = Flag(bit: 12, name: "BUSY")
        public static let fail = Flag(bit: 13, name: "FAIL")
        public static let featureOTP = Flag(bit: 14, name: "feature OTP")
        public static let decryptOnly = Flag(bit: 15, name: "decrypt only")
        public static let passwordEnable = Flag(bit: 16, name: "PWD enable")
        public static let encryptPreamble = Flag(bit: 20, name: "encrypt preamble")
        public static let standardPreamble = Flag(bit: 21, name: "standard preamble")
        public static let spiMasterFail = Flag(bit: 22, name: "SPIm fail 1")
        public static let executionError = Flag(bit: 26, name: "execution error")
        public static let idError = Flag(bit: 27, name: "ID error")
        public static let invalidCommand = Flag(bit: 28, name: "invalid command")
        public static let sedError = Flag(bit: 29, name: "SED error")
        public static let bypassMode = Flag(bit: 30, name: "bypass mode")
        public static let flowThrough = Flag(bit: 31, name: "flow-through mode")

        public static let all: [Flag] = [
            transparent, jtagActive, passwordProtection, decryptEnable, done, iscEnable, writeEnable,
            readEnable, busy, fail, featureOTP, decryptOnly, passwordEnable, encryptPreamble,
            standardPreamble, spiMasterFail, executionError, idError, invalidCommand, sedError,
            bypassMode, flowThrough,
        ]
    }

    public func has(_ flag: Flag) -> Bool { raw & flag.mask != 0 }

    public mutating func set(_ flag: Flag, _ on: Bool = true) {
        if on { raw |= flag.mask } else { raw &= ~flag.mask }
    }

    /// Bits 3:1: configuration target (0 SRAM, 1 eFuse).
    public var configTarget: UInt32 { (raw >> 1) & 0x7 }

    /// Bits 25:23: the bitstream engine's error code.
    public var bse: BSECode {
        get { BSECode(rawValue: UInt8((raw >> 23) & 0x7)) ?? .none }
        set { raw = (raw & ~(0x7 << 23)) | (UInt32(newValue.rawValue) << 23) }
    }

    public var done: Bool { has(.done) }
    public var busy: Bool { has(.busy) }
    public var fail: Bool { has(.fail) }

    /// Error bits checked after a load: BSE, FAIL and the four error flags.
    /// openFPGALoader requires bits 26:23 == 0; Diamond requires (status & 0x2100) == 0x100.
    public var hasError: Bool { bse != .none || fail || raw & 0x3C00_0000 != 0 }

    /// The FPGA runs a design: DONE, and no error flagged. Every "DONE" a user reads (results,
    /// JSON `done`, FTP and console lines) is this, never the DONE bit alone.
    public var configured: Bool { done && !hasError }

    /// The BSE error's meaning and what to do about it, in one line; nil without an error code.
    /// With ISC off the code comes from booting the flash (power-up, LSC_REFRESH), else from a load.
    public var bseAdvice: String? {
        guard bse != .none else { return nil }
        return "\(bse.meaning); \(bse.advice(afterRefresh: !has(.iscEnable)))"
    }

    /// Names of the set flags and the non-zero fields, in bit order: "DONE, ISC enable, BSE=CRC".
    public var summary: String {
        var parts: [String] = []
        for f in Flag.all where has(f) { parts.append(f.name) }
        if configTarget != 0 { parts.append("target=\(configTarget == 1 ? "eFuse" : "\(configTarget)")") }
        if bse != .none { parts.append("BSE=\(bse.name)") }
        var s = ""
        for (i, p) in parts.enumerated() { s += (i == 0 ? "" : ", ") + p }
        return s.isEmpty ? "(no flags)" : s
    }

    /// Every field with its value, one line each, for `detect`.
    public var fieldLines: [String] {
        var lines: [String] = []
        for f in Flag.all { lines.append("bit \(f.bit < 10 ? " " : "")\(f.bit)  \(f.name): \(has(f) ? 1 : 0)") }
        lines.insert("bits 3:1 config target: \(configTarget == 0 ? "SRAM" : configTarget == 1 ? "eFuse" : "\(configTarget)")", at: 1)
        lines.append("bits 25:23 BSE: \(bse.rawValue) (\(bse.name)\(bse == .none ? "" : ": " + bse.meaning))")
        return lines
    }
}

/// The bitstream engine error code in status bits 25:23, with what it usually means on a board.
public enum BSECode: UInt8, CaseIterable, Sendable {
    case none = 0, id, illegalCommand, crc, preamble, aborted, overflow, sdm

    /// Short name, used as the JSON value of `bse`.
    public var name: String {
        switch self {
        case .none: return "none"
        case .id: return "ID"
        case .illegalCommand: return "CMD"
        case .crc: return "CRC"
        case .preamble: return "PRMB"
        case .aborted: return "ABRT"
        case .overflow: return "OVFL"
        case .sdm: return "SDM"
        }
    }

    public var meaning: String {
        switch self {
        case .none: return "no error"
        case .id: return "ID error: the bitstream's VERIFY_ID does not match this device"
        case .illegalCommand: return "illegal command in the bitstream"
        case .crc: return "CRC error in the bitstream data"
        case .preamble: return "preamble error: no bitstream preamble was found"
        case .aborted: return "aborted by user"
        case .overflow: return "data overflow"
        case .sdm: return "SDM error: the bitstream ran past the end of the SRAM array"
        }
    }

    /// What to do about it. `afterRefresh` is true when the code comes from booting the flash.
    public func advice(afterRefresh: Bool = false) -> String {
        switch self {
        case .none: return ""
        case .id: return "the bitstream was built for another part; rebuild it for this device (nextpnr --25k/--45k/--85k, matching ecppack --idcode)"
        case .illegalCommand: return "the bitstream contains a command this device does not accept; it may be for another family or damaged"
        case .crc: return "the bitstream is damaged (or the cable corrupted it); check the file (its inspection shows where it is damaged) and lower the TCK frequency"
        case .preamble:
            return afterRefresh
                ? "the flash is blank or does not hold a bitstream at address 0; write one at address 0"
                : "no bitstream reached the device; the data is not an ECP5 bitstream, or the cable lost it"
        case .aborted: return "the load was aborted; bitstreams with SPI_MODE or JUMP commands abort SRAM loads over JTAG"
        case .overflow: return "more data than the device expected; the bitstream is for a larger part or damaged"
        case .sdm: return "the bitstream has more frames than this device; it is for a larger part"
        }
    }
}
