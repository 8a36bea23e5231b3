/// Writing JSON text by hand (no Codable in Embedded Swift): the error body and small values.
public enum HTTPJSON {
    /// `text` as a JSON string literal, quotes included: the escaper of JSONObject, so the API and
    /// the CLI's `--json` escape alike.
    public static func string(_ text: String) -> String { JSONObject.quote(text) }

    /// {"ok":false,"error":"..."}
    public static func error(_ message: String) -> String {
        "{\"ok\":false,\"error\":\(string(message))}"
    }

    public static func bool(_ b: Bool) -> String { b ? "true" : "false" }
}
