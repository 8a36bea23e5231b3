import TapWalkerCore

/// The servers' accept loop: waits for connections until `stop` says so and hands each to
/// `handle`. A failed accept is logged and the loop goes on; `stop` is asked at least once a second.
public enum AcceptLoop {
    public static func run(
        _ listeners: any ConnectionListeners, until stop: () -> Bool, log: (String) -> Void,
        _ handle: (AcceptedConnection) -> Void
    ) {
        while !stop() {
            let accepted: AcceptedConnection?
            do throws(TapWalkerError) {
                accepted = try listeners.accept(timeoutMilliseconds: 1000)
            } catch {
                log(error.message)
                continue
            }
            if let accepted { handle(accepted) }
        }
    }
}
