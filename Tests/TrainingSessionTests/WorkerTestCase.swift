import Foundation
import GANView
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

    /// Polls the channel (every 2 ms) until a published snapshot satisfies `condition`.
    /// Only snapshots the worker published count (version ≥ 1), never the channel's initial one.
    func waitForSnapshot(_ worker: TrainingWorker, timeout: Double = 5,
                         _ condition: (FrameSnapshot) -> Bool) -> (snapshot: FrameSnapshot, version: Int)? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            let latest = worker.channel.latest()
            if latest.version >= 1 && condition(latest.snapshot) { return latest }
            Thread.sleep(forTimeInterval: 0.002)
        } while Date() < deadline
        return nil
    }
}
