import Foundation
import GANTraining
import GANView
import TrainingSession
import XCTest

/// Scrubbing through a real worker's published history, the way the UI does: the cursor moves
/// against the latest snapshot while training goes on behind it.
final class HistoryScrubbingTests: WorkerTestCase {

    func testScrubbingBackShowsAnOlderStepWhileTrainingContinuesAndEndReturnsToLive() throws {
        let worker = makeWorker()  // paused: step 0 can be looked at
        let interval = PanelHistory.defaultInterval
        let first = try XCTUnwrap(waitForSnapshot(worker) { _ in true }?.snapshot)
        XCTAssertEqual(first.panelHistory.frames.map(\.step), [0], "the first frame is recorded before any step")
        let recordedAtStart = try XCTUnwrap(first.panelHistory.frames.first)
        let worst = zip(recordedAtStart.digits.joined(), first.digits.joined()).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, 1 / 127.5, "the step-0 frame holds the digits shown live at step 0")
        XCTAssertEqual(recordedAtStart.gan1d, first.gan1d, "and the 1-D panel shown at step 0")
        worker.channel.send(.togglePause)

        let running = try XCTUnwrap(waitForSnapshot(worker, timeout: 30) { $0.step > interval + 5 }?.snapshot,
                                    "the worker did not get past step \(interval + 5)")
        XCTAssertEqual(running.panelHistory.frames.prefix(2).map(\.step), [0, interval], "a frame every \(interval) steps")
        var cursor = HistoryCursor()
        cursor.back(in: running.panelHistory, liveStep: running.step)
        let shown = try XCTUnwrap(running.showing(cursor).shownFrame, "[ showed nothing")
        XCTAssertLessThan(shown.step, running.step)
        XCTAssertGreaterThanOrEqual(shown.step, interval, "the newest recorded frame, not only the first")
        XCTAssertNotNil(shown.gan1d, "the 1-D panel is recorded with the digits")

        // Training goes on behind the scrubbed view: later snapshots still show the same step.
        let later = try XCTUnwrap(waitForSnapshot(worker, timeout: 30) { $0.step >= running.step + 10 }?.snapshot,
                                  "training did not continue behind the scrubbed view")
        XCTAssertEqual(later.showing(cursor).shownFrame?.step, shown.step)
        XCTAssertEqual(later.state, .running)

        cursor.returnToLive()  // End
        XCTAssertNil(later.showing(cursor).shownFrame)
        var forward = HistoryCursor()
        forward.back(in: later.panelHistory, liveStep: later.step)
        for _ in 0 ..< later.panelHistory.frames.count { forward.forward(in: later.panelHistory, liveStep: later.step) }
        XCTAssertTrue(forward.isLive, "] past the newest frame returns to live")
    }

    // MARK: - Helpers

    private func makeWorker() -> TrainingWorker {
        var configuration = GANConfiguration()
        configuration.batchSize = 8
        let images = MNISTImages.synthetic(count: 64, state: 0x2545_F491_4F6C_DD1D)
        let gan = MNISTGAN(configuration: configuration, images: images, seed: 5)
        let latents = DigitSampler.fixedLatents(count: FrameSnapshot.digitCount, size: configuration.latentSize, seed: 5)
        let model = SessionModel(gan: gan, latents: latents, gan1d: Gan1D(target: .normal, seed: 5))
        model.panelBins = 40
        var options = TrainingWorker.Options()
        options.startPaused = true
        let worker = TrainingWorker(model: model, channel: SessionChannel(), options: options)
        worker.start()
        running.append(worker)
        return worker
    }
}
