import ArgumentParser
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a bitstream the way the FPGA would, and show what it holds.",
        discussion: """
            Reads the whole file: comment header, preamble, every command, every CRC16, VERIFY_ID, \
            compressed frames, frame count against the part, EBR initialisation and usercode. \
            Reports the first problem with its byte offset (and frame number, for frame data). \
            Exit code 1 when the bitstream is invalid, 2 when the input is not a bitstream at all.
            """)

    @Argument(help: "The bitstream: a file path, - for standard input, or an http:// or https:// URL.") var file: String
    @OptionGroup var report: ReportOptions
    @OptionGroup var urlOptions: URLOptions

    func validate() throws { try SVFInput.refuse(file) }

    func run() throws {
        var out = JSONObject.result()
        out["file"] = .string(file)
        do throws(TapWalkerError) {
            // A file, stdin or http://; gzip and zlib inflated by content, as a board job would.
            let source = DecompressingSource(try openBitstreamInput(file, urlOptions))
            let info = try BitstreamInspector.inspect(source)
            out["bytes"] = .int(info.bytes)
            var header = JSONObject()
            for s in info.headerStrings {
                if let colon = s.firstIndex(of: ":") {
                    header[String(s[..<colon])] = .string(String(s[s.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
                }
            }
            out["header"] = .object(header)
            out["idcode"] = .hex(info.idcode)
            out["part"] = .optional(info.part?.name)
            out["compressed"] = .bool(info.compressed)
            out["frames"] = .int(info.frames)
            out["frames_expected"] = info.part.map { .int($0.frames) } ?? .null
            out["usercode"] = .hex(info.usercode)
            out["ebr_writes"] = .int(info.ebrWrites)
            out["crc_checks"] = .int(info.crcChecks)
            out["program_done"] = .bool(info.programDone)
            if let p = info.problem {
                var problem = JSONObject()
                problem["offset"] = .int(p.offset)
                problem["frame"] = p.frame.map { .int($0) } ?? .null
                problem["message"] = .string(p.message)
                problem["bse"] = p.code == .none ? .null : .string(p.code.name)
                out["problem"] = .object(problem)
            } else {
                out["problem"] = .null
            }
            if let notBitstream = info.notABitstream { throw notBitstream }
            if !json { printText(info, name: source.name) }
            if let p = info.problem {
                var message = "\(source.name): invalid at byte \(p.offset)"
                if let frame = p.frame { message += " (frame \(frame))" }
                message += ": \(p.message)"
                if p.code != .none { message += " — the FPGA would report BSE \(p.code.name)" }
                throw TapWalkerError(.data, message)
            }
            out["ok"] = .bool(true)
            if json { print(out.serialized()) }
        } catch {
            throw fail(error, json: json ? out : nil)
        }
    }

    private func printText(_ info: BitstreamInfo, name: String) {
        print("file:        \(name) (\(info.bytes) bytes)")
        if info.headerStrings.isEmpty {
            print("header:      none (stripped)")
        } else {
            for (i, s) in info.headerStrings.enumerated() { print((i == 0 ? "header:      " : "             ") + s) }
        }
        if let offset = info.preambleOffset { print("preamble:    at byte \(offset)") }
        if let id = info.idcode {
            print("VERIFY_ID:   \(ASCII.hex(id))  \(info.part?.name ?? "not an ECP5 IDCODE")")
        }
        print("compressed:  \(info.compressed ? "yes" : "no")")
        print("frames:      \(info.frames)" + (info.part.map { " of \($0.frames)" } ?? ""))
        print("EBR writes:  \(info.ebrWrites) (\(info.ebrFrames) frames)")
        print("usercode:    \(info.usercode.map { ASCII.hex($0) } ?? "none")")
        print("CRC checks:  \(info.crcChecks) passed" + (info.problem?.code == .crc ? ", then one failed" : ""))
        if info.commandsAfterDone > 0 { print("trailing:    \(info.commandsAfterDone) commands after ISC_PROGRAM_DONE") }
        print("verdict:     " + (info.problem == nil ? "valid" : "INVALID"))
    }
}
