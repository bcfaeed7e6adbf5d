import Foundation
import GANFormats
import Layers
import NeuralNet
import XCTest
@testable import GANTraining

/// The live settings (objective, optimizer, batch size) and the tuned recipe's additions
/// (label smoothing, the weight average of G) at the model level.
final class MNISTGANSettingsTests: XCTestCase {
    private static let images = MNISTImages.synthetic(count: 64, state: 0x9E37_79B9_7F4A_7C15)

    private func makeGAN(_ configure: (inout GANConfiguration) -> Void = { _ in }, capacity: Int? = nil) -> MNISTGAN {
        var c = GANConfiguration()
        c.batchSize = 8
        configure(&c)
        return MNISTGAN(configuration: c, images: Self.images, seed: 5, batchCapacity: capacity)
    }

    private func values(_ p: ParameterSet) -> [Float] { p.arrays(of: .values).flatMap(\.data) }

    /// Room for larger batches moves where real and fake rows sit, never what is computed.
    func testBufferCapacityDoesNotChangeTraining() {
        let exact = makeGAN(), roomy = makeGAN(capacity: 256)
        for _ in 0 ..< 5 { XCTAssertEqual(exact.trainStep(), roomy.trainStep()) }
        XCTAssertEqual(values(exact.generator.parameters), values(roomy.generator.parameters))
        XCTAssertEqual(values(exact.discriminator.parameters), values(roomy.discriminator.parameters))
    }

    func testBatchSizeChangesAtTheNextStep() {
        let gan = makeGAN(capacity: 32)
        gan.trainStep()
        XCTAssertEqual(gan.sampler.position, 8)
        gan.configuration.batchSize = 32
        XCTAssertTrue(gan.trainStep().isFinite)
        XCTAssertEqual(gan.sampler.position, 40, "a step of 32 real images")
        gan.configuration.batchSize = 4
        gan.trainStep()
        XCTAssertEqual(gan.sampler.position, 44)
        XCTAssertTrue(gan.stateIsFinite)
    }

    /// SGD: p ← p − lr·g exactly, and Adam's moments and step count wait untouched.
    func testSGDStepIsLearningRateTimesGradient() {
        let gan = makeGAN { $0.optimizer = .sgd; $0.learningRateD = 0.05 }
        let before = values(gan.discriminator.parameters)
        gan.trainDiscriminatorStep()
        let after = values(gan.discriminator.parameters)
        let grads = gan.discriminator.parameters.arrays(of: .grads).flatMap(\.data)
        var largest: Float = 0
        for i in before.indices {
            XCTAssertEqual(after[i], before[i] - 0.05 * grads[i], accuracy: 1e-6)
            largest = max(largest, abs(grads[i]))
        }
        XCTAssertGreaterThan(largest, 0)
        XCTAssertEqual(gan.adamD.step, 0)
        XCTAssertTrue(gan.discriminator.parameters.arrays(of: .firstMoment).flatMap(\.data).allSatisfy { $0 == 0 })
    }

    func testMinimaxAndLeastSquaresReportTheirOwnLosses() {
        let minimax = makeGAN { $0.loss = .minimax }.trainStep()
        XCTAssertLessThan(minimax.gLoss, 0, "log(1 − D(G(z))) is negative")
        XCTAssertTrue(minimax.isFinite)
        let ls = makeGAN { $0.loss = .leastSquares }.trainStep()
        XCTAssertGreaterThan(ls.gLoss, 0)
        XCTAssertNotEqual(ls.dLoss, makeGAN().trainStep().dLoss, "D's loss is least squares too")
    }

    func testTunedRecipeIsTheReferencePlusSmoothingAndAverage() {
        let tuned = GANConfiguration(recipe: .tuned), reference = GANConfiguration(recipe: .reference)
        XCTAssertEqual(reference, GANConfiguration(), "the reference recipe is the spec's defaults")
        XCTAssertEqual(tuned.batchSize, 128)
        XCTAssertEqual(tuned.realLabel, 0.9)
        XCTAssertEqual(tuned.generatorAverageDecay, 0.999)
        var stripped = tuned
        stripped.batchSize = 64
        stripped.realLabel = 1
        stripped.generatorAverageDecay = nil
        XCTAssertEqual(stripped, reference, "nothing else differs")
        XCTAssertNil(makeGAN().averagedGenerator)
    }

