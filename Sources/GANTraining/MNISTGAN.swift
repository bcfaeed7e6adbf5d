import NeuralNet

/// What one training step reports.
public struct StepStats: Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    public var dLoss: Float
    public var gLoss: Float
    /// Mean D(x) on the real batch.
    public var dReal: Float
    /// Mean D(G(z)) on the fakes, before D's update.
    public var dFake: Float
    /// Whether D / G were updated: a lone phase (keys `d`, `g`) or k = 0 leaves the other loss
    /// uncomputed (NaN), which must not count as divergence.
    public var updatedD = true
    public var updatedG = true

    /// Every value that was computed is finite (D(G(z)) always is computed, by phase 2 or 3).
    public var isFinite: Bool {
        (!updatedD || (dLoss.isFinite && dReal.isFinite)) && (!updatedG || gLoss.isFinite) && dFake.isFinite
    }
}

/// The reference MLP GAN on MNIST and its training step, readable top to bottom.
///
/// Every buffer is allocated in `init`; `trainStep()` allocates nothing. G writes its fakes
/// straight into the second half of D's input batch, so D sees real and fake in one GEMM of 2B
/// rows per layer, and phase 3 reuses those same fakes (G's weights have not changed since).
public final class MNISTGAN {
    public let configuration: GANConfiguration
    public let generator: MLP
    public let discriminator: MLP
    public var adamG: Adam
    public var adamD: Adam
    public let images: MNISTImages
    public let seed: UInt64
    /// Noise and anything else random after initialisation.
    public var rng: RandomGenerator
    public var sampler: EpochSampler
    public private(set) var step = 0

    /// B × latent: the noise of the step in progress.
    private let noise: Matrix
    /// 2B × 784: rows 0..<B real, rows B..<2B G's output (G writes there itself).
    private let discriminatorInput: Matrix

    public init(configuration: GANConfiguration = GANConfiguration(), images: MNISTImages, seed: UInt64) {
        precondition(configuration.batchSize > 0 && images.count > 0)
        self.configuration = configuration
        self.images = images
        self.seed = seed
        let b = configuration.batchSize
        let arena = FloatArena(capacity: FloatArena.capacity(for: [
            (b, configuration.latentSize), (2 * b, MNISTImages.pixelsPerImage),
        ]))
        noise = arena.matrix(rows: b, cols: configuration.latentSize)
        discriminatorInput = arena.matrix(rows: 2 * b, cols: MNISTImages.pixelsPerImage)
        self.arena = arena
        generator = MLP(layers: configuration.generatorLayers, maxRows: b, namePrefix: "g.",
                        outputStorage: discriminatorInput.rows(b, count: b))
        discriminator = MLP(layers: configuration.discriminatorLayers, maxRows: 2 * b, namePrefix: "d.")
        var initRNG = RandomGenerator(seed: seed)
        generator.initialiseGlorotUniform(rng: &initRNG)
        discriminator.initialiseGlorotUniform(rng: &initRNG)
        rng = RandomGenerator(seed: seed &+ 0x5EED)
        sampler = EpochSampler(count: images.count, seed: seed)
        let c = configuration
        adamG = Adam(learningRate: c.learningRateG, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon)
        adamD = Adam(learningRate: c.learningRateD, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon)
    }

    private let arena: FloatArena

    /// When set, each phase's wall time is added to it (the benchmark's per-phase breakdown).
    public var phaseTimer: PhaseTimer?

    /// D updates per G update (0–10), changeable between steps. 1 is the paper's recipe and
    /// exactly the historical step; 0 freezes D (G keeps chasing a fixed D).
    public var dStepsPerGStep = 1 {
        didSet { precondition((0 ... 10).contains(dStepsPerGStep), "D steps per G step must be 0–10") }
    }

    /// One step of the classic recipe: k = `dStepsPerGStep` rounds of phases 1+2, then phase 3
    /// on the last round's fakes (G has not changed since), so k = 1 is bit-identical to the
    /// original single-round step that the determinism and resume tests pin down.
    @discardableResult
    public func trainStep() -> StepStats {
        phaseTimer?.start()
        var d = (loss: Float.nan, real: Float.nan, fake: Float.nan)
        for _ in 0 ..< dStepsPerGStep {
            generateFakes()
            d = updateDiscriminator()
        }
        if dStepsPerGStep == 0 { generateFakes() }
        let g = updateGenerator()
        step += 1
        return StepStats(step: step, epoch: sampler.epoch, dLoss: d.loss, gLoss: g.loss, dReal: d.real,
                         dFake: dStepsPerGStep == 0 ? g.fake : d.fake, updatedD: dStepsPerGStep > 0)
    }

    /// Phases 1+2 alone (key `d`): fresh fakes, one D update, G untouched. The step counter
    /// does not move: it counts G updates, so a lone phase never looks like a whole step.
    @discardableResult
    public func trainDiscriminatorStep() -> StepStats {
        phaseTimer?.start()
        generateFakes()
        let d = updateDiscriminator()
        return StepStats(step: step, epoch: sampler.epoch, dLoss: d.loss, gLoss: .nan, dReal: d.real,
                         dFake: d.fake, updatedG: false)
    }

