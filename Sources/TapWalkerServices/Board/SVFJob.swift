import TapWalkerCore

extension BoardService {
    /// Plays the SVF file that `open` opens. With `checkFirst` (an input that can be read twice: a
    /// file) every statement is read and checked before the first TCK, so a malformed file leaves
    /// the board untouched; otherwise (standard input, a download) it is checked as it plays and
    /// a malformed statement stops it there. Any device on any cable: the SVF says what to shift.
    /// Afterwards the FPGA's status is read when the board is an ECP5.
    public func playSVF(
        checkFirst: Bool, progress: ProgressHandler? = nil, _ open: () throws(TapWalkerError) -> any ByteSource
    ) -> SVFPlayResult {
        var result = SVFPlayResult()
        let started = clock.microseconds()
        let player = SVFPlayer(walker: TapWalker(cable: cable))
        do throws(TapWalkerError) {
            var source = inflating(try open())
            result.input = source.name
            // One decoder at a time: the first is freed before the second reads.
            let decoder = try admitDecoder(source)
            defer { finishDecoder(decoder) }
            if checkFirst {
                try SVFParser(source, maxVectorBits: svfMaxVectorBits).readToEnd()
                result.checkedBeforeStart = true
                source = inflating(try open())
                result.input = source.name
            }
            do throws(TapWalkerError) {
                try player.play(SVFParser(source, maxVectorBits: svfMaxVectorBits), progress: progress)
            } catch {
                result.report = player.report
                throw error
            }
            result.report = player.report
        } catch {
            result.failure = error
            if player.report.boardTouched, error.kind == .input, !result.checkedBeforeStart {
                result.failure = TapWalkerError(.input, "\(error.message); the statements before it were played (the board may be part-way through the file)")
            }
        }
        if result.report.boardTouched {
            let fpga = identify()
            if fpga.failure == nil {
                result.idcode = fpga.idcode
                result.part = fpga.part
                result.status = fpga.status
                result.usercode = fpga.usercode
            }
        }
        result.microseconds = clock.microseconds() - started
        return result
    }
}