    /// The DCGAN's tuned recipe is the spec's training with InfoGAN's two hidden layers and its
    /// 10-category code, G's learning rate doubled and G's average to sample from, nothing else.
    func testTunedDCGANRecipeIsTheReferencePlusInfoGANLayersCodeAndFasterG() {
        var tuned = GANConfiguration(recipe: .tuned, model: .dcgan)
        XCTAssertEqual(tuned.dcganArchitecture, DCGANArchitecture(generatorHidden: 1024, discriminatorHidden: 1024, infoCategories: 10))
        XCTAssertNil(DCGANModel.refusal(tuned))
        XCTAssertEqual(GANConfiguration(recipe: .reference, model: .dcgan).dcganArchitecture, .reference)
        XCTAssertEqual(tuned.learningRateG, 2 * tuned.learningRateD)
        XCTAssertEqual(tuned.generatorAverageDecay, 0.999)
        tuned.generatorHidden = 0
        tuned.discriminatorHidden = 0
        tuned.infoCategories = 0
        tuned.learningRateG = tuned.learningRateD
        tuned.generatorAverageDecay = nil
        XCTAssertEqual(tuned, GANConfiguration(recipe: .reference, model: .dcgan), "nothing else differs")
    }

    /// The average starts at G's initial weights, then follows d = min(0.999, (1+t)/(10+t)).
    func testWeightAverageFollowsG() {
        let gan = makeGAN { $0.generatorAverageDecay = 0.999 }
        let initial = values(gan.generator.parameters)
        XCTAssertEqual(values(gan.averagedGenerator!.parameters), initial)
        XCTAssertTrue(gan.samplingGenerator === gan.averagedGenerator)
        gan.trainStep()
        let g1 = values(gan.generator.parameters), a1 = values(gan.averagedGenerator!.parameters)
        for i in stride(from: 0, to: g1.count, by: 997) {
            XCTAssertEqual(a1[i], 0.1 * initial[i] + 0.9 * g1[i], accuracy: 1e-6)
        }
        gan.trainDiscriminatorStep()
        XCTAssertEqual(values(gan.averagedGenerator!.parameters), a1, "a D update leaves the average alone")
        XCTAssertEqual(gan.averageUpdates, 1)
    }

    /// Smoothing changes D's target on real rows only: with y = 0.9 the D loss of the very same
    /// first batch is higher by exactly what BCE's definition says for the real half.
    func testLabelSmoothingChangesOnlyTheRealTargets() {
        let plain = makeGAN().trainDiscriminatorStep()
        let smoothed = makeGAN { $0.realLabel = 0.9 }.trainDiscriminatorStep()
        XCTAssertEqual(plain.dReal, smoothed.dReal, "same weights, same batch: same D(x)")
        XCTAssertEqual(plain.dFake, smoothed.dFake)
        XCTAssertNotEqual(plain.dLoss, smoothed.dLoss)
    }
}

/// Explain mode's phase-by-phase step is the ordinary step, cut into pieces.
final class TrainingPhaseTests: XCTestCase {
    private func makeGAN(k: Int) -> MNISTGAN {
        var c = GANConfiguration()
        c.batchSize = 8
        let images = MNISTImages.synthetic(count: 40, state: 0x1234_5678_9ABC_DEF1)
        let gan = MNISTGAN(configuration: c, images: images, seed: 9)
        gan.dStepsPerGStep = k
        return gan
    }

