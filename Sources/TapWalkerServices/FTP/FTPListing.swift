import TapWalkerCore

/// The text of directory listings: LIST in the `ls -l` form that every client parses (lftp,
/// curl, FileZilla, Python's ftplib), MLSD/MLST facts per RFC 3659, and the UTC dates they and
/// MDTM use.
public enum FTPListing {
    /// "-rw-r--r-- 1 tapwalker tapwalker 1927725 Nov 24  2025 blink.bit". The year form is used
    /// for every date: it needs no idea of "now" and every parser reads it.
    public static func longLine(_ f: FileInfo) -> String {
        let d = UTCDate(f.modified)
        let size = String(f.size)
        var pad = ""
        for _ in size.utf8.count..<max(12, size.utf8.count) { pad += " " }
        let day = d.day < 10 ? " \(d.day)" : "\(d.day)"
        return (f.isDirectory ? "drwxr-xr-x" : "-rw-r--r--") + " 1 tapwalker tapwalker " + pad + size + " "
            + UTCDate.monthNames[d.month - 1] + " " + day + "  \(d.year) " + f.name
    }

    /// RFC 3659 facts, then a space and the name: "type=file;size=5;modify=20250101120000;perm=rwadf; a.bit".
    /// `perm` tells what this user may do (r read, w write, a append, d delete, f rename;
    /// e enter, l list, c create, m make directory for directories).
    public static func facts(_ f: FileInfo, writable: Bool, typeOverride: String? = nil) -> String {
        let type = typeOverride ?? (f.isDirectory ? "dir" : "file")
        let perm = f.isDirectory ? (writable ? "elcmdf" : "el") : (writable ? "rwadf" : "r")
        var s = "type=\(type);"
        if !f.isDirectory { s += "size=\(f.size);" }
        s += "modify=\(UTCDate(f.modified).compact);perm=\(perm); " + f.name
        return s
    }
}

/// A UTC calendar date from Unix seconds (days-to-civil arithmetic; Embedded Swift has no time
/// library, and FTP dates are always UTC).
public struct UTCDate {
    public let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public init(_ seconds: Int) {
        var days = seconds / 86400
        var rest = seconds % 86400
        if rest < 0 { rest += 86400; days -= 1 }
        hour = rest / 3600
        minute = rest / 60 % 60
        second = rest % 60
        // Count in 400-year eras from 0000-03-01, so that the leap day ends each year.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// "YYYYMMDDHHMMSS", the form of MDTM and MLSD.
    public var compact: String {
        UTCDate.two(year / 100) + UTCDate.two(year % 100) + UTCDate.two(month) + UTCDate.two(day)
            + UTCDate.two(hour) + UTCDate.two(minute) + UTCDate.two(second)
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
