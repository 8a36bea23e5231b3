import TapWalkerCore

/// The FTP commands TapWalker answers (RFC 959, 2389 FEAT/OPTS, 2428 EPSV/EPRT, 3659 SIZE/MDTM/
/// REST/MLST/MLSD), written once: the name, who may use it, and its HELP text. `FTPSession`
/// dispatches on `verb`; anything not in this table gets 500 and nothing happens.
public struct FTPCommand: Sendable {
    public enum Verb: Sendable {
        case user, pass, quit, syst, feat, opts, type, mode, stru, noop, allo
        case pwd, cwd, cdup, pasv, epsv, port, eprt
        case list, nlst, mlsd, mlst, retr, stor, appe, rest, size, mdtm
        case dele, rnfr, rnto, mkd, rmd, stat, abor, site, help
    }

    public enum Access: Sendable {
        /// Before login too.
        case anyone
        /// Logged in, anonymous read-only users included.
        case loggedIn
        /// Logged in with write access (stores, deletes, the board).
        case writer
    }

    public let name: String
    public let verb: Verb
    public let access: Access
    public let help: String

    public static let all: [FTPCommand] = [
        FTPCommand(name: "USER", verb: .user, access: .anyone, help: "USER name: start a login"),
        FTPCommand(name: "PASS", verb: .pass, access: .anyone, help: "PASS password: finish a login"),
        FTPCommand(name: "QUIT", verb: .quit, access: .anyone, help: "QUIT: end the session"),
        FTPCommand(name: "SYST", verb: .syst, access: .anyone, help: "SYST: system type (UNIX Type: L8)"),
        FTPCommand(name: "FEAT", verb: .feat, access: .anyone, help: "FEAT: the extensions supported"),
        FTPCommand(name: "OPTS", verb: .opts, access: .anyone, help: "OPTS UTF8 ON: names are UTF-8 already"),
        FTPCommand(name: "NOOP", verb: .noop, access: .anyone, help: "NOOP: do nothing"),
        FTPCommand(name: "HELP", verb: .help, access: .anyone, help: "HELP [command]: this list"),
        FTPCommand(name: "TYPE", verb: .type, access: .loggedIn, help: "TYPE A|I: accepted; every transfer is binary"),
        FTPCommand(name: "MODE", verb: .mode, access: .loggedIn, help: "MODE S: stream mode only"),
        FTPCommand(name: "STRU", verb: .stru, access: .loggedIn, help: "STRU F: file structure only"),
        FTPCommand(name: "ALLO", verb: .allo, access: .loggedIn, help: "ALLO n: not needed (202)"),
        FTPCommand(name: "PWD", verb: .pwd, access: .loggedIn, help: "PWD: the working directory"),
        FTPCommand(name: "XPWD", verb: .pwd, access: .loggedIn, help: "XPWD: same as PWD"),
        FTPCommand(name: "CWD", verb: .cwd, access: .loggedIn, help: "CWD dir: change directory"),
        FTPCommand(name: "CDUP", verb: .cdup, access: .loggedIn, help: "CDUP: to the parent directory"),
        FTPCommand(name: "PASV", verb: .pasv, access: .loggedIn, help: "PASV: passive data connection (IPv4)"),
        FTPCommand(name: "EPSV", verb: .epsv, access: .loggedIn, help: "EPSV: extended passive data connection"),
        FTPCommand(name: "PORT", verb: .port, access: .loggedIn, help: "PORT h1,h2,h3,h4,p1,p2: active data connection to the client's own address"),
        FTPCommand(name: "EPRT", verb: .eprt, access: .loggedIn, help: "EPRT |1|addr|port|: extended active data connection to the client's own address"),
        FTPCommand(name: "LIST", verb: .list, access: .loggedIn, help: "LIST [path]: ls -l style listing"),
        FTPCommand(name: "NLST", verb: .nlst, access: .loggedIn, help: "NLST [path]: names only"),
        FTPCommand(name: "MLSD", verb: .mlsd, access: .loggedIn, help: "MLSD [dir]: machine listing (RFC 3659)"),
        FTPCommand(name: "MLST", verb: .mlst, access: .loggedIn, help: "MLST [path]: facts of one entry"),
        FTPCommand(name: "RETR", verb: .retr, access: .loggedIn, help: "RETR file: download"),
        FTPCommand(name: "REST", verb: .rest, access: .loggedIn, help: "REST offset: the next RETR starts there"),
        FTPCommand(name: "SIZE", verb: .size, access: .loggedIn, help: "SIZE file: size in bytes"),
        FTPCommand(name: "MDTM", verb: .mdtm, access: .loggedIn, help: "MDTM file: modification time (UTC)"),
        FTPCommand(name: "STAT", verb: .stat, access: .loggedIn, help: "STAT [path]: session status, or a listing on the control connection"),
        FTPCommand(name: "ABOR", verb: .abor, access: .loggedIn, help: "ABOR: nothing to abort between transfers (226)"),
        FTPCommand(name: "STOR", verb: .stor, access: .writer, help: "STOR file|fpga|flash@ADDR|sd@ADDR: upload, or program"),
        FTPCommand(name: "APPE", verb: .appe, access: .writer, help: "APPE file: append"),
        FTPCommand(name: "DELE", verb: .dele, access: .writer, help: "DELE file: delete"),
        FTPCommand(name: "RNFR", verb: .rnfr, access: .writer, help: "RNFR old: rename from"),
        FTPCommand(name: "RNTO", verb: .rnto, access: .writer, help: "RNTO new: rename to"),
        FTPCommand(name: "MKD", verb: .mkd, access: .writer, help: "MKD dir: make a directory"),
        FTPCommand(name: "XMKD", verb: .mkd, access: .writer, help: "XMKD: same as MKD"),
        FTPCommand(name: "RMD", verb: .rmd, access: .writer, help: "RMD dir: remove an empty directory"),
        FTPCommand(name: "XRMD", verb: .rmd, access: .writer, help: "XRMD: same as RMD"),
        FTPCommand(name: "SITE", verb: .site, access: .loggedIn, help: "SITE HELP: the board commands (PROG, FLASH, PASSTHRU, IDCODE, STATUS, FLASHINFO, MOUNT, UMOUNT)"),
    ]

    /// The command named by the first word of a line (any case), or nil.
    public static func named(_ word: [UInt8]) -> FTPCommand? {
        for command in all where ASCII.equalFold(word, command.name) { return command }
        return nil
    }
}

/// One command line split into its verb and argument ("STOR flash@0x200000").
public struct FTPRequest {
    public let word: [UInt8]
    public let argument: [UInt8]

    public init(line: [UInt8]) {
        if let space = line.firstIndex(of: UInt8(ascii: " ")) {
            word = Array(line[..<space])
            argument = Array(line[(space + 1)...])
        } else {
            word = line
            argument = []
        }
    }

    public var argumentText: String { String(decoding: argument, as: UTF8.self) }
}
