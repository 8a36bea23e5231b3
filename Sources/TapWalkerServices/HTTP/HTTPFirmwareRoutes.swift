import TapWalkerCore

/// What the device offers the firmware routes; the host has none (its routes answer 404).
public protocol HTTPFirmwareActions: AnyObject {
    /// The running firmware as JSON members without braces ("\"slot\":\"ota_0\",…").
    func stateMembers() -> String
    /// Streams `body` into the inactive slot and switches the boot to it when the whole image
    /// passed; `events` carry the progress.
    func update(_ body: any ByteSource, holder: String, events: HTTPJobEvents) -> HTTPFirmwareAnswer
    /// Restarts into the new firmware (called once the answer has been sent).
    func restart()
}

public enum HTTPFirmwareAnswer {
    case busy(holder: String)
    /// 422 for an image that is not for this device or damaged; the message says what was left.
    case refused(status: Int, message: String)
    /// Reading the upload failed (cut off, over the limit): rethrown for the server to answer.
    case inputFailed(TapWalkerError)
    /// JSON members describing the installed image and slot.
    case installed(members: String)
}

/// The firmware routes (docs/firmware-update.md):
/// - GET /api/firmware: the running slot, its version, whether it is confirmed (read access);
/// - PUT /api/firmware: a new ESP-IDF app image as the body, streamed into the inactive OTA slot;
///   on success the answer is sent and the device restarts into it. Full login, and the CSRF
///   token with a cookie; one at a time, and never while a board job runs (409 naming the holder).
extension HTTPRouter {
    static let firmwarePath = "/api/firmware"

    func firmwareRoute(_ x: HTTPExchange) throws(TapWalkerError) {
        let r = x.request
        guard r.isMethod("GET") || r.isMethod("HEAD") || r.isMethod("PUT") else {
            return try x.response.error(405, "\(HTTPRouter.firmwarePath) takes GET or PUT")
        }
        guard try admit(x, r.isSafe ? .read : .full) else { return }
        guard let firmware else {
            return try x.response.error(404, "this server updates no firmware: it runs on a computer (the device has /api/firmware)")
        }
        if r.isSafe { return try x.response.json(200, "{\"ok\":true,\(firmware.stateMembers())}") }
        log(x.peer, "firmware update started")
        switch firmware.update(x.body, holder: x.holder, events: events) {
        case .busy(let holder):
            try x.response.json(409, "{\"ok\":false,\"error\":\(HTTPJSON.string("the board is busy: \(holder); the firmware was not touched")),\"holder\":\(HTTPJSON.string(holder))}")
        case .refused(let status, let message):
            log(x.peer, "firmware update refused: \(message)")
            try x.response.error(status, message)
        case .inputFailed(let error):
            log(x.peer, "firmware update cut off: \(error.message)")
            throw error
        case .installed(let members):
            log(x.peer, "firmware update installed; restarting")
            try x.response.json(200, "{\"ok\":true,\(members)}")
            firmware.restart()
        }
    }
}
