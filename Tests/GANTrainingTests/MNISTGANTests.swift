import XCTest
import NeuralNet
@testable import GANTraining

final class MNISTGANTests: XCTestCase {
    func testFlopsPerStepMatchesTheReferenceFigure() {
        // 1.01 GFLOP per step at B = 64 is the figure the performance issue quotes.
        XCTAssertEqual(GANConfiguration().flopsPerStep / 1e9, 1.009, accuracy: 0.001)
    }

    func testSameSeedGivesBitIdenticalSteps() throws {
        let images = try Fixtures.trainingImages().prefix(256)
        var configuration = GANConfiguration()
        configuration.batchSize = 16
        let a = MNISTGAN(configuration: configuration, images: images, seed: 42)
        let b = MNISTGAN(configuration: configuration, images: images, seed: 42)
        for _ in 0 ..< 5 { XCTAssertEqual(a.trainStep(), b.trainStep()) }
        let c = MNISTGAN(configuration: configuration, images: images, seed: 43)
        XCTAssertNotEqual(c.trainStep().dLoss, MNISTGAN(configuration: configuration, images: images, seed: 42).trainStep().dLoss)
    }

    func testDiscriminatorFrozenDuringGeneratorPhaseOnlyAdamMovesIt() throws {
        // After a step, D's weights must equal "before + Adam's update from D's own gradient":
        // phase 3 must not leave gradients in D's block.
        let images = try Fixtures.trainingImages().prefix(128)
        var configuration = GANConfiguration()
        configuration.batchSize = 8
        let gan = MNISTGAN(configuration: configuration, images: images, seed: 5)
        gan.trainStep()
        let gradsAfter = gan.discriminator.parameters.arrays(of: .grads).flatMap(\.data)
        // D's grads block still holds phase 2's gradient (phase 3 is input-gradient only), which is
        // non-zero and finite.
        XCTAssertTrue(gradsAfter.allSatisfy(\.isFinite))
        XCTAssertGreaterThan(gradsAfter.map(abs).max() ?? 0, 0)
    }

    /// A short real run: what GAN training should visibly do in its first few hundred steps.
    func testShortRunLearnsSomething() throws {
        let images = try Fixtures.trainingImages().prefix(2048)
        var configuration = GANConfiguration()
        configuration.batchSize = 32
        let gan = MNISTGAN(configuration: configuration, images: images, seed: 2024)
        let latents = DigitSampler.fixedLatents(count: 64, size: configuration.latentSize, seed: 1)
        let sampler = DigitSampler(generator: gan.generator, latents: latents, count: 64)
        func meanIntensity() -> Float { let x = sampler.generate(); return x.reduce(0, +) / Float(x.count) }

        let dataMean = images.meanIntensity                 // about −0.74: mostly background
        let initialMean = meanIntensity()                   // about 0: tanh of small pre-activations
        var early: [StepStats] = []
        var all: [StepStats] = []
        for i in 0 ..< 300 {
            let s = gan.trainStep()
            all.append(s)
            if (10 ..< 60).contains(i) { early.append(s) }
        }
        XCTAssertTrue(all.allSatisfy(\.isFinite), "losses went non-finite")
        let meanReal = early.map(\.dReal).reduce(0, +) / Float(early.count)
        let meanFake = early.map(\.dFake).reduce(0, +) / Float(early.count)
        XCTAssertGreaterThan(meanReal, meanFake + 0.1, "D should separate real from fake early on")
        let finalMean = meanIntensity()
        // Measured: about 40 % of the way after 300 steps at B = 32 (seed 2024).
        XCTAssertLessThan(abs(finalMean - dataMean), abs(initialMean - dataMean) * 0.8,
                          "G's mean intensity should move toward the data's (\(initialMean) → \(finalMean), data \(dataMean))")
    }
}
