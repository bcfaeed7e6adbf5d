import Foundation
import GANTraining
import GANView
import TrainingSession
import XCTest

/// The issue 7 controls through a real worker: lone D/G updates, live hyper-parameters and the
/// throttle, sent as commands the way the UI's keys send them.
final class InteractiveControlTests: WorkerTestCase {

    func testLoneDiscriminatorUpdateKeepsTheStepAndShowsOnlyDLoss() throws {
        let (worker, model, events) = makeWorker(startPaused: true)
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        let g0 = model.gan.generatorParameters.arrays(of: .values).flatMap(\.data)
        worker.channel.send(.stepDiscriminator)
        let after = try XCTUnwrap(waitForSnapshot(worker) { $0.dLoss.isFinite && $0.state == .paused },
                                  "`.stepDiscriminator` showed no D loss (latest: \(describe(worker)))")
        XCTAssertEqual(after.snapshot.step, 0, "a lone D update is not a step")
        XCTAssertTrue(after.snapshot.gLoss.isNaN)
        XCTAssertTrue(after.snapshot.message.hasPrefix("D alone"), after.snapshot.message)
        XCTAssertEqual(events.rows, ["0 d_update 1"])
        worker.channel.send(.quit)
        XCTAssertTrue(Self.finishes(worker, within: 10))
        XCTAssertEqual(model.gan.generatorParameters.arrays(of: .values).flatMap(\.data), g0)
        XCTAssertEqual(model.gan.adamD.step, 1)
    }

    func testLoneGeneratorUpdateKeepsTheStepAndShowsOnlyGLoss() throws {
        let (worker, model, events) = makeWorker(startPaused: true)
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        let d0 = model.gan.discriminatorParameters.arrays(of: .values).flatMap(\.data)
        worker.channel.send(.stepGenerator)
        worker.channel.send(.stepGenerator)
        let after = try XCTUnwrap(waitForSnapshot(worker) { _ in events.rows.count == 2 },
                                  "two `.stepGenerator`s did not both run (latest: \(describe(worker)))")
        XCTAssertEqual(after.snapshot.step, 0)
        XCTAssertTrue(after.snapshot.gLoss.isFinite && after.snapshot.dLoss.isNaN)
        XCTAssertEqual(events.rows, ["0 g_update 1", "0 g_update 2"])
        worker.channel.send(.quit)
        XCTAssertTrue(Self.finishes(worker, within: 10))
        XCTAssertEqual(model.gan.discriminatorParameters.arrays(of: .values).flatMap(\.data), d0)
    }

    func testLoneUpdateWhileRunningPausesFirst() throws {
        let (worker, model, _) = makeWorker(startPaused: false)
        _ = try XCTUnwrap(waitForSnapshot(worker, timeout: 15) { $0.step >= 1 })
        worker.channel.send(.stepDiscriminator)
        let paused = try XCTUnwrap(waitForSnapshot(worker) { $0.state == .paused })
        worker.channel.send(.quit)
        XCTAssertTrue(Self.finishes(worker, within: 10))
        XCTAssertEqual(model.gan.adamD.step, paused.snapshot.step, "the pausing key must not also update D")
    }

