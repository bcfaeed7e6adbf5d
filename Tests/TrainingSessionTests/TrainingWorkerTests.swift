import Foundation
import GANTraining
import GANView
import TrainingSession
import XCTest

/// Drives a real `TrainingWorker` over a real (tiny) `MNISTGAN` through its `SessionChannel`,
/// the way the full-screen UI does: commands in, snapshots out, never touching the model.
final class TrainingWorkerTests: WorkerTestCase {

    // MARK: - Pause, step, run

    func testStartedPausedDoesNotStepAndSaysPaused() throws {
        let (worker, _) = makeWorker(startPaused: true)
        let first = try XCTUnwrap(waitForSnapshot(worker) { _ in true }, "no snapshot was published")
        XCTAssertEqual(first.snapshot.step, 0)
        XCTAssertEqual(first.snapshot.state, .paused, "a worker started paused must publish PAUSED from its first snapshot")
        assertStepStays(worker, at: 0, for: 0.2)
        XCTAssertEqual(worker.channel.latest().snapshot.state, .paused)
    }

    func testStepAdvancesByExactlyOne() throws {
        let (worker, _) = makeWorker(startPaused: true)
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        worker.channel.send(.step)
        let after = try XCTUnwrap(waitForSnapshot(worker) { $0.step >= 1 && $0.state == .paused },
                                  "one .step did not produce step 1 (latest: \(describe(worker)))")
        XCTAssertEqual(after.snapshot.step, 1)
        assertStepStays(worker, at: 1, for: 0.2)
        XCTAssertEqual(worker.channel.latest().snapshot.state, .paused)
    }

