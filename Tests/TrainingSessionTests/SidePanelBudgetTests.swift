import Foundation
import GANTraining
import GANView
@testable import TrainingSession
import XCTest

/// The 1-D panel (its steps and its figures) must stay within its share of the wall time,
/// whatever the MNIST steps cost: that is what keeps the UI's cost on training bounded.
final class SidePanelBudgetTests: XCTestCase {
    func testStepsAndFiguresTogetherStayWithinTheShare() {
        var configuration = GANConfiguration()
        configuration.batchSize = 8
        let gan = MNISTGAN(configuration: configuration, images: .synthetic(count: 64, state: 9), seed: 9)
        let latents = DigitSampler.fixedLatents(count: FrameSnapshot.digitCount, size: configuration.latentSize, seed: 9)
        let started = ProcessInfo.processInfo.systemUptime
        let model = SessionModel(gan: gan, latents: latents, gan1d: Gan1D(target: .normal, seed: 9))
        model.panelBins = 60
        model.gan1dTimeShare = 0.1
        model.gan1dFigureInterval = 0  // a figure at every snapshot: the most they can cost
        XCTAssertEqual(model.state, .running, "running, as in the UI")
        while ProcessInfo.processInfo.systemUptime - started < 1.5 {
            model.trainStep()
            _ = model.snapshot()
        }
        let elapsed = ProcessInfo.processInfo.systemUptime - started
        let gan1dSteps = model.gan1d?.step ?? 0
        XCTAssertGreaterThan(gan1dSteps, 0, "the 1-D GAN got no steps at all")
        // At most one piece of work (a step or a figure, ~1 ms) past the share.
        XCTAssertLessThanOrEqual(model.gan1dSeconds, 0.1 * elapsed + 0.01,
                                 "1-D work took \(model.gan1dSeconds) s of \(elapsed) s")
        XCTAssertGreaterThan(model.gan1dSeconds, 0.05 * elapsed, "the panel did not get its share either")
    }
}

extension SidePanelBudgetTests {
    /// Time not used (a pause, a throttle) is kept only up to the credit limit, so the panel
    /// cannot make up for it later at training's expense.
    func testUnusedShareDoesNotPileUp() {
        var configuration = GANConfiguration()
        configuration.batchSize = 8
        let gan = MNISTGAN(configuration: configuration, images: .synthetic(count: 64, state: 3), seed: 3)
        let latents = DigitSampler.fixedLatents(count: FrameSnapshot.digitCount, size: configuration.latentSize, seed: 3)
        let model = SessionModel(gan: gan, latents: latents, gan1d: Gan1D(target: .normal, seed: 3))
        model.gan1dTimeShare = 0.5
        Thread.sleep(forTimeInterval: 0.3)  // 0.15 s of share unused, as if paused
        model.trainStep()
        // Two 1-D steps at most ran; what is recorded is at least the share less the credit limit.
        XCTAssertLessThanOrEqual(model.gan1d?.step ?? 0, model.gan1dStepsPerStep)
        XCTAssertGreaterThanOrEqual(model.gan1dSeconds, 0.5 * 0.3 - model.gan1dCreditLimit - 1e-6,
                                    "the unused 0.15 s was kept as credit")
    }
}
