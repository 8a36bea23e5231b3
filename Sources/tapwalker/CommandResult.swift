import ArgumentParser
import TapWalkerCore
import TapWalkerPlatform
import TapWalkerServices

/// Runs one command's work the way every command reports: the body fills the JSON object (every
/// stable key present from the start) and returns the lines a person reads. Success prints those
/// lines (or the JSON object with `ok` true); failure prints the error (or the JSON object with
/// `ok` false and `error`) and exits 1 or 2.
func runReporting(json: Bool, _ body: (inout JSONObject) throws(TapWalkerError) -> [String]) throws {
    var out = JSONObject.result()
    do throws(TapWalkerError) {
        let lines = try body(&out)
        out["ok"] = .bool(true)
        if json {
            print(out.serialized())
        } else if OutputFile.standardOutputCarriesData {
            for line in lines { Chatter.note(line) }
        } else {
            for line in lines { print(line) }
        }
    } catch {
        throw fail(error, json: json ? out : nil)
    }
}