    /// Phases 1+3 alone (key `g`): fresh noise, G forward, one G update through the frozen D.
    /// dFake is D(G(z)) on those fakes, before G's update.
    @discardableResult
    public func trainGeneratorStep() -> StepStats {
        phaseTimer?.start()
        generateFakes()
        let g = updateGenerator()
        return StepStats(step: step, epoch: sampler.epoch, dLoss: .nan, gLoss: g.loss, dReal: .nan,
                         dFake: g.fake, updatedD: false)
    }

    /// (1) G turns uniform noise into B fakes (landing in the fake half of D's input).
    private func generateFakes() {
        rng.fillUniform(noise.buffer, -1, 1)
        generator.forward(noise)
        phaseTimer?.lap(.generatorForward)
    }

    /// (2) D learns on B real (label 1) and B fake (label 0) samples, in one batch of 2B.
    private func updateDiscriminator() -> (loss: Float, real: Float, fake: Float) {
        let b = configuration.batchSize
        sampler.fill(discriminatorInput.rows(0, count: b), from: images)
        phaseTimer?.lap(.realBatch)
        let logits = discriminator.forward(discriminatorInput)
        let dGradient = discriminator.outputGradient(rows: 2 * b)
        let dLoss = BinaryCrossEntropy.meanLossAndGradient(
            logits: logits, targets: { $0 < b ? 1 : 0 }, gradient: dGradient).loss
        let (dReal, dFake) = Self.meanProbabilities(logits, split: b)
        discriminator.backward(input: discriminatorInput)
        phaseTimer?.lap(.discriminatorForwardBackward)
        adamD.update(discriminator.parameters)
        phaseTimer?.lap(.discriminatorAdam)
        return (dLoss, dReal, dFake)
    }

    /// (3) G learns through D, D frozen (no weight gradients), fakes labelled real.
    /// Returns the G loss and mean D(G(z)) on the fakes it used.
    private func updateGenerator() -> (loss: Float, fake: Float) {
        let b = configuration.batchSize
        let fake = discriminatorInput.rows(b, count: b)
        let fakeLogits = discriminator.forward(fake)
        let gLoss = BinaryCrossEntropy.meanLossAndGradient(
            logits: fakeLogits, targets: { _ in 1 }, gradient: discriminator.outputGradient(rows: b)).loss
        var dFake: Float = 0
        for i in 0 ..< b { dFake += sigmoid(fakeLogits.base[i]) }
        discriminator.backward(input: fake, weightGradients: false, inputGradient: true,
                               into: generator.outputGradient(rows: b))
        phaseTimer?.lap(.frozenDiscriminator)
        generator.backward(input: noise)
        phaseTimer?.lap(.generatorBackward)
        adamG.update(generator.parameters)
        phaseTimer?.lap(.generatorAdam)
        return (gLoss, dFake / Float(b))
    }

    private static func meanProbabilities(_ logits: Matrix, split: Int) -> (Float, Float) {
        var real: Float = 0, fake: Float = 0
        for i in 0 ..< split { real += sigmoid(logits.base[i]) }
        for i in split ..< logits.rows { fake += sigmoid(logits.base[i]) }
        return (real / Float(split), fake / Float(logits.rows - split))
    }

    /// Weights and optimiser state of both networks are all finite (see `ParameterSet.stateIsFinite`).
    public var stateIsFinite: Bool {
        generator.parameters.stateIsFinite && discriminator.parameters.stateIsFinite
    }

    /// How often the trainers check `stateIsFinite` (about 3 ms a check; losses are checked every step).
    public static let stateCheckInterval = 50

    /// Restores counters on resume (weights and optimiser state are loaded separately).
    public func restore(step: Int, rng: RandomGenerator, sampler: EpochSampler) {
        self.step = step
        self.rng = rng
        self.sampler = sampler
    }
}

/// Turns latent vectors into images with G's current weights, outside the training buffers.
public final class DigitSampler {
    public let latents: Matrix
    private let network: MLP
    private let arena: FloatArena

    /// - Parameter latents: row-major `count × latentSize` values.
    public init(generator: MLP, latents: [Float], count: Int) {
        let size = generator.layers[0].inputs
        precondition(latents.count == count * size)
        arena = FloatArena(capacity: FloatArena.capacity(for: [(count, size)]))
        let matrix = arena.matrix(rows: count, cols: size)
        latents.withUnsafeBufferPointer { matrix.base.update(from: $0.baseAddress!, count: latents.count) }
        self.latents = matrix
        network = generator.sharingParameters(maxRows: count)
    }

    /// The 16 fixed latents of the screen: uniform like the training noise, from their own seed.
    public static func fixedLatents(count: Int, size: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed ^ 0x1A7E_4715)
        return (0 ..< count * size).map { _ in rng.uniform(-1, 1) }
    }

    /// G(latents), `count × 784` in [-1, 1].
    public func generate() -> [Float] { network.forward(latents).toArray() }
}
