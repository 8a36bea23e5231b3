import TapWalkerCore

/// A compressed input's decoder admitted by memory (docs/memory-admission.md). A board job's own
/// share is the reserve, measured with plain inputs; a gzip or zlib decoder (a 32 KB window and
/// its tables) comes on top, and only the input's first bytes tell. So each job that reads an
/// input asks here first, before it touches the board: the decoder's figure is taken from the
/// ledger like a transfer's, or the job is refused with the words every refusal has.
extension BoardService {
    /// A job's input as the job reads it: gzip or zlib, recognised by its first bytes, inflated on
    /// the way. Every job that reads an input starts here, so front ends hand their inputs over as
    /// they arrive (an upload, a stored file, a download) and none of them wraps one.
    func inflating(_ source: any ByteSource) -> any ByteSource { DecompressingSource(source) }

    /// When `source` turns out compressed (its first bytes are read now), admits its decoder
    /// (`HeapWork.inflater`) before the decoder is allocated, or throws why not; nothing has
    /// touched the board then. Give the ticket back with `finishDecoder` when the job ends. On a
    /// host (`memory` nil) nothing is read early and nil is returned.
    func admitDecoder(_ source: any ByteSource) throws(TapWalkerError) -> HeapAdmission.Ticket? {
        guard let memory, try source.compressedFormat() != nil else { return nil }
        // Measured as part of the job that reads the input, not apart from it.
        switch memory.admit(.inflater, measure: false) {
        case .success(let ticket):
            return ticket
        case .failure(let refusal):
            throw TapWalkerError(.device, "\(refusal.message); nothing was done, try again in \(HeapRefusal.retrySeconds) s")
        }
    }

    /// Gives back what `admitDecoder` took.
    func finishDecoder(_ ticket: HeapAdmission.Ticket?) {
        if let ticket { memory?.finish(ticket) }
    }
}
