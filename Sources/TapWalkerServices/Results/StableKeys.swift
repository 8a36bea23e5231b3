/// The keys of `--json` output that scripts may rely on: present in every object a command
/// prints (null when unknown), on success, on failure and for usage errors alike. Each has one
/// meaning: `status` and `done` are the FPGA's status register and DONE, `bytes` the bytes the job
/// moved or checked; the flash's own registers and protection live under `flash`.
public enum StableKeys {
    public static let all = [
        "ok", "error", "idcode", "part", "status", "done", "bse", "usercode", "file", "addr", "bytes",
        "sectors", "erase_ops", "verified", "sram_touched", "flash", "tck_cycles", "sim_time_us", "boot",
    ]
}

extension JSONObject {
    /// A result that has not succeeded yet: `ok` false and every stable key null, in the order
    /// above, so that the keys a command never reaches are still there.
    public static func result() -> JSONObject {
        var out = JSONObject()
        for key in StableKeys.all { out[key] = .null }
        out["ok"] = .bool(false)
        return out
    }
}
