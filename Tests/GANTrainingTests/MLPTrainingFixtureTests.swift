import XCTest
import Foundation
import NeuralNet
@testable import GANTraining

/// The MLP's training against digests recorded from main at f6a9ac9, before the MLP became a
/// sequence of `Dense` layers (#19): every loss and every weight and Adam moment after a few
/// steps must be the same to the bit, on every kernel path, in every MLP user (the MNIST GAN in
/// its reference, tuned-with-dropout and SGD settings with lone and phased steps, the 1-D GAN's
/// row-major networks, the classifier's ReLU networks with its input-gradient split).
///
/// The row-major products go through OpenBLAS, whose rounding depends on the kernels it picked
/// (`BLAS.coreName`), so a digest is kept per kernel path and OpenBLAS core. A combination with
/// no recorded digest is skipped (say so, not pass); record one from a build of the reference
/// commit with `GANTOP_RECORD_MLP_FIXTURE=1` (it rewrites the fixture file, merging).
final class MLPTrainingFixtureTests: XCTestCase {
    static let fixtureURL = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/mlp/training-digests.json")

    /// FNV-1a over the bit patterns of the floats fed in, and a count (so an empty digest shows).
    struct Digest {
        private(set) var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        private(set) var count = 0
        mutating func add(_ x: Float) {
            var bits = x.bitPattern
            for _ in 0 ..< 4 {
                hash = (hash ^ UInt64(bits & 0xFF)) &* 0x100_0000_01B3
                bits >>= 8
            }
            count += 1
        }
        mutating func add(_ xs: [Float]) { xs.forEach { add($0) } }
        mutating func add(_ s: StepStats) { add([s.dLoss, s.gLoss, s.dReal, s.dFake]) }
        mutating func add(_ p: ParameterSet) {
            for block in [ParameterSet.Block.values, .firstMoment, .secondMoment] {
                add(p.arrays(of: block).flatMap(\.data))
            }
        }
        var text: String { String(format: "%016llx/%d", hash, count) }
    }

    private func gan(_ c: GANConfiguration, seed: UInt64) throws -> MNISTGAN {
        MNISTGAN(configuration: c, images: try Fixtures.trainingImages().prefix(300), seed: seed)
    }

    private func add(_ gan: MNISTGAN, to d: inout Digest) {
        d.add(gan.generator.parameters)
        d.add(gan.discriminator.parameters)
        if let a = gan.averagedGenerator { d.add(a.parameters.arrays(of: .values).flatMap(\.data)) }
    }

    /// Each scenario's digest on the current kernel path.
    private func scenarios() throws -> [String: String] {
        var out: [String: String] = [:]

        // The reference recipe's fused Adam step (panelled layers, B a multiple of 16).
        var reference = GANConfiguration()
        reference.batchSize = 32
        let a = try gan(reference, seed: 3)
        var d = Digest()
        for _ in 0 ..< 6 { d.add(a.trainStep()) }
        add(a, to: &d)
        out["mnist-reference-b32"] = d.text

        // The tuned recipe with D's dropout, two D rounds, a batch that is not a multiple of 16,
        // then a lone D step, a lone G step and one step phase by phase.
        var tuned = GANConfiguration(recipe: .tuned)
        tuned.batchSize = 24
        tuned.discriminatorDropout = 0.25
        let b = try gan(tuned, seed: 4)
        b.dStepsPerGStep = 2
        d = Digest()
        for _ in 0 ..< 4 { d.add(b.trainStep()) }
        d.add(b.trainDiscriminatorStep())
        d.add(b.trainGeneratorStep())
        b.dStepsPerGStep = 1
        for phase in b.phasesPerStep { d.add(b.run(phase)) }
        add(b, to: &d)
        out["mnist-tuned-dropout-b24"] = d.text

        // SGD (the unfused backward, then an update) under annealing, least-squares loss.
        var sgd = GANConfiguration()
        sgd.batchSize = 16
        sgd.optimizer = .sgd
        sgd.loss = .leastSquares
        sgd.learningRateAnnealing = LearningRateAnnealing(start: 1, end: 4, factor: 0.5)
        let c = try gan(sgd, seed: 5)
        d = Digest()
        for _ in 0 ..< 5 { d.add(c.trainStep()) }
        add(c, to: &d)
        out["mnist-sgd-ls-b16"] = d.text

        // The 1-D GAN: small row-major networks (OpenBLAS), accumulated D gradients.
        let g1 = Gan1D(target: .bimodal, seed: 6)
        d = Digest()
        for _ in 0 ..< 30 {
            let (dl, gl) = g1.trainStep()
            d.add([dl, gl])
        }
        d.add(g1.generator.parameters)
        d.add(g1.discriminator.parameters)
        d.add(g1.averagedGenerator.parameters.arrays(of: .values).flatMap(\.data))
        out["gan1d-bimodal"] = d.text

        // The classifier: ReLU body and head, head's input gradient into the body's backward.
        var cc = ClassifierTrainingConfiguration()
        cc.epochs = 1
        cc.batchSize = 40
        cc.hiddenSizes = [64, 32]
        let trainer = try ClassifierTrainer(configuration: cc, images: try Fixtures.trainingImages().prefix(200), seed: 7)
        d = Digest()
        let epoch = trainer.trainEpoch()
        d.add([epoch.loss, Float(epoch.trainAccuracy)])
        d.add(trainer.classifier.body.parameters)
        d.add(trainer.classifier.head.parameters)
        out["classifier-64-32"] = d.text
        return out
    }

    private var key: String { "\(KernelPath.current)/\(BLAS.coreName)" }

    func testTrainingMatchesTheDigestsRecordedBeforeTheLayers() throws {
        let got = try scenarios()
        var recorded = (try? JSONDecoder().decode([String: [String: String]].self, from: Data(contentsOf: Self.fixtureURL))) ?? [:]
        if ProcessInfo.processInfo.environment["GANTOP_RECORD_MLP_FIXTURE"] == "1" {
            recorded[key] = got
            try FileManager.default.createDirectory(at: Self.fixtureURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(recorded).write(to: Self.fixtureURL)
            return
        }
        let want = try XCTUnwrap(recorded.isEmpty ? nil : recorded, "no fixture at \(Self.fixtureURL.path)")
        guard let expected = want[key] else {
            throw XCTSkip("no digest recorded for \(key) (recorded: \(want.keys.sorted()))")
        }
        XCTAssertEqual(Set(got.keys), Set(expected.keys), "the scenarios changed: record them again from the reference commit")
        for (name, digest) in got.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(digest, expected[name], "\(name) on \(key): training is no longer bit-identical to f6a9ac9's")
        }
    }
}
