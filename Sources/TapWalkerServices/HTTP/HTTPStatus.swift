/// The status codes the server answers with and their reason phrases (RFC 9110 section 15).
public enum HTTPStatus {
    public static let reasons: [(code: Int, reason: String)] = [
        (100, "Continue"), (200, "OK"), (201, "Created"), (204, "No Content"),
        (400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"), (404, "Not Found"),
        (405, "Method Not Allowed"), (408, "Request Timeout"), (409, "Conflict"), (411, "Length Required"),
        (413, "Content Too Large"), (414, "URI Too Long"), (422, "Unprocessable Content"),
        (429, "Too Many Requests"), (431, "Request Header Fields Too Large"),
        (500, "Internal Server Error"), (501, "Not Implemented"), (503, "Service Unavailable"),
        (505, "HTTP Version Not Supported"),
    ]

    public static func reason(_ code: Int) -> String {
        reasons.first(where: { $0.code == code })?.reason ?? "Status"
    }
}
