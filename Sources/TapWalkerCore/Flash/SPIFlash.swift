/// A SPI NOR flash chip on a bus: identification, status, read, program, erase and protection,
/// each operation waiting for WIP with a timeout taken from the chip's maximum time.
public final class SPIFlash {
    public let bus: any SPIBus
    public private(set) var chip: FlashChip
    public private(set) var jedecID: UInt32
    /// Bytes read and written through the bus by this driver (for reports).
    public private(set) var bytesRead = 0
    public private(set) var bytesWritten = 0

    /// Wakes the chip, resets it, reads its JEDEC ID and finds it in the table (or by SFDP).
    /// Refuses when nothing answers (00/FF) or the chip is unknown, naming the ID.
    public init(bus: any SPIBus, keepRunningHint: Bool = false) throws(TapWalkerError) {
        self.bus = bus
        // Release from deep power-down, then a software reset (66, 99) into a known state; both are
        // harmless on chips that do not need them.
        _ = try bus.transfer([SPIOpcode.releasePowerDown, 0, 0, 0], readCount: 1)
        _ = try bus.transfer([SPIOpcode.resetEnable], readCount: 0)
        _ = try bus.transfer([SPIOpcode.reset], readCount: 0)
        try bus.wait(microseconds: 50)
        let id = try bus.transfer([SPIOpcode.jedecID], readCount: 3)
        let jedec = UInt32(id[0]) << 16 | UInt32(id[1]) << 8 | UInt32(id[2])
        jedecID = jedec
        if jedec == 0 || jedec == 0xFF_FFFF {
            var message = "no SPI flash answered (JEDEC ID reads \(ASCII.hex(jedec, digits: 6)))"
            message += keepRunningHint
                ? "; to reach the flash while it runs, the running design must enable the master SPI port (MASTER_SPI_PORT=ENABLE, no USRMCLK)"
                : "; the board may have no flash, or its flash is not wired to the ECP5's configuration pins"
            throw TapWalkerError(.device, message + "; nothing was changed", remedy: keepRunningHint ? .stopTheDesign : nil)
        }
        if let known = FlashChip.with(jedecID: jedec) {
            chip = known
        } else if let described = try SFDP.chip(jedecID: jedec, bus: bus) {
            chip = described
        } else {
            throw TapWalkerError(.device, "unknown SPI flash with JEDEC ID \(ASCII.hex(jedec, digits: 6)) and no usable SFDP table; TapWalker knows \(FlashChip.knownList) and refuses to write a chip whose size and erase commands it does not know; nothing was changed")
        }
    }

    // MARK: - Status

    public func readStatus() throws(TapWalkerError) -> UInt8 {
        try bus.transfer([SPIOpcode.readStatus], readCount: 1)[0]
    }

    public func readProtectionRegisters() throws(TapWalkerError) -> ProtectionRegisters {
        let status = try readStatus()
        switch chip.protection {
        case .winbond:
            return ProtectionRegisters(status: status, status2: try bus.transfer([SPIOpcode.readStatus2], readCount: 1)[0])
        case .issi:
            // Never 35h on ISSI: it enters QPI mode there.
            return ProtectionRegisters(status: status, extra: try bus.transfer([SPIOpcode.readFunction], readCount: 1)[0])
        case .macronix:
            return ProtectionRegisters(status: status, extra: try bus.transfer([SPIOpcode.readConfig], readCount: 1)[0])
        case .unknown:
            return ProtectionRegisters(status: status)
        }
    }

    public func protectedRange() throws(TapWalkerError) -> Range<Int> {
        chip.protection.protectedRange(try readProtectionRegisters(), size: chip.size)
    }

    /// Writes the rewritable protection bits. One-time bits are never touched here.
    public func writeProtection(_ r: ProtectionRegisters) throws(TapWalkerError) {
        try writeEnable()
        switch chip.protection {
        case .winbond:
            // WRSR with two bytes writes SR1 and SR2 together (CMP lives in SR2). SRL and the LB bits
            // of SR2 are kept as read, so nothing one-time changes.
            _ = try bus.transfer([SPIOpcode.writeStatus, r.status, r.status2], readCount: 0)
        case .issi, .macronix:
            _ = try bus.transfer([SPIOpcode.writeStatus, r.status], readCount: 0)
        case .unknown:
            throw TapWalkerError(.usage, "the protection table of this \(chip.name) is not known; nothing was changed")
        }
        try waitReady(chip.writeStatus, "writing the status register")
        let now = try readProtectionRegisters()
        guard now.status & chip.protection.statusMask == r.status & chip.protection.statusMask,
              now.status2 & 0x40 == r.status2 & 0x40
        else {
            throw TapWalkerError(.device, "the flash did not take the new protection bits (status \(ASCII.hex(now.status)), wanted \(ASCII.hex(r.status))); a status-register lock (SRP/SRWD with WP# low) may hold them")
        }
    }

