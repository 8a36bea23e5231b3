import TapWalkerCore

/// The `--json` contract: one object per run whose stable keys are always present (null when
/// unknown), each with one meaning, filled from the board service's typed results.
/// `status` is always the FPGA's status register and `done` the FPGA's DONE; the flash's own
/// registers and protection live under `flash`.
extension JSONObject {
    /// `status`, `done` and `bse` from the FPGA's status register.
    public mutating func add(status: StatusRegister?) {
        guard let status else { return }
        self["status"] = .hex(status.raw)
        self["done"] = .bool(status.configured)
        self["bse"] = status.bse == .none ? .null : .string(status.bse.name)
    }

    public mutating func add(idcode: UInt32?, part: Part?) {
        if let idcode { self["idcode"] = .hex(idcode) }
        if let part { self["part"] = .string(part.name) }
    }

    public mutating func add(_ identity: BoardIdentity) {
        add(idcode: identity.idcode, part: identity.part)
        add(status: identity.status)
        if let usercode = identity.usercode { self["usercode"] = .hex(usercode) }
    }

    public mutating func add(_ load: SRAMLoadResult) {
        add(idcode: load.idcode, part: load.part)
        add(status: load.status)
        if let usercode = load.usercode { self["usercode"] = .hex(usercode) }
        self["file"] = .string(load.input)
        self["bytes"] = .int(load.bytesSent)
        self["sram_touched"] = .bool(load.sramTouched)
        self["checked_before_erase"] = .bool(load.checkedBeforeErase)
    }

    /// The FPGA around a flash job and the `flash` object with the chip.
    public mutating func add(_ access: FlashAccess, registers: ProtectionRegisters? = nil, protected: Range<Int>? = nil) {
        add(idcode: access.idcode, part: access.part)
        add(status: access.status)
        self["sram_touched"] = .bool(access.sramCleared)
        self["reloaded"] = .bool(access.reload != nil)
        if let why = access.reload?.explanation { self["reload_note"] = .string(why) }
        if let boot = access.boot { self["boot"] = JSONObject.boot(boot) }
        guard let chip = access.chip else { return }
        var flash = JSONObject()
        flash["chip"] = .string(chip.name)
        flash["jedec"] = .string(ASCII.hex(access.jedecID ?? chip.jedecID, digits: 6))
        flash["size"] = .int(chip.size)
        if let registers {
            flash["status"] = .string(ASCII.hex(registers.status, digits: 2))
            flash["status2"] = chip.protection == .winbond ? .string(ASCII.hex(registers.status2, digits: 2)) : .null
            flash["extra"] = chip.protection == .issi || chip.protection == .macronix ? .string(ASCII.hex(registers.extra, digits: 2)) : .null
            var fields = JSONObject()
            for field in chip.protection.fields { fields[field.name] = .int(field.value(in: registers)) }
            flash["fields"] = .object(fields)
        }
        if let protected { flash["protected"] = JSONObject.range(protected) }
        self["flash"] = .object(flash)
    }

    /// "0x000000:0x200000" (end exclusive), or null when nothing is protected.
    public static func range(_ r: Range<Int>) -> Value {
        r.isEmpty ? .null : .string("\(BoardText.address(r.lowerBound)):\(BoardText.address(r.upperBound))")
    }

    public mutating func add(_ write: FlashWriteResult) {
        add(write.access)
        self["file"] = .string(write.input)
        add(writeReport: write.report, address: write.address)
        self["written"] = JSONObject.range(write.written)
        self["cut_at"] = write.cutAt.map { .int($0) } ?? .null
    }

    public mutating func add(writeReport r: FlashWriter.Report, address: Int) {
        self["addr"] = .int(address)
        self["bytes"] = .int(r.bytes)
        var sectors = JSONObject()
        sectors["total"] = .int(r.sectorsTotal)
        sectors["unchanged"] = .int(r.sectorsUnchanged)
        sectors["programmed"] = .int(r.sectorsProgrammed)
        sectors["erased"] = .int(r.sectorsErased)
        self["sectors"] = .object(sectors)
        var ops = JSONObject()
        ops["4k"] = .int(r.erase4K)
        ops["32k"] = .int(r.erase32K)
        ops["64k"] = .int(r.erase64K)
        self["erase_ops"] = .object(ops)
        self["pages_programmed"] = .int(r.pagesProgrammed)
        self["bytes_read"] = .int(r.bytesRead)
        self["bytes_written"] = .int(r.bytesWritten)
        self["retries"] = .int(r.retries)
        self["verified"] = .bool(r.verified)
        self["map"] = .string(String(decoding: r.map, as: UTF8.self))
    }

    /// `flash multiboot`: the layout, each region written, and the boot checks.
    public mutating func add(_ multiboot: MultibootResult) {
        add(multiboot.access)
        var bytes = 0
        var regions: [Value] = []
        for w in multiboot.writes {
            var r = JSONObject()
            r["name"] = .string(w.name)
            r["addr"] = .int(w.address)
            r["bytes"] = .int(w.report.bytes)
            r["sectors_unchanged"] = .int(w.report.sectorsUnchanged)
            r["verified"] = .bool(w.report.verified)
            regions.append(.object(r))
            bytes += w.report.bytes
        }
        self["regions"] = .array(regions)
        if !multiboot.writes.isEmpty {
            self["bytes"] = .int(bytes)
            self["verified"] = .bool(multiboot.writes.allSatisfy { $0.report.verified })
        }
        if let layout = multiboot.layout { self["addr"] = .int(layout.primaryAddress) }
        self["rehearsal"] = multiboot.rehearsal.map(JSONObject.boot) ?? .null
    }

    public mutating func add(_ verify: FlashVerifyResult) {
        add(verify.access)
        self["file"] = .string(verify.input)
        self["addr"] = .int(verify.address)
        self["bytes"] = .int(verify.bytes)
        var sectors = JSONObject()
        sectors["total"] = .int(verify.sectorsTotal)
        sectors["unchanged"] = .int(verify.sectorsMatching)
        sectors["programmed"] = .int(0)
        sectors["erased"] = .int(0)
        sectors["differing"] = .int(verify.sectorsDiffering)
        self["sectors"] = .object(sectors)
        var ops = JSONObject()
        ops["4k"] = .int(0)
        ops["32k"] = .int(0)
        ops["64k"] = .int(0)
        self["erase_ops"] = .object(ops)
        self["verified"] = .bool(verify.matches)
        self["first_difference"] = verify.firstDifference.map { .int($0) } ?? .null
    }

    /// `tck_cycles` and `sim_time_us` (null unless the cable is the simulator).
    public mutating func addStatistics(_ cable: any Cable) {
        let stats = cable.statistics
        self["tck_cycles"] = .uint(stats.tckCycles)
        self["sim_time_us"] = stats.simulatedMicroseconds.map { .uint($0) } ?? .null
    }

    /// `tck_cycles` and `sim_time_us` of one job: what the cable did from `before` to `after`.
    public mutating func addStatistics(from before: CableStatistics, to after: CableStatistics) {
        self["tck_cycles"] = .uint(after.tckCycles &- before.tckCycles)
        if let start = before.simulatedMicroseconds, let end = after.simulatedMicroseconds {
            self["sim_time_us"] = .uint(end &- start)
        } else {
            self["sim_time_us"] = .null
        }
    }
}