    func testSeveralStepsAdvanceByExactlyThatMany() throws {
        let (worker, _) = makeWorker(startPaused: true)
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        for _ in 0 ..< 3 { worker.channel.send(.step) }
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.step >= 3 && $0.state == .paused },
                          "three .steps did not reach step 3 (latest: \(describe(worker)))")
        assertStepStays(worker, at: 3, for: 0.2)
        // And once more, one at a time, after the first batch was consumed.
        worker.channel.send(.step)
        worker.channel.send(.step)
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.step >= 5 && $0.state == .paused })
        assertStepStays(worker, at: 5, for: 0.2)
    }

    func testTogglePauseRunsThenStops() throws {
        let (worker, _) = makeWorker(startPaused: true)
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        worker.channel.send(.togglePause)
        let runningSnapshot = try XCTUnwrap(waitForSnapshot(worker, timeout: 15) { $0.step >= 3 },
                                            "the worker did not train after .togglePause (latest: \(describe(worker)))")
        XCTAssertEqual(runningSnapshot.snapshot.state, .running)
        worker.channel.send(.togglePause)
        let paused = try XCTUnwrap(waitForSnapshot(worker) { $0.state == .paused },
                                   "the worker did not pause on the second .togglePause (latest: \(describe(worker)))")
        XCTAssertGreaterThanOrEqual(paused.snapshot.step, runningSnapshot.snapshot.step)
        assertStepStays(worker, at: paused.snapshot.step, for: 0.2)
        XCTAssertEqual(paused.snapshot.stepsPerSecond, 0, "a paused snapshot shows 0 steps/s")
    }

    func testStepWhileRunningPausesWithoutStepping() throws {
        let (worker, _) = makeWorker(startPaused: false)
        _ = try XCTUnwrap(waitForSnapshot(worker, timeout: 15) { $0.step >= 2 && $0.state == .running })
        worker.channel.send(.step)
        let paused = try XCTUnwrap(waitForSnapshot(worker) { $0.state == .paused },
                                   "`.step` while running must pause (latest: \(describe(worker)))")
        assertStepStays(worker, at: paused.snapshot.step, for: 0.2)
    }

    // MARK: - Quit and stop

    func testQuitFinishesPromptly() throws {
        let finishedCalls = Counter()
        let (worker, model) = makeWorker(startPaused: true, onFinish: { _ in finishedCalls.increment() })
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        worker.channel.send(.setPanelBins(42))
        let start = Date()
        worker.channel.send(.quit)
        XCTAssertTrue(Self.finishes(worker, within: 2), "waitUntilFinished did not return within 2 s of .quit")
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        running.removeAll()
        XCTAssertEqual(finishedCalls.value, 1, "onFinish must run exactly once on quit")
        // Commands are applied in order: the bins sent before quit were applied (safe to read: the thread is done).
        XCTAssertEqual(model.panelBins, 42)
    }

    func testQuitWhileRunningFinishesPromptly() throws {
        let (worker, _) = makeWorker(startPaused: false)
        _ = try XCTUnwrap(waitForSnapshot(worker, timeout: 15) { $0.step >= 1 })
        worker.channel.send(.quit)
        XCTAssertTrue(Self.finishes(worker, within: 3), "a running worker did not finish within 3 s of .quit")
        running.removeAll()
    }

    func testStopAtStepStopsExactlyThere() throws {
        let (worker, _) = makeWorker(startPaused: false, stopAtStep: 4)
        let stopped = try XCTUnwrap(waitForSnapshot(worker, timeout: 15) { $0.step >= 4 },
                                    "the worker did not reach its stop step (latest: \(describe(worker)))")
        XCTAssertEqual(stopped.snapshot.step, 4)
        assertStepStays(worker, at: 4, for: 0.3)
        // `.step` past the stop does nothing either.
        worker.channel.send(.step)
        assertStepStays(worker, at: 4, for: 0.2)
    }

    // MARK: - What a snapshot carries

    func testSnapshotCarriesDigitsAndHistory() throws {
        let (worker, _) = makeWorker(startPaused: true)
        let initial = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        assertDigitsWellFormed(initial.snapshot.digits)
        XCTAssertTrue(initial.snapshot.history.isEmpty)
        XCTAssertEqual(initial.snapshot.seed, 11)
        for _ in 0 ..< 2 { worker.channel.send(.step) }
        let s = try XCTUnwrap(waitForSnapshot(worker) { $0.step >= 2 && $0.state == .paused }).snapshot
        assertDigitsWellFormed(s.digits)
        XCTAssertEqual(s.history.lastStep, s.step, "the loss history must end at the snapshot's step")
        XCTAssertEqual(s.history.firstStep, 1)
        XCTAssertEqual(s.history.totalAppended, s.step)
        XCTAssertEqual(s.history.points.map(\.step), [1, 2])
        XCTAssertTrue(s.dLoss.isFinite && s.gLoss.isFinite, "losses after a step must be finite (d \(s.dLoss), g \(s.gLoss))")
        XCTAssertTrue((0 ... 1).contains(s.dReal) && (0 ... 1).contains(s.dFake), "D(x) \(s.dReal), D(G(z)) \(s.dFake)")
        XCTAssertEqual(s.epoch, 1)
        // The digits move with training: G's weights changed over two Adam steps.
        XCTAssertNotEqual(s.digits, initial.snapshot.digits)
    }

    func testSnapshotVersionOnlyGrows() throws {
        let (worker, _) = makeWorker(startPaused: false, stopAtStep: 3)
        var lastVersion = -1
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let (snapshot, version) = worker.channel.latest()
            XCTAssertGreaterThanOrEqual(version, lastVersion)
            lastVersion = version
            if snapshot.step >= 3 { break }
            Thread.sleep(forTimeInterval: 0.002)
        }
        XCTAssertEqual(worker.channel.latest().snapshot.step, 3)
    }

    func testSaveCallsSaverAndShowsItsMessage() throws {
        let saves = Counter()
        let (worker, _) = makeWorker(startPaused: true, saver: { model in
            saves.increment()
            return "saved step \(model.step)"
        })
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        worker.channel.send(.step)
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.step == 1 && $0.state == .paused })
        worker.channel.send(.save)
        let s = try XCTUnwrap(waitForSnapshot(worker) { $0.message == "saved step 1" },
                              "the save message did not appear (latest: \(describe(worker)))")
        XCTAssertEqual(s.snapshot.step, 1)
        XCTAssertEqual(saves.value, 1)
    }

    /// `SessionCommand`'s contract: "applied by the worker at a step boundary, in the order they
    /// were sent". So `n` then `w` pressed within one frame saves the model *after* the step.
    func testStepThenSaveSentTogetherSavesAfterTheStep() throws {
        // The first save blocks the worker until both commands are queued, so they are
        // deterministically taken together (as when two keys arrive within one frame).
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let calls = Counter()
        let (worker, _) = makeWorker(startPaused: true, saver: { model in
            calls.increment()
            if calls.value == 1 {
                entered.signal()
                _ = release.wait(timeout: .now() + 10)
                return ""
            }
            return "saved step \(model.step)"
        })
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        worker.channel.send(.save)
        XCTAssertEqual(entered.wait(timeout: .now() + 5), .success)
        worker.channel.send(.step)
        worker.channel.send(.save)
        release.signal()
        let s = try XCTUnwrap(waitForSnapshot(worker) { $0.step == 1 && $0.state == .paused && !$0.message.isEmpty },
                              "latest: \(describe(worker))")
        XCTAssertEqual(s.snapshot.message, "saved step 1",
                       "commands must apply in the order sent: the save ran before the step queued ahead of it")
    }

    func testFailingSaveIsReportedAndTrainingGoesOn() throws {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "disk full" } }
        let (worker, _) = makeWorker(startPaused: true, saver: { _ in throw DiskFull() })
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        worker.channel.send(.save)
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.message == "save failed: disk full" },
                          "latest: \(describe(worker))")
        worker.channel.send(.step)
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.step == 1 && $0.state == .paused })
    }

    // MARK: - A paused worker sleeps

    func testPausedWorkerUsesNoCPU() throws {
        let (worker, _) = makeWorker(startPaused: true)
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        worker.channel.send(.step)
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.step == 1 && $0.state == .paused })
        // Let any BLAS helper threads finish spinning after the last product before measuring.
        Thread.sleep(forTimeInterval: 0.2)
        let before = Self.processCPUSeconds()
        Thread.sleep(forTimeInterval: 0.3)
        let used = Self.processCPUSeconds() - before
        XCTAssertLessThan(used, 0.030, "the paused process used \(Int(used * 1000)) ms of CPU in 300 ms: "
                          + "the worker should sleep on its condition, not poll")
        XCTAssertEqual(worker.channel.latest().snapshot.step, 1)

        // Control: the same measurement sees a running worker (so the bound above means something).
        worker.channel.send(.togglePause)
        _ = try XCTUnwrap(waitForSnapshot(worker, timeout: 15) { $0.state == .running })
        let runStart = Self.processCPUSeconds()
        Thread.sleep(forTimeInterval: 0.3)
        let runUsed = Self.processCPUSeconds() - runStart
        XCTAssertGreaterThan(runUsed, 0.05, "a running worker should show up in the process CPU time (\(Int(runUsed * 1000)) ms)")
    }

    func testWorkerStoppedAtItsStopStepUsesNoCPU() throws {
        let (worker, _) = makeWorker(startPaused: false, stopAtStep: 2)
        _ = try XCTUnwrap(waitForSnapshot(worker, timeout: 15) { $0.step >= 2 })
        Thread.sleep(forTimeInterval: 0.2)
        let before = Self.processCPUSeconds()
        Thread.sleep(forTimeInterval: 0.3)
        let used = Self.processCPUSeconds() - before
        XCTAssertLessThan(used, 0.030, "a worker stopped at --steps used \(Int(used * 1000)) ms of CPU in 300 ms")
    }

    // MARK: - Helpers

    /// A worker over a tiny GAN (batch 8, 64 random images), already started; stopped in tearDown.
    private func makeWorker(startPaused: Bool, stopAtStep: Int? = nil,
                            saver: ((SessionModel) throws -> String)? = nil,
                            onFinish: ((SessionModel) -> Void)? = nil) -> (TrainingWorker, SessionModel) {
        var configuration = GANConfiguration()
        configuration.batchSize = 8
        let images = MNISTImages.synthetic(count: 64, state: 0x9E37_79B9_7F4A_7C15)
        let seed: UInt64 = 11
        let gan = MNISTGAN(configuration: configuration, images: images, seed: seed)
        let latents = DigitSampler.fixedLatents(count: FrameSnapshot.digitCount, size: configuration.latentSize, seed: seed)
        let model = SessionModel(gan: gan, latents: latents, saver: saver, onFinish: onFinish)
        var options = TrainingWorker.Options()
        options.startPaused = startPaused
        options.stopAtStep = stopAtStep
        let worker = TrainingWorker(model: model, channel: SessionChannel(), options: options)
        worker.start()
        running.append(worker)
        return (worker, model)
    }

    /// Asserts the step stays `step` for `seconds` (sampled every 10 ms).
    private func assertStepStays(_ worker: TrainingWorker, at step: Int, for seconds: Double,
                                 file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            let now = worker.channel.latest().snapshot.step
            if now != step {
                XCTFail("the step moved from \(step) to \(now) while it should have stayed", file: file, line: line)
                return
            }
            Thread.sleep(forTimeInterval: 0.01)
        } while Date() < deadline
    }

    private func assertDigitsWellFormed(_ digits: [[Float]], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(digits.count, 16, file: file, line: line)
        for (i, d) in digits.enumerated() {
            XCTAssertEqual(d.count, 784, "digit \(i)", file: file, line: line)
            if let bad = d.first(where: { !($0 >= -1 && $0 <= 1) }) {
                XCTFail("digit \(i) holds \(bad), outside [-1, 1]", file: file, line: line)
            }
        }
    }

    private func describe(_ worker: TrainingWorker) -> String {
        let (s, v) = worker.channel.latest()
        return "version \(v), step \(s.step), state \(s.state.word), message \"\(s.message)\""
    }

    /// `waitUntilFinished` with a bound (it has none: a hung worker would hang the test run).
    /// User + system CPU time of the whole process, in seconds.
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// A thread-safe counter for callbacks that run on the worker thread.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