    /// Sets the one-time top/bottom bit so that protection counts from address 0. Permanent.
    public func setBottomProtectionOTP() throws(TapWalkerError) {
        switch chip.protection {
        case .winbond, .unknown:
            return  // Winbond's TB is an ordinary status bit; an unknown chip is never given one-time bits.
        case .issi:
            let fr = try bus.transfer([SPIOpcode.readFunction], readCount: 1)[0]
            try writeEnable()
            _ = try bus.transfer([SPIOpcode.writeFunction, fr | 0x02], readCount: 0)
        case .macronix:
            let sr = try readStatus()
            let cr = try bus.transfer([SPIOpcode.readConfig], readCount: 1)[0]
            try writeEnable()
            _ = try bus.transfer([SPIOpcode.writeStatus, sr, cr | 0x08], readCount: 0)
        }
        try waitReady(chip.writeStatus, "writing the one-time top/bottom bit")
    }

    func writeEnable() throws(TapWalkerError) {
        _ = try bus.transfer([SPIOpcode.writeEnable], readCount: 0)
    }

    public func writeDisable() throws(TapWalkerError) {
        _ = try bus.transfer([SPIOpcode.writeDisable], readCount: 0)
    }

    /// Waits for WIP to clear: first the typical time, then polls; gives up after twice the maximum.
    func waitReady(_ timing: FlashChip.Timing, _ what: String) throws(TapWalkerError) {
        try bus.wait(microseconds: timing.typical)
        let step = max(timing.typical / 8, 50)
        var waited = timing.typical
        while try readStatus() & 0x01 != 0 {
            if waited > timing.maximum * 2 {
                throw TapWalkerError(.device, "the flash stayed busy \(waited / 1000) ms \(what) (its maximum is \(timing.maximum / 1000) ms)")
            }
            try bus.wait(microseconds: step)
            waited += step
        }
    }

    // MARK: - Data

    /// Bytes per FAST READ transaction: a 4 KB sector, so that a read needs no more than a
    /// sector's buffer anywhere on its way (bridge, cable). Over a network cable each transaction
    /// is one round trip.
    public static let readTransactionBytes = FlashChip.sectorSize

    /// FAST READ (0x0B) into `buffer`, in transactions of `readTransactionBytes`.
    public func read(address: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TapWalkerError) {
        var done = 0
        while done < buffer.count {
            let n = min(SPIFlash.readTransactionBytes, buffer.count - done)
            let at = address + done
            try bus.transfer([SPIOpcode.fastRead, UInt8(at >> 16 & 0xFF), UInt8(at >> 8 & 0xFF), UInt8(at & 0xFF), 0],
                             into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<(done + n)]))
            done += n
        }
        bytesRead += buffer.count
    }

    /// FAST READ (0x0B) of `count` bytes into a new array.
    public func read(address: Int, count: Int) throws(TapWalkerError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        try out.withMutableBytes { (p) throws(TapWalkerError) in try read(address: address, into: p) }
        return out
    }

    /// Programs up to one page; `data` must not cross a page boundary.
    public func programPage(address: Int, _ data: ArraySlice<UInt8>) throws(TapWalkerError) {
        try writeEnable()
        _ = try bus.transfer([SPIOpcode.pageProgram, UInt8(address >> 16 & 0xFF), UInt8(address >> 8 & 0xFF), UInt8(address & 0xFF)] + Array(data), readCount: 0)
        bytesWritten += data.count
        try waitReady(chip.pageProgram, "programming \(ASCII.hex(UInt32(address), digits: 6))")
    }

    public func erase(_ kind: FlashChip.EraseKind, address: Int) throws(TapWalkerError) {
        try writeEnable()
        _ = try bus.transfer([kind.opcode, UInt8(address >> 16 & 0xFF), UInt8(address >> 8 & 0xFF), UInt8(address & 0xFF)], readCount: 0)
        try waitReady(kind.timing, "erasing \(kind.size / 1024) KB at \(ASCII.hex(UInt32(address), digits: 6))")
    }

    public func eraseChip() throws(TapWalkerError) {
        try writeEnable()
        _ = try bus.transfer([SPIOpcode.chipErase], readCount: 0)
        try waitReady(chip.chipErase, "erasing the whole chip")
    }
}

extension FlashChip {
    static var knownList: String {
        var s = ""
        for (i, c) in all.enumerated() { s += (i == 0 ? "" : ", ") + c.name + " (" + ASCII.hex(c.jedecID, digits: 6) + ")" }
        return s
    }
}
