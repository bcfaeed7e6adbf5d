import Foundation
import TrainingSession
import XCTest

/// The base of the tests that drive real worker threads: every worker a test starts (and
/// registers in `running`) is sent `.quit` and joined in `tearDown`, whatever the test did.
class WorkerTestCase: XCTestCase {
    var running: [TrainingWorker] = []

    override func tearDown() {
        for worker in running {
            worker.channel.send(.quit)
            XCTAssertTrue(Self.finishes(worker, within: 10), "a worker did not finish after .quit in tearDown")
        }
        running.removeAll()
        super.tearDown()
    }

    /// Whether `waitUntilFinished` returns within `seconds` (Thread has no timed join).
    static func finishes(_ worker: TrainingWorker, within seconds: Double) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread { worker.waitUntilFinished(); done.signal() }.start()
        return done.wait(timeout: .now() + seconds) == .success
    }
}
