import Foundation
import TapWalkerCore
import TapWalkerSim

/// A simulated ECP5 and its flash behind a `SimCable`, and the example bitstreams.
struct SimulatedBoard {
    let sim: SimCable
    var flash: SimulatedFlash { sim.board.flash! }
    var done: Bool { sim.board.statusNow.done }

    /// A blank board (no design loaded, flash erased).
    init(part: String) {
        var options = try! SimOptions.parse("part=\(part),flash=w25q128jv")
        options.tck = SimOptions.maximumTCK
        sim = SimCable(options: options)
    }
}
