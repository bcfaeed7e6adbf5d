import XCTest
import Foundation
import GANFormats
import Layers
import NeuralNet
@testable import GANTraining

/// `DCGANModel`: the recipe's knobs, the phases, lone updates, sampling, and checkpoints in
/// PyTorch's names with a bit-exact resume.
final class DCGANModelTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gantop-dcgan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    private static let imageCount = 40

    private func model(seed: UInt64 = 5, _ configure: (inout GANConfiguration) -> Void = { _ in }) throws -> DCGANModel {
        var c = GANConfiguration()
        c.batchSize = 8
        configure(&c)
        return DCGANModel(configuration: c, images: try Fixtures.trainingImages().prefix(Self.imageCount), seed: seed)
    }

    /// Every tensor a checkpoint holds, as raw bytes: "equal" means bit for bit.
    private func state(_ m: DCGANModel) -> [String: [UInt8]] {
        m.checkpointTensors().mapValues(\.bytes)
    }

    private func assertSameState(_ a: DCGANModel, _ b: DCGANModel, file: StaticString = #filePath, line: UInt = #line) {
        let sa = state(a), sb = state(b)
        XCTAssertEqual(Set(sa.keys), Set(sb.keys), file: file, line: line)
        for key in sa.keys.sorted() where sa[key] != sb[key] {
            XCTFail("\(key) differs", file: file, line: line)
        }
        XCTAssertEqual(a.rng.stateWords, b.rng.stateWords, file: file, line: line)
        XCTAssertEqual(a.adamD, b.adamD, file: file, line: line)
        XCTAssertEqual(a.adamG, b.adamG, file: file, line: line)
    }

    /// A step's numbers bit for bit (NaN, "not computed", equal to itself).
    private static func bits(_ s: StepStats) -> [UInt32] {
        [s.dLoss, s.gLoss, s.dReal, s.dFake].map(\.bitPattern) + [UInt32(s.step), UInt32(s.epoch), s.updatedD ? 1 : 0, s.updatedG ? 1 : 0]
    }

    func testSameSeedSameRunAndAnotherSeedAnother() throws {
        let a = try model(), b = try model(), c = try model(seed: 6)
        let ra = (0 ..< 3).map { _ in a.trainStep() }, rb = (0 ..< 3).map { _ in b.trainStep() }
        XCTAssertEqual(ra, rb)
        XCTAssertNotEqual(ra[0].dLoss, c.trainStep().dLoss)
        XCTAssertTrue(ra.allSatisfy(\.isFinite))
        XCTAssertEqual(ra.map(\.step), [1, 2, 3])
        XCTAssertEqual(a.generatorUpdates, 3)
        assertSameState(a, b)
    }

    /// Explain mode's phases, run one by one, are the step (k = 1 and k = 2), bit for bit.
    func testPhasesInOrderAreTheStep() throws {
        for k in [1, 2, 0] {
            let whole = try model(), phased = try model()
            whole.dStepsPerGStep = k
            phased.dStepsPerGStep = k
            XCTAssertEqual(phased.phasesPerStep.count, k == 0 ? 2 : 2 * k + 1)
            for _ in 0 ..< 2 {
                let expected = whole.trainStep()
                var last: StepStats?
                for phase in phased.phasesPerStep { last = phased.run(phase) }
                XCTAssertEqual(last.map(Self.bits), Self.bits(expected), "k = \(k)")
            }
            assertSameState(whole, phased)
        }
    }

    /// `d` and `g` alone: one network changes, the step counter stays, the other loss is NaN.
    func testLoneUpdatesChangeOneNetworkAndNotTheStep() throws {
        let m = try model()
        m.trainStep()
        let before = state(m)
        let d = m.trainDiscriminatorStep()
        XCTAssertEqual(m.step, 1)
        XCTAssertTrue(d.gLoss.isNaN && d.dLoss.isFinite && d.isFinite)
        let afterD = state(m)
        XCTAssertNotEqual(before["D.0.weight"], afterD["D.0.weight"])
        XCTAssertEqual(before["G.0.weight"], afterD["G.0.weight"])
        XCTAssertEqual(m.adamD.step, 2)
        XCTAssertEqual(m.adamG.step, 1)
        let g = m.trainGeneratorStep()
        XCTAssertEqual(m.step, 1)
        XCTAssertTrue(g.dLoss.isNaN && g.gLoss.isFinite && g.isFinite)
        let afterG = state(m)
        XCTAssertEqual(afterD["D.0.weight"], afterG["D.0.weight"])
        XCTAssertNotEqual(afterD["G.0.weight"], afterG["G.0.weight"])
        XCTAssertEqual(m.adamG.step, 2)
        XCTAssertEqual(m.generatorUpdates, 2)
    }

    /// The knobs reach the step: label smoothing changes D's loss on the very first batch (same
    /// weights, same data), least squares and SGD change the run, live learning rates count.
    func testRecipeKnobsReachTheStep() throws {
        let reference = try model().trainStep()
        XCTAssertNotEqual(try model { $0.realLabel = 0.9 }.trainStep().dLoss, reference.dLoss)
        let ls = try model { $0.loss = .leastSquares }.trainStep()
        XCTAssertNotEqual(ls.dLoss, reference.dLoss)
        // Least squares reports D's raw output, not σ: D(x) = 0.5 only by coincidence.
        XCTAssertNotEqual(ls.dReal, reference.dReal)

        let adam = try model(), sgd = try model { $0.optimizer = .sgd }
        adam.trainStep()
        sgd.trainStep()
        XCTAssertEqual(sgd.adamD.step, 0, "SGD leaves Adam's moments (and step) waiting")
        XCTAssertNotEqual(state(adam)["D.0.weight"], state(sgd)["D.0.weight"])

        // β1 shows from the second update on (the first is bias-corrected to the gradient alone).
        let beta = try model { $0.beta1 = 0.9 }, usual = try model()
        XCTAssertEqual(beta.adamD.beta1, 0.9)
        for m in [beta, usual] { for _ in 0 ..< 2 { m.trainStep() } }
        XCTAssertNotEqual(state(beta)["D.0.weight"], state(usual)["D.0.weight"])

        let slow = try model()
        slow.adamD.learningRate = 0
        slow.adamG.learningRate = 0
        let start = state(slow)
        slow.trainStep()
        XCTAssertEqual(state(slow)["D.0.weight"], start["D.0.weight"], "lr 0 must leave D's weights")
        XCTAssertNotEqual(state(slow)["G.1.running_mean"], start["G.1.running_mean"], "BatchNorm statistics still move")

        // Switching the loss live takes effect from the next update.
        let live = try model()
        live.trainStep()
        live.configuration.loss = .leastSquares
        XCTAssertEqual(live.trainer.loss, .leastSquares)
    }

    /// `--init pytorch`: PyTorch's layer defaults, U(±1/√fan_in) with ConvTranspose2d's fan_in from
    /// its dim 1 (out · k · k), BatchNorm γ 1, β 0; the spec's N(0, 0.02) otherwise.
    func testPyTorchDefaultInitialisation() throws {
        let m = try model { $0.initialisation = .pytorch }
        let p = m.generator.parameters, d = m.discriminator.parameters
        for (set, name, fanIn) in [(p, "0.weight", 100), (p, "0.bias", 100), (p, "4.weight", 64 * 16), (p, "7.weight", 1 * 16),
                                   (d, "0.weight", 16), (d, "2.weight", 64 * 16), (d, "6.weight", 6272)] {
            let values = set.array(set.entry(named: name)!, of: .values)
            let bound = 1 / Float(fanIn).squareRoot()
            XCTAssertTrue(values.allSatisfy { abs($0) <= bound }, "\(name) beyond ±1/√\(fanIn)")
            if values.count >= 1000 {
                let rms = (values.reduce(0) { $0 + Double($1 * $1) } / Double(values.count)).squareRoot()
                XCTAssertEqual(rms, Double(bound) / 3.0.squareRoot(), accuracy: 0.05 * Double(bound), name)
            }
        }
        XCTAssertEqual(Set(p.array(p.entry(named: "1.weight")!, of: .values)), [1])
        XCTAssertEqual(Set(d.array(d.entry(named: "3.bias")!, of: .values)), [0])
        let spec = try model()
        let w = spec.generator.parameters.array(spec.generator.parameters.entry(named: "4.weight")!, of: .values)
        let rms = (w.reduce(0) { $0 + Double($1 * $1) } / Double(w.count)).squareRoot()
        XCTAssertEqual(rms, 0.02, accuracy: 0.001, "the spec's N(0, 0.02)")
        XCTAssertTrue(m.trainStep().isFinite)
    }

    /// `--d-norm none`: nn.Identity in place of D.3 (no D.3.* tensors, every other name the same),
    /// a different D, a checkpoint that says so and resumes into the same architecture.
    func testDiscriminatorWithoutBatchNorm() throws {
        let plain = try model { $0.discriminatorNormalisation = .none }, spec = try model()
        XCTAssertNotEqual(plain.trainStep().dLoss, spec.trainStep().dLoss)
        let bytes = Checkpoint.make(gan: plain, latents: DigitSampler.fixedLatents(count: 16, size: 100, seed: 1)).encode()
        let (header, file) = try Checkpoint.parse(bytes, name: "plain")
        XCTAssertEqual(header.configuration.discriminatorNormalisation, .none)
        XCTAssertFalse(file.tensors.keys.contains { $0.hasPrefix("D.3.") })
        XCTAssertEqual(file.tensors["D.6.weight"]?.shape, [1, 6272])
        let resumed = DCGANModel(configuration: header.configuration, images: try Fixtures.trainingImages().prefix(Self.imageCount),
                                 seed: header.seed)
        try Checkpoint.restore(resumed, from: file, header: header, fileName: "plain")
        XCTAssertEqual(Self.bits(resumed.trainStep()), Self.bits(plain.trainStep()))
        // The spec's D needs its BatchNorm: a file without it is refused at read.
        var tensors = file.tensors, metadata = file.metadata
        metadata["d_norm"] = "batch"
        tensors = tensors.filter { !$0.key.hasPrefix("D.3.") }
        XCTAssertThrowsError(try Checkpoint.parse(SafeTensors(metadata: metadata, tensors: tensors).encode(), name: "x"))
    }

    /// `--g-hidden` / `--d-hidden`: InfoGAN's layers in G and D, a checkpoint whose metadata and
    /// names say so (G.3 the spec's first Linear, D.9 the logit), resumed bit for bit; a file
    /// claiming the spec's layers for them, or a negative width, refused at read.
    func testHiddenLayersCheckpointAndResume() throws {
        let wide = try model { $0.generatorHidden = 24; $0.discriminatorHidden = 16; $0.generatorAverageDecay = 0.9 }
        XCTAssertNotEqual(wide.trainStep().dLoss, try model().trainStep().dLoss)
        let bytes = Checkpoint.make(gan: wide, latents: DigitSampler.fixedLatents(count: 16, size: 100, seed: 1)).encode()
        let (header, file) = try Checkpoint.parse(bytes, name: "wide")
        XCTAssertEqual(header.configuration.dcganArchitecture, DCGANArchitecture(generatorHidden: 24, discriminatorHidden: 16))
        XCTAssertEqual(file.tensors["G.0.weight"]?.shape, [24, 100])
        XCTAssertEqual(file.tensors["G.3.weight"]?.shape, [6272, 24])
        XCTAssertEqual(file.tensors["G_ema.3.weight"]?.shape, [6272, 24])
        XCTAssertEqual(file.tensors["D.7.running_var"]?.shape, [16])
        XCTAssertEqual(file.tensors["adam.D.9.weight.v"]?.shape, [1, 16])
        let resumed = DCGANModel(configuration: header.configuration, images: try Fixtures.trainingImages().prefix(Self.imageCount),
                                 seed: header.seed)
        try Checkpoint.restore(resumed, from: file, header: header, fileName: "wide")
        XCTAssertEqual(Self.bits(resumed.trainStep()), Self.bits(wide.trainStep()))
        for (key, value) in [("g_hidden", "0"), ("d_hidden", "0"), ("d_hidden", "-3"), ("g_hidden", "twelve")] {
            var metadata = file.metadata
            metadata[key] = value
            XCTAssertThrowsError(try Checkpoint.parse(SafeTensors(metadata: metadata, tensors: file.tensors).encode(), name: "x"),
                                 "\(key) = \(value)")
        }
    }

    func testDropoutIsRefusedInOneLine() {
        var c = GANConfiguration()
        c.discriminatorDropout = 0.3
        let reason = GANModelKind.dcgan.refusal(c)
        XCTAssertNotNil(reason)
        XCTAssertFalse(reason?.contains("\n") ?? true)
        XCTAssertNil(GANModelKind.mlp.refusal(c))
    }

    /// The G average starts at G, follows it, and is what the samples come from.
    func testSamplesComeFromTheAverageWithRunningStatistics() throws {
        let m = try model { $0.generatorAverageDecay = 0.9 }
        for _ in 0 ..< 3 { m.trainStep() }
        XCTAssertEqual(m.averageUpdates, 3)
        let latents = DigitSampler.fixedLatents(count: 4, size: DCGAN.latent, seed: 1)
        let sampled = DigitSampler(model: m, latents: latents, count: 4).generate()

        // The same in eval mode through a G holding the average's weights and G's running statistics.
        let check = DCGAN.generator(maxBatch: 4)
        check.parameters.values.update(from: m.averagedGenerator!.values, count: m.averagedGenerator!.count)
        check.buffers.values.update(from: m.generator.buffers.values, count: m.generator.buffers.count)
        var zs = latents
        let expected = zs.withUnsafeMutableBufferPointer {
            check.forward(Matrix(base: $0.baseAddress!, rows: 4, cols: DCGAN.latent), training: false).toArray()
        }
        XCTAssertEqual(sampled, expected)
        XCTAssertNotEqual(m.averagedGenerator!.array(m.averagedGenerator!.entries[0], of: .values),
                          m.generator.parameters.array(m.generator.parameters.entries[0], of: .values))

        // Sampling never changes training: the next step is the one an unsampled model takes.
        let twin = try model { $0.generatorAverageDecay = 0.9 }
        for _ in 0 ..< 3 { twin.trainStep() }
        XCTAssertEqual(m.trainStep(), twin.trainStep())

        // Batch statistics are another recipe: other images from the same weights.
        m.configuration.samplingStatistics = .batch
        let batchStats = DigitSampler(model: m, latents: latents, count: 4).generate()
        m.configuration.samplingStatistics = .running
        let running = DigitSampler(model: m, latents: latents, count: 4).generate()
        XCTAssertNotEqual(batchStats, running)
    }

    /// `recompute`: fresh statistics of the sampled weights from 2,048 latents of a fixed seed.
    /// BatchNorm1d after the first Linear must hold W·z̄ + b (the mean of a linear map is the map
    /// of the mean), whatever the live G's running statistics say.
    func testRecomputedStatisticsAreThoseOfTheSampledWeights() throws {
        let m = try model { $0.samplingStatistics = .recompute }
        for _ in 0 ..< 2 { m.trainStep() }
        let sampler = try XCTUnwrap(m.makeImageGenerator(maxRows: 16) as? DCGANImageGenerator)
        let b = sampler.samplingBuffers
        var rng = RandomGenerator(seed: SamplingStatistics.recomputeSeed)
        let n = SamplingStatistics.recomputeBatches * SamplingStatistics.recomputeBatch
        var zMean = [Double](repeating: 0, count: DCGAN.latent)
        for _ in 0 ..< n { for j in 0 ..< DCGAN.latent { zMean[j] += Double(rng.uniform(-1, 1)) / Double(n) } }
        let p = m.generator.parameters
        let w = p.array(p.entry(named: "0.weight")!, of: .values), bias = p.array(p.entry(named: "0.bias")!, of: .values)
        let recomputed = b.array(b.entry(named: "1.running_mean")!, of: .values)
        let live = m.generator.buffers.array(b.entry(named: "1.running_mean")!, of: .values)
        var worst = 0.0, liveWorst = 0.0
        for i in 0 ..< 6272 {
            var expected = Double(bias[i])
            for j in 0 ..< DCGAN.latent { expected += Double(w[i * DCGAN.latent + j]) * zMean[j] }
            worst = max(worst, abs(Double(recomputed[i]) - expected))
            liveWorst = max(liveWorst, abs(Double(live[i]) - expected))
        }
        XCTAssertLessThan(worst, 1e-5)
        XCTAssertGreaterThan(liveWorst, 1e-3, "the live running mean is another thing: the test would prove nothing")
        let variance = b.array(b.entry(named: "5.running_var")!, of: .values)
        XCTAssertTrue(variance.allSatisfy { $0 > 0 && $0.isFinite })
    }

    /// N steps == N/2 steps + checkpoint file + resume + N/2 steps, bit for bit, with the knobs on
    /// (label smoothing, G average, annealing across the boundary, k = 2) and an epoch boundary crossed.
    func testResumeIsBitIdenticalToAnUninterruptedRun() throws {
        let configure: (inout GANConfiguration) -> Void = {
            $0.realLabel = 0.9
            $0.generatorAverageDecay = 0.99
            $0.learningRateAnnealing = LearningRateAnnealing(start: 2, end: 8, factor: 0.5)
        }
        let n = 8   // 8 steps × 2 D batches × 8 images > 40 images: the data wraps into epoch 2 and 3
        let uninterrupted = try model(configure)
        uninterrupted.dStepsPerGStep = 2
        let reference = (0 ..< n).map { _ in uninterrupted.trainStep() }

        let first = try model(configure)
        first.dStepsPerGStep = 2
        for _ in 0 ..< n / 2 { first.trainStep() }
        let url = scratch.appendingPathComponent("dcgan.safetensors")
        let latents = DigitSampler.fixedLatents(count: 16, size: DCGAN.latent, seed: first.seed)
        try Checkpoint.make(gan: first, latents: latents, extraMetadata: ["d_steps": "2"]).write(to: url)

        let (header, file) = try Checkpoint.read(url)
        XCTAssertEqual(header.model, .dcgan)
        XCTAssertEqual(header.step, n / 2)
        XCTAssertEqual(header.configuration, first.configuration)
        let resumed = DCGANModel(configuration: header.configuration, images: try Fixtures.trainingImages().prefix(Self.imageCount),
                                 seed: header.seed)
        resumed.dStepsPerGStep = 2
        try Checkpoint.restore(resumed, from: file, header: header, fileName: "dcgan")
        let continued = (n / 2 ..< n).map { _ in resumed.trainStep() }
        XCTAssertEqual(continued, Array(reference[(n / 2)...]))
        XCTAssertGreaterThan(reference.last!.epoch, 1)
        assertSameState(uninterrupted, resumed)
        XCTAssertEqual(try Checkpoint.latents(file, fileName: "dcgan"), latents)
    }

    /// The file speaks PyTorch: `G.<i>.*` / `D.<i>.*` state dicts of the spec's layers in their
    /// layouts, BatchNorm buffers with `num_batches_tracked` as I64, the average as `G_ema.*`.
    func testCheckpointTensorsHavePyTorchNamesLayoutsAndDtypes() throws {
        let m = try model { $0.generatorAverageDecay = 0.99 }
        m.dStepsPerGStep = 2
        for _ in 0 ..< 3 { m.trainStep() }
        let t = Checkpoint.make(gan: m, latents: DigitSampler.fixedLatents(count: 16, size: 100, seed: 1)).tensors
        XCTAssertEqual(t["G.0.weight"]?.shape, [6272, 100])
        XCTAssertEqual(t["G.1.running_var"]?.shape, [6272])
        XCTAssertEqual(t["G.4.weight"]?.shape, [128, 64, 4, 4], "ConvTranspose2d: [in, out, kh, kw]")
        XCTAssertEqual(t["G.7.weight"]?.shape, [64, 1, 4, 4])
        XCTAssertEqual(t["D.0.weight"]?.shape, [64, 1, 4, 4], "Conv2d: [out, in, kh, kw]")
        XCTAssertEqual(t["D.2.weight"]?.shape, [128, 64, 4, 4])
        XCTAssertEqual(t["D.6.weight"]?.shape, [1, 6272])
        XCTAssertEqual(t["adam.D.6.weight.v"]?.shape, [1, 6272])
        XCTAssertEqual(t["G_ema.4.weight"]?.shape, [128, 64, 4, 4])
        // G's BatchNorms saw one training batch per G forward (k = 2: 2 a step); D's 2 per D update + 1 per G update.
        XCTAssertEqual(t["G.1.num_batches_tracked"]?.dtype, .i64)
        XCTAssertEqual(t["G.1.num_batches_tracked"]?.shape, [])
        XCTAssertEqual(t["G.5.num_batches_tracked"]?.int64s, [6])
        XCTAssertEqual(t["D.3.num_batches_tracked"]?.int64s, [3 * (2 * 2 + 1)])
        XCTAssertEqual(t["G_ema.1.num_batches_tracked"]?.int64s, [6])
        // Nothing of the MLP's names.
        XCTAssertFalse(t.keys.contains { $0.hasPrefix("g.") || $0.hasPrefix("d.") || $0.hasPrefix("g_ema.") })
    }

    /// A checkpoint of one model never loads into the other: one line naming both.
    func testACheckpointOfTheOtherModelIsRefused() throws {
        let dcgan = try model()
        dcgan.trainStep()
        let latents = DigitSampler.fixedLatents(count: 16, size: 100, seed: 1)
        let (header, file) = try Checkpoint.parse(Checkpoint.make(gan: dcgan, latents: latents).encode(), name: "c")
        var c = GANConfiguration()
        c.batchSize = 8
        let mlp = MNISTGAN(configuration: c, images: try Fixtures.trainingImages().prefix(Self.imageCount), seed: 5)
        XCTAssertThrowsError(try Checkpoint.restore(mlp, from: file, header: header, fileName: "c")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("dcgan") && text.contains("mlp") && !text.contains("\n"), text)
        }
        let (mlpHeader, mlpFile) = try Checkpoint.parse(Checkpoint.make(gan: mlp, latents: latents).encode(), name: "m")
        XCTAssertEqual(mlpHeader.model, .mlp)
        XCTAssertNil(mlpHeader.metadata["model"], "MLP checkpoints are as they were")
        XCTAssertThrowsError(try Checkpoint.restore(try model(), from: mlpFile, header: mlpHeader, fileName: "m"))
    }

    /// Broken DCGAN files fail at `read`, one line each, before a model is built.
    func testBrokenDCGANCheckpointsFailAtRead() throws {
        let m = try model()
        m.trainStep()
        let good = Checkpoint.make(gan: m, latents: DigitSampler.fixedLatents(count: 16, size: 100, seed: 1))
        func refused(_ change: (inout [String: Tensor], inout [String: String]) -> Void, mentions: String) {
            var tensors = good.tensors, metadata = good.metadata
            change(&tensors, &metadata)
            let bytes = SafeTensors(metadata: metadata, tensors: tensors).encode()
            XCTAssertThrowsError(try Checkpoint.parse(bytes, name: "bad")) { error in
                XCTAssertTrue("\(error)".contains(mentions), "\(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
        refused({ t, _ in t["G.4.weight"] = nil }, mentions: "G.4.weight")
        refused({ t, _ in t["D.2.weight"] = Tensor(shape: [64, 128, 4, 4], floats: [Float](repeating: 0, count: 64 * 128 * 16)) },
                mentions: "shape")
        refused({ t, _ in t["G.5.num_batches_tracked"] = Tensor(shape: [], floats: [1]) }, mentions: "I64")
        refused({ t, _ in t["D.3.running_var"] = Tensor(shape: [128], floats: [Float](repeating: -1, count: 128)) }, mentions: "negative")
        refused({ _, meta in meta["model"] = "resnet" }, mentions: "model")
        refused({ _, meta in meta["d_dropout"] = "0.5" }, mentions: "dropout")
    }
}
