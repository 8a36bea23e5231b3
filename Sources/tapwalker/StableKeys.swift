import ArgumentParser

/// The keys of `--json` output that scripts may rely on: present in every object a command
/// prints (null when unknown), on success, on failure and for usage errors alike. Each has one
/// meaning: `status` is the FPGA's status register, `bytes` the bytes the job moved or checked.
enum StableKeys {
    /// Every command's object.
    static let common = ["ok", "error", "idcode", "part", "status", "done", "bse", "bytes", "tck_cycles", "sim_time_us"]

    /// `flash write` and `flash verify` also describe the image's place and the sectors it covers.
    static let flashImage = ["addr", "sectors", "erase_ops", "verified"]

    /// The stable keys of `command`'s object.
    static func of(_ command: ParsableCommand.Type) -> [String] {
        command == FlashWrite.self || command == FlashVerify.self ? common + flashImage : common
    }
}

extension JSONObject {
    /// A result that has not succeeded yet: `ok` false and every stable key null, in the order
    /// above, so that the keys a command never reaches are still there.
    init(stableKeys keys: [String]) {
        self.init()
        for key in keys { self[key] = .null }
        self["ok"] = .bool(false)
    }
}