    func testLearningRatesAndDStepsChangeAndAreLogged() throws {
        let (worker, model, events) = makeWorker(startPaused: true)
        let first = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        let lr = try XCTUnwrap(first.snapshot.settings).learningRateD
        XCTAssertEqual(first.snapshot.settings?.dStepsPerGStep, 1)
        worker.channel.send(.scaleLearningRateD(0.5))
        worker.channel.send(.scaleLearningRateG(2))
        worker.channel.send(.adjustDSteps(1))
        let changed = try XCTUnwrap(waitForSnapshot(worker) { $0.settings?.dStepsPerGStep == 2 })
        XCTAssertEqual(changed.snapshot.settings?.learningRateD, lr / 2)
        XCTAssertEqual(changed.snapshot.settings?.learningRateG, lr * 2)
        XCTAssertEqual(events.rows, ["0 lr_d \(lr / 2)", "0 lr_g \(lr * 2)", "0 d_steps 2"])
        // k is clamped to 0–10, and a step with k = 2 makes two D updates.
        worker.channel.send(.step)
        worker.channel.send(.adjustDSteps(-5))
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.settings?.dStepsPerGStep == 0 && $0.step == 1 })
        worker.channel.send(.quit)
        XCTAssertTrue(Self.finishes(worker, within: 10))
        XCTAssertEqual(model.gan.adamD.step, 2)
        XCTAssertEqual(model.gan.adamD.learningRate, lr / 2)
        XCTAssertEqual(events.rows.last, "1 d_steps 0")
    }

    func testObjectiveOptimizerAndBatchSizeChangeAndAreLogged() throws {
        let (worker, model, events) = makeWorker(startPaused: true)
        let first = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        XCTAssertEqual(first.snapshot.settings?.loss, "ns")
        XCTAssertEqual(first.snapshot.settings?.batchSize, 8)
        worker.channel.send(.cycleLoss)
        worker.channel.send(.cycleOptimizer)
        worker.channel.send(.stepBatchSize(1))
        worker.channel.send(.stepBatchSize(1))
        let changed = try XCTUnwrap(waitForSnapshot(worker) { $0.settings?.batchSize == 32 },
                                    "batch size did not reach 32 (latest: \(describe(worker)))")
        XCTAssertEqual(changed.snapshot.settings?.loss, "minimax")
        XCTAssertEqual(changed.snapshot.settings?.optimizer, "sgd")
        // 32 is the buffers' capacity here: one more is refused with a message, not a crash.
        worker.channel.send(.stepBatchSize(1))
        let refused = try XCTUnwrap(waitForSnapshot(worker) { $0.message.contains("stays 32") })
        XCTAssertEqual(refused.snapshot.settings?.batchSize, 32)
        worker.channel.send(.step)
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.step == 1 })
        worker.channel.send(.quit)
        XCTAssertTrue(Self.finishes(worker, within: 10))
        XCTAssertEqual(events.rows, ["0 loss minimax", "0 optimizer sgd", "0 batch_size 16", "0 batch_size 32"])
        XCTAssertEqual(model.gan.sampler.position, 32, "the step used the new batch size")
        XCTAssertEqual(model.gan.adamD.step, 0, "SGD took the step, Adam did not")
        XCTAssertLessThan(model.last?.gLoss ?? 0, 0, "the minimax G loss is negative")
    }

    /// Explain mode: `n` runs one phase, each phase says what it did, the step counter moves
    /// after phase 3 only, and leaving explain mode finishes the step in progress.
    func testExplainModeRunsOnePhaseAtATime() throws {
        let (worker, model, _) = makeWorker(startPaused: true)
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        worker.channel.send(.toggleExplain)
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.explain != nil })
        let expected: [(phase: Int, text: String, step: Int)] = [(1, "(1) G turns", 0), (2, "(2) D is trained", 0),
                                                                  (3, "(3) G is trained through D", 1), (1, "(1) G turns", 1)]
        for (i, e) in expected.enumerated() {
            worker.channel.send(.step)
            let s = try XCTUnwrap(waitForSnapshot(worker) { $0.explain?.index == (i % 3) + 1 && $0.message.hasPrefix(e.text) },
                                  "phase \(i + 1) did not show (latest: \(describe(worker)))").snapshot
            XCTAssertEqual(s.explain?.phase, e.phase)
            XCTAssertEqual(s.step, e.step)
            XCTAssertEqual(s.digitsNote != nil, e.phase == 3, "only phase 3 changes the digits")
            if e.phase == 2 { XCTAssertTrue(s.dLoss.isFinite) }
        }
        worker.channel.send(.toggleExplain)
        let off = try XCTUnwrap(waitForSnapshot(worker) { $0.explain == nil }).snapshot
        XCTAssertEqual(off.step, 2, "leaving explain mode mid-step finishes that step")
        XCTAssertEqual(model.gan.adamD.step, 2)
        XCTAssertEqual(model.gan.adamG.step, 2)
        worker.channel.send(.quit)
        XCTAssertTrue(Self.finishes(worker, within: 10))
    }

    func testExplainModePacesThePhases() throws {
        let (worker, _, _) = makeWorker(startPaused: true, explainPhaseInterval: 0.1)
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        worker.channel.send(.toggleExplain)
        worker.channel.send(.togglePause)
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.state == .running && $0.explain != nil })
        Thread.sleep(forTimeInterval: 0.75)
        let step = worker.channel.latest().snapshot.step
        XCTAssertLessThanOrEqual(step, 3, "0.1 s per phase ran \(step) steps in 0.75 s")
        XCTAssertGreaterThanOrEqual(step, 1, "explain mode stalled")
    }

    func testThrottleBoundsTheStepRateAndKeysStillActAtOnce() throws {
        let (worker, _, _) = makeWorker(startPaused: true)
        _ = try XCTUnwrap(waitForSnapshot(worker) { _ in true })
        worker.channel.send(.adjustSpeed(3))  // full → 100 → 30 → 10 steps/s
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.settings?.speedLimit == 10 })
        worker.channel.send(.togglePause)
        let started = try XCTUnwrap(waitForSnapshot(worker) { $0.step >= 1 }).snapshot.step
        Thread.sleep(forTimeInterval: 0.6)
        let steps = worker.channel.latest().snapshot.step - started
        XCTAssertLessThanOrEqual(steps, 7, "10 steps/s ran \(steps) steps in 0.6 s")
        XCTAssertGreaterThanOrEqual(steps, 2, "the throttled trainer stalled (\(steps) steps in 0.6 s)")
        // At 1 step/s the worker sleeps between steps; a key must still wake it at once.
        worker.channel.send(.adjustSpeed(10))
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.settings?.speedLimit == 1 })
        Thread.sleep(forTimeInterval: 0.1)
        let sent = Date()
        worker.channel.send(.togglePause)
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.state == .paused })
        XCTAssertLessThan(Date().timeIntervalSince(sent), 0.5, "pausing a throttled trainer waited for its next step")
        // Back to full speed.
        worker.channel.send(.adjustSpeed(-10))
        _ = try XCTUnwrap(waitForSnapshot(worker) { $0.settings != nil && $0.settings?.speedLimit == nil })
    }

    // MARK: - Helpers

    /// The events the model reports, as "step event value" lines (callbacks run on the worker).
    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
        var rows: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    }

    private func makeWorker(startPaused: Bool, explainPhaseInterval: Double = 1) -> (TrainingWorker, SessionModel, EventLog) {
        var configuration = GANConfiguration()
        configuration.batchSize = 8
        let images = MNISTImages.synthetic(count: 64, state: 0x9E37_79B9_7F4A_7C15)
        let gan = MNISTGAN(configuration: configuration, images: images, seed: 11,
                           batchCapacity: 32)
        let latents = DigitSampler.fixedLatents(count: FrameSnapshot.digitCount, size: configuration.latentSize, seed: 11)
        let events = EventLog()
        let model = SessionModel(gan: gan, latents: latents, onEvent: { step, event, value in
            events.add("\(step) \(event) \(value)")
        })
        var options = TrainingWorker.Options()
        options.startPaused = startPaused
        options.explainPhaseInterval = explainPhaseInterval
        let worker = TrainingWorker(model: model, channel: SessionChannel(), options: options)
        worker.start()
        running.append(worker)
        return (worker, model, events)
    }

    private func describe(_ worker: TrainingWorker) -> String {
        let (s, v) = worker.channel.latest()
        return "version \(v), step \(s.step), state \(s.state.word), message \"\(s.message)\""
    }
}
