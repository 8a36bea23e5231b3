import TapWalkerCore

/// How every front end words a boot check (`ColdBootOutcome`): the command line, the console and
/// the page's JSON say the same thing.
public enum BootCheckText {
    /// "primary 0x000000: loads, 582340 bytes, usercode 0x00000000" or "primary: CRC error at …".
    public static func line(_ name: String, _ path: BootPath) -> String {
        if path.loads {
            return "\(name) \(BoardText.address(path.imageAddress)): loads, \(path.size ?? 0) bytes, usercode \(ASCII.hex(path.userCode ?? 0))"
        }
        return "\(name): \(path.reason ?? "")"
    }

    /// The boot check as lines: each path, then which image the FPGA would run.
    public static func lines(_ boot: ColdBootOutcome) -> [String] {
        var out = ["boot check (\(boot.part.name)): " + line("primary", boot.primary)]
        if let golden = boot.fallback {
            out.append("boot check: " + line("golden (jump table at \(BoardText.address(golden.start)))", golden))
        } else {
            out.append("boot check: no golden image (no JUMP in the jump table at the top of the flash)")
        }
        if let loaded = boot.loaded {
            let which = loaded.start == 0 ? "the primary image" : "the golden image"
            out.append("boot check: the FPGA would load \(which) at \(BoardText.address(loaded.imageAddress)) (tries: \(boot.tries))")
        } else {
            out.append("boot check: the FPGA would load nothing (tries: \(boot.tries))")
        }
        return out
    }

    /// "; it would fall back to the golden image at 0x100000" or "; the golden image …: why".
    public static func fallbackClause(_ boot: ColdBootOutcome) -> String {
        guard let golden = boot.fallback else { return "; there is no golden image to fall back to" }
        if golden.loads { return "; it would fall back to the golden image at \(BoardText.address(golden.imageAddress))" }
        return "; the golden image would not load either: \(golden.reason ?? "")"
    }
}

extension JSONObject {
    /// The `boot` object: the image the FPGA would load (`loads`, `addr`, `size`, `usercode`),
    /// `part`, `reason` (why nothing loads), `tries`, and `primary` and `fallback` (the golden
    /// path, null when there is none) with the same fields for each path.
    public static func boot(_ boot: ColdBootOutcome) -> Value {
        var out = path(boot.loaded, part: boot.part)
        if boot.loaded == nil { out["reason"] = .string(boot.primary.reason ?? "") }
        out["tries"] = .int(boot.tries)
        out["primary"] = .object(path(boot.primary, part: boot.part))
        out["fallback"] = boot.fallback.map { .object(path($0, part: boot.part)) } ?? .null
        return .object(out)
    }

    private static func path(_ p: BootPath?, part: Part) -> JSONObject {
        var out = JSONObject()
        out["loads"] = .bool(p?.loads ?? false)
        out["addr"] = p.flatMap { $0.loads ? .int($0.imageAddress) : nil } ?? .null
        out["size"] = p?.size.map { .int($0) } ?? .null
        out["usercode"] = p?.userCode.map { .hex($0) } ?? .null
        out["part"] = .string(part.name)
        out["reason"] = p?.reason.map { .string($0) } ?? .null
        return out
    }
}
