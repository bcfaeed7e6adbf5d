import Foundation
import GANFormats
import NeuralNet
import XCTest
@testable import GANTraining

/// The interactive controls at the model level (issue 7): lone D and G updates, D steps per G
/// step, live learning rates, and the events they leave in the run directory.
final class MNISTGANPhaseTests: XCTestCase {
    /// A tiny GAN on random pixels: these tests check which weights move, not what is learnt,
    /// so they need no MNIST and run in milliseconds.
    private func makeGAN(seed: UInt64 = 7) -> MNISTGAN {
        var configuration = GANConfiguration()
        configuration.batchSize = 8
        let images = MNISTImages.synthetic(count: 32, state: 0x2545_F491_4F6C_DD1D)
        return MNISTGAN(configuration: configuration, images: images, seed: seed)
    }

    private func values(_ network: MLP) -> [Float] { network.parameters.arrays(of: .values).flatMap(\.data) }
    private func grads(_ network: MLP) -> [Float] { network.parameters.arrays(of: .grads).flatMap(\.data) }

    func testDiscriminatorStepChangesOnlyD() {
        let gan = makeGAN()
        let (g0, d0) = (values(gan.generator), values(gan.discriminator))
        let stats = gan.trainDiscriminatorStep()
        XCTAssertEqual(values(gan.generator), g0, "a lone D update must leave G's weights bit-identical")
        XCTAssertNotEqual(values(gan.discriminator), d0, "a lone D update must change D")
        XCTAssertEqual(gan.step, 0, "a lone phase is not a step")
        XCTAssertEqual(gan.adamD.step, 1)
        XCTAssertEqual(gan.adamG.step, 0)
        XCTAssertTrue(stats.dLoss.isFinite && stats.dReal.isFinite && stats.dFake.isFinite)
        XCTAssertTrue(stats.gLoss.isNaN, "G's loss was not computed")
        XCTAssertTrue(stats.isFinite, "an uncomputed loss is not divergence")
    }

    func testGeneratorStepChangesOnlyG() {
        let gan = makeGAN()
        let (g0, d0) = (values(gan.generator), values(gan.discriminator))
        let stats = gan.trainGeneratorStep()
        XCTAssertEqual(values(gan.discriminator), d0, "a lone G update must leave D's weights bit-identical")
        XCTAssertNotEqual(values(gan.generator), g0, "a lone G update must change G")
        XCTAssertEqual(gan.step, 0)
        XCTAssertEqual(gan.adamG.step, 1)
        XCTAssertEqual(gan.adamD.step, 0)
        XCTAssertTrue(stats.gLoss.isFinite && stats.dFake.isFinite)
        XCTAssertTrue(stats.dLoss.isNaN && stats.dReal.isNaN)
        XCTAssertTrue(stats.isFinite)
    }

    func testZeroDStepsFreezesD() {
        let gan = makeGAN()
        gan.dStepsPerGStep = 0
        let (g0, d0) = (values(gan.generator), values(gan.discriminator))
        for _ in 0 ..< 4 {
            let stats = gan.trainStep()
            XCTAssertTrue(stats.isFinite, "k = 0 leaves d_loss uncomputed, which is not divergence")
            XCTAssertTrue(stats.dLoss.isNaN)
            XCTAssertTrue(stats.gLoss.isFinite && stats.dFake.isFinite)
        }
        XCTAssertEqual(values(gan.discriminator), d0, "with k = 0, D must never change")
        XCTAssertNotEqual(values(gan.generator), g0)
        XCTAssertEqual(gan.step, 4)
        XCTAssertEqual(gan.adamD.step, 0)
        XCTAssertEqual(gan.adamG.step, 4)
    }

    func testKDStepsPerGStep() {
        let gan = makeGAN()
        gan.dStepsPerGStep = 3
        for _ in 0 ..< 2 { XCTAssertTrue(gan.trainStep().isFinite) }
        XCTAssertEqual(gan.step, 2)
        XCTAssertEqual(gan.adamD.step, 6)
        XCTAssertEqual(gan.adamG.step, 2)
    }

    func testDefaultKIsTheClassicStep() {
        // k = 1 must be the same step whether or not k was ever touched.
        let a = makeGAN(), b = makeGAN()
        b.dStepsPerGStep = 4
        b.dStepsPerGStep = 1
        for _ in 0 ..< 3 { XCTAssertEqual(a.trainStep(), b.trainStep()) }
        XCTAssertEqual(values(a.generator), values(b.generator))
        XCTAssertEqual(values(a.discriminator), values(b.discriminator))
    }

    /// Adam's first update is lr · m̂ / (√v̂ + ε) = lr · g / (|g| + ε) ≈ lr · sign(g): each weight
    /// moves by the learning rate itself, so halving it must halve every move.
    func testHalvedLearningRateHalvesTheFirstAdamStep() {
        for network in ["D", "G"] {
            let full = makeGAN(), half = makeGAN()
            let before = network == "D" ? values(full.discriminator) : values(full.generator)
            let lr: Float
            if network == "D" {
                lr = full.adamD.learningRate
                half.adamD.learningRate = lr / 2
                full.trainDiscriminatorStep()
                half.trainDiscriminatorStep()
            } else {
                lr = full.adamG.learningRate
                half.adamG.learningRate = lr / 2
                full.trainGeneratorStep()
                half.trainGeneratorStep()
            }
            let net = { (gan: MNISTGAN) in network == "D" ? gan.discriminator : gan.generator }
            let g = grads(net(full))
            let (a, b) = (values(net(full)), values(net(half)))
            var checked = 0
            for i in before.indices where abs(g[i]) > 1e-5 {
                let expected = -lr * (g[i] > 0 ? 1 : -1)
                XCTAssertEqual(a[i] - before[i], expected, accuracy: lr * 0.01, "\(network) weight \(i), full rate")
                XCTAssertEqual(b[i] - before[i], expected / 2, accuracy: lr * 0.01, "\(network) weight \(i), halved rate")
                checked += 1
                if checked > 2000 { break }
            }
            XCTAssertGreaterThan(checked, 100, "too few weights with a clear gradient in \(network)")
        }
    }

    func testCheckpointCarriesDSteps() {
        let gan = makeGAN()
        gan.dStepsPerGStep = 3
        let checkpoint = Checkpoint.make(gan: gan, latents: [Float](repeating: 0, count: 16 * gan.configuration.latentSize))
        XCTAssertEqual(checkpoint.metadata["d_steps"], "3")
        XCTAssertEqual(checkpoint.metadata["lr_d"], "\(gan.adamD.learningRate)")
    }

    func testEventsWaitForTheFirstSaveThenAppend() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gantop-events-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = RunOutput(directory: directory)
        let events = directory.appendingPathComponent("events.csv")
        output.recordEvent(step: 0, event: "lr_d", value: "0.0001")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path), "nothing is written before the first save")
        let gan = makeGAN()
        gan.trainStep()
        let latents = [Float](repeating: 0, count: 16 * gan.configuration.latentSize)
        try output.save(gan: gan, latents: latents, digits: [Float](repeating: -1, count: 16 * 784))
        output.recordEvent(step: 1, event: "d_steps", value: "0")
        let text = try String(contentsOf: events, encoding: .utf8)
        XCTAssertEqual(text, "step,event,value\n0,lr_d,0.0001\n1,d_steps,0\n")
    }
}
