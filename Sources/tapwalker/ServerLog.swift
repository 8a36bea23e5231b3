import Foundation
import TapWalkerPlatform

/// The servers' log: one line per event on standard error, "HH:MM:SS service peer: text", written
/// with a single write so that lines from several connection threads never interleave.
enum ServerLog {
    /// An event; left out with --quiet.
    static func line(_ service: String, _ peer: String?, _ text: String) {
        if !Chatter.quiet { write(service, peer, text) }
    }

    /// A problem (a file that could not be written): logged even with --quiet.
    static func problem(_ service: String, _ peer: String?, _ text: String) {
        write(service, peer, text)
    }

    private static func write(_ service: String, _ peer: String?, _ text: String) {
        let now = Date()
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        let stamp = formatter.string(from: now)
        Terminal.writeError("\(stamp) \(service)\(peer.map { " " + $0 } ?? ""): \(text)\n")
    }

    /// The line tests and scripts wait for: "listening: xvc 0.0.0.0:2542".
    static func listening(_ service: String, host: String, port: Int) {
        Terminal.writeError("listening: \(service) \(host):\(port)\n")
    }
}
