import TapWalkerCore
import TapWalkerPlatform

/// The servers' accept loop: waits for connections on `listeners` until Ctrl-C and hands each to
/// `handle` with the index of its listener. A failed accept is logged under `service` and the loop
/// goes on; it checks for Ctrl-C at least once a second.
func acceptUntilInterrupted(_ listeners: [TCPListener], service: String, _ handle: (Int, TCPConnection) -> Void) {
    while !Interruption.requested {
        let accepted: (index: Int, connection: TCPConnection)?
        do throws(TapWalkerError) {
            accepted = try TCPListener.accept(any: listeners, timeoutMilliseconds: 1000)
        } catch {
            ServerLog.line(service, nil, error.message)
            continue
        }
        if let (index, connection) = accepted { handle(index, connection) }
    }
}
