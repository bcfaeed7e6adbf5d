import Foundation
import Synchronization

/// SIGINT, SIGTERM and SIGHUP set a flag that the main loop polls; the loop then quits the way
/// `q` does, so the terminal is restored and the run is saved and closed properly.
enum TerminationSignal {
    private static let received = Atomic<Int32>(0)

    static func install() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { number in TerminationSignal.received.store(number, ordering: .relaxed) }
        }
    }

    /// The signal number received, or nil.
    static var pending: Int32? {
        let n = received.load(ordering: .relaxed)
        return n == 0 ? nil : n
    }
}
