import TapWalkerCore

/// A board job the HTTP routes ask for.
public enum HTTPBoardJob {
    /// Load a bitstream into the FPGA's SRAM (PUT /api/fpga).
    case sram
    /// Write a flash image at a byte address (PUT /api/flash?addr=A).
    case flash(address: Int)
    /// Write to the SD card at a byte offset (PUT /api/sd?addr=A).
    case sd(address: Int)
    /// Make the FPGA load itself from flash again (POST /api/reload).
    case reload
    /// Read the flash and say which image the FPGA would boot (POST /api/flash/boot).
    case bootCheck
    /// Mount the SD card's file system at /sd (POST /api/sd/mount), or release the card (POST
    /// /api/sd/umount); under the job lock, so never during a raw write or a job reading the card.
    case mountSD
    case releaseSD
}

/// How a board job ended.
public enum HTTPBoardAnswer {
    /// Done; `json` is the result object. The page shows `message`, `status` (the decoded status
    /// register, a string) and `advice` when present: {"ok":true,"message":"...","status":"..."}.
    case done(json: String)
    /// The board is taken by another job; the answer is 409 naming `holder`.
    case busy(holder: String)
    /// The job failed: `status` (422 wrong part or bad input, 502 the cable failed, 500 the board
    /// failed) and the result object, with `ok` false, `error` (the message the command line
    /// prints) and `advice` (for the person at the board, or null).
    case failed(status: Int, json: String)
}

/// What the routes that touch the board need; the board service implements it. Every job takes
/// the one-job lock itself, as `holder` ("HTTP 10.0.0.5:51234"), and reports progress to `events`.
public protocol HTTPBoardActions: AnyObject {
    /// The board as a JSON object, with the fields the page shows: {"ok":true,"part":"LFE5U-85F",
    /// "idcode":1091645507,"done":true,"usercode":0,"flash":"Winbond W25Q128JV","protection":"none"}
    /// (idcode and usercode as numbers: the page compares a bitstream's IDCODE with idcode).
    /// With `readFlash`, the flash chip and its protection are read now (a flash job, which
    /// reloads the FPGA from flash after); else as the last flash job found them.
    func describe(holder: String, readFlash: Bool) -> HTTPBoardAnswer
    /// Runs `job` with `input` as its data (empty for `.reload`).
    func run(_ job: HTTPBoardJob, input: any ByteSource, holder: String, events: HTTPJobEvents) -> HTTPBoardAnswer
    /// An http:// or https:// input for `run`, its head read now (`BoardService.openURL`); the
    /// error says why not, and that the board was left as it was.
    func openURL(_ url: String) throws(TapWalkerError) -> any ByteSource
    /// Reads `length` bytes of flash from `address`, handing them to `output` as they come;
    /// `output` may throw (the client went away), which ends the read.
    func readFlash(
        address: Int, length: Int, holder: String, events: HTTPJobEvents,
        output: (UnsafeRawBufferPointer) throws(TapWalkerError) -> Void
    ) -> HTTPBoardAnswer
}
