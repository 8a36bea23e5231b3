/// The kinds of work a device admits by memory (`HeapAdmission`, docs/memory-admission.md).
public enum HeapWork: CaseIterable, Sendable {
    /// An FTP control connection's session (login, commands, listings), no transfer.
    case ftpControl
    /// One FTP data transfer to or from a file (RETR, STOR, APPE, a listing's data connection).
    case ftpTransfer
    /// An HTTP connection's session: request heads, small answers, logins.
    case httpConnection
    /// One HTTP upload into the file store, or download from it.
    case httpUpload
    /// One server-sent event stream (/api/events).
    case eventStream
    /// A board job that loads the SRAM (FTP `fpga`, PUT /api/fpga, SITE PROG, an SVF).
    case sramJob
    /// A board job that reads or writes the flash or the SD card (flash@, sd@, the flash routes).
    case flashJob
    /// An XVC or remote_bitbang client, which holds the board while connected.
    case jtagSession
    /// A board job's gzip or zlib decoder, on top of the job: admitted when its input turns out
    /// compressed (`BoardService.admitDecoder`), before the decoder is allocated.
    case inflater
    /// A line typed on the serial console that runs no board job (status, wifi list, help).
    case console

    /// How the work is named in refusals and in the figures the virtual ESP32 prints.
    public var name: String {
        switch self {
        case .ftpControl: return "ftp-connection"
        case .ftpTransfer: return "ftp-transfer"
        case .httpConnection: return "http-connection"
        case .httpUpload: return "http-upload"
        case .eventStream: return "event-stream"
        case .sramJob: return "sram-job"
        case .flashJob: return "flash-job"
        case .jtagSession: return "jtag-session"
        case .inflater: return "inflater"
        case .console: return "console"
        }
    }
}

/// The most heap each kind of work holds at once, above what was in use when it began: the
/// worst case seen, written once. The device admits a piece of work only when its figure fits
/// (`HeapAdmission`); a connection's task stack is added by the device (its stack size is the
/// device's). Measured, not guessed:
///
/// - `bytes64`: on the virtual ESP32 (x86_64, Embedded Swift, the firmware's code): the most the
///   task doing the work held, under the floods and real clients of
///   end-to-end/virtual-device/test_virtual_device.py (`MemoryTests`), which prints each kind's
///   largest and fails when one passes its figure. 64-bit pointers make these an upper bound for
///   the chip.
/// - `bytes32`: on the ESP32-C3's CPU in the rv32 lane (embedded/check/budgets.swift enforces
///   them), where the lane measures that work; nil where it does not yet, and the chip then uses
///   `bytes64`.
public struct HeapFigure: Sendable {
    public let work: HeapWork
    public let bytes64: Int
    public let bytes32: Int?

    public static let table: [HeapFigure] = [
        HeapFigure(work: .ftpControl, bytes64: 6 * 1024, bytes32: 16 * 1024),
        // The device's 4 KB transfer buffer (`FTPServerOptions.transferBufferBytes`), the data
        // connection and the file.
        HeapFigure(work: .ftpTransfer, bytes64: 8 * 1024, bytes32: nil),
        HeapFigure(work: .httpConnection, bytes64: 6 * 1024, bytes32: nil),
        HeapFigure(work: .httpUpload, bytes64: 8 * 1024, bytes32: nil),
        HeapFigure(work: .eventStream, bytes64: 4 * 1024, bytes32: nil),
        // On the chip through PinJTAGCable: the lane's SRAM load and flash write on the virtual
        // pins and SPI master, whose two 4 KB transfer buffers come on top of the board service's.
        HeapFigure(work: .sramJob, bytes64: 44 * 1024, bytes32: 24 * 1024 + 2 * 4096),
        HeapFigure(work: .flashJob, bytes64: 44 * 1024, bytes32: 24 * 1024 + 2 * 4096),
        // An XVC session, the larger of the two: 8 KB besides TMS, TDI and TDO of the longest
        // shift accepted (remote_bitbang's batch is smaller).
        HeapFigure(work: .jtagSession, bytes64: 24 * 1024, bytes32: 8 * 1024 + 3 * XVCServer.advertisedVectorBytes),
        // What a job whose input is compressed holds above the same job on the plain input: the
        // decoder (a 32 KB window, the largest a gzip or zlib stream may use, its tables and
        // input buffer: about 39 KB, `Inflater`) less what the plain input's path allocates and
        // the compressed one does not. The virtual ESP32 loading the 85F over HTTP held 40,606 B
        // plain and 67,060 B gzipped. The lane measures only a 4 KB window
        // (embedded/check/budgets.swift), so the chip uses this figure too.
        HeapFigure(work: .inflater, bytes64: 28 * 1024, bytes32: nil),
        HeapFigure(work: .console, bytes64: 4 * 1024, bytes32: nil),
    ]

    /// The figure that applies where this code runs.
    public static func bytes(_ work: HeapWork) -> Int {
        for f in table where f.work == work {
            #if _pointerBitWidth(_32)
            return f.bytes32 ?? f.bytes64
            #else
            return f.bytes64
            #endif
        }
        return 0
    }

    /// The lane's budget for `work` on a 32-bit CPU (nil: the lane does not measure it).
    public static func laneBudget(_ work: HeapWork) -> Int? {
        for f in table where f.work == work { return f.bytes32 }
        return nil
    }
}