    func testPhasesInOrderAreBitIdenticalToWholeSteps() {
        for k in [1, 2, 0] {
            let whole = makeGAN(k: k), phased = makeGAN(k: k)
            XCTAssertEqual(phased.phasesPerStep.count, k == 0 ? 2 : 2 * k + 1)
            for _ in 0 ..< 3 {
                let expected = whole.trainStep()
                var last: StepStats?
                for phase in phased.phasesPerStep {
                    XCTAssertEqual(phased.step, expected.step - 1, "the step counter moves only after phase 3")
                    last = phased.run(phase)
                }
                // Bit patterns, so that the NaN of an uncomputed D loss (k = 0) compares equal.
                let bits = { (s: StepStats?) in s.map { [$0.dLoss, $0.gLoss, $0.dReal, $0.dFake].map(\.bitPattern) + [UInt32($0.step)] } }
                XCTAssertEqual(bits(last), bits(expected), "k = \(k)")
                XCTAssertEqual(last?.updatedD, expected.updatedD)
            }
            XCTAssertEqual(whole.generator.parameters.arrays(of: .values).flatMap(\.data),
                           phased.generator.parameters.arrays(of: .values).flatMap(\.data), "k = \(k)")
        }
    }

    func testPhaseOneAloneIsNotDivergence() {
        let stats = makeGAN(k: 1).run(.generate)
        XCTAssertTrue(stats.isFinite)
        XCTAssertTrue(stats.dLoss.isNaN && stats.gLoss.isNaN)
    }

    func testOneDimensionalPhasesAreItsStep() {
        let whole = Gan1D(target: .bimodal, seed: 3), phased = Gan1D(target: .bimodal, seed: 3)
        for _ in 0 ..< 20 {
            let expected = whole.trainStep()
            XCTAssertTrue(phased.run(.generate).dLoss.isNaN)
            XCTAssertTrue(phased.run(.trainDiscriminator).gLoss.isNaN)
            let got = phased.run(.trainGenerator)
            XCTAssertEqual(got.dLoss, expected.dLoss)
            XCTAssertEqual(got.gLoss, expected.gLoss)
        }
        XCTAssertEqual(whole.generate([-0.5, 0, 0.5]), phased.generate([-0.5, 0, 0.5]))
    }
}

/// Learning-rate annealing: the schedule itself, and that an update really uses the scaled rate
/// while the rate a user sets stays the base.
final class LearningRateAnnealingTests: XCTestCase {
    func testScheduleFallsLinearlyThenHolds() {
        let a = LearningRateAnnealing(start: 100, end: 300, factor: 0.1)
        XCTAssertEqual(a.scale(atStep: 0), 1)
        XCTAssertEqual(a.scale(atStep: 100), 1)
        XCTAssertEqual(a.scale(atStep: 200), 0.55, accuracy: 1e-6)
        XCTAssertEqual(a.scale(atStep: 300), 0.1)
        XCTAssertEqual(a.scale(atStep: 10_000), 0.1)
        XCTAssertEqual(LearningRateAnnealing(text: a.text), a)
        for bad in ["", "1:2", "5:5:0.1", "-1:5:0.5", "1:5:0", "1:5:1.5", "a:b:c"] {
            XCTAssertNil(LearningRateAnnealing(text: bad), bad)
        }
    }

    /// Past `end`, Adam's first step moves each weight by factor × lr (Adam's first step is ±lr).
    func testUpdatesUseTheScaledRate() {
        var c = GANConfiguration()
        c.batchSize = 8
        c.learningRateAnnealing = LearningRateAnnealing(start: 0, end: 1, factor: 0.25)
        let images = MNISTImages.synthetic(count: 32, state: 77)
        let annealed = MNISTGAN(configuration: c, images: images, seed: 4)
        annealed.restore(step: 5, rng: annealed.rng, sampler: annealed.sampler)   // past the end: ×0.25
        let before = annealed.discriminator.parameters.arrays(of: .values).flatMap(\.data)
        annealed.trainDiscriminatorStep()
        let after = annealed.discriminator.parameters.arrays(of: .values).flatMap(\.data)
        let g = annealed.discriminator.parameters.arrays(of: .grads).flatMap(\.data)
        let lr = annealed.adamD.learningRate
        XCTAssertEqual(lr, c.learningRateD, "the base rate is untouched")
        var checked = 0
        for i in before.indices where abs(g[i]) > 1e-5 {
            XCTAssertEqual(after[i] - before[i], -0.25 * lr * (g[i] > 0 ? 1 : -1), accuracy: lr * 0.01, "weight \(i)")
            checked += 1
            if checked > 500 { break }
        }
        XCTAssertGreaterThan(checked, 100)
    }
}
