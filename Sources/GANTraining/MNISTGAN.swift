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
        (!updatedD || (dLoss.isFinite && dReal.isFinite)) && (!updatedG || gLoss.isFinite)
            && (dFake.isFinite || (!updatedD && !updatedG))  // phase 1 alone computes no D(G(z))
    }
}

/// The three phases of the classic recipe, run one at a time by explain mode (key `e`).
public enum TrainingPhase: Int, Sendable, CaseIterable {
    /// (1) G turns uniform noise into fakes.
    case generate = 1
    /// (2) D learns on real (label 1) and those fakes (label 0).
    case trainDiscriminator
    /// (3) G learns through the frozen D so that its fakes are called real; the step ends.
    case trainGenerator
}

/// The reference MLP GAN on MNIST and its training step, readable top to bottom.
///
/// Every buffer is allocated in `init`, sized for `batchCapacity`; `trainStep()` allocates
/// nothing. D's input holds real rows just before row C = capacity and G writes its fakes from
/// row C on, so for any batch b ≤ C, rows C−b ..< C+b are one contiguous batch of 2b (real then
/// fake): D sees both in one GEMM per layer with no copy, and phase 3 reuses those same fakes.
public final class MNISTGAN: GANPhases {
    /// The recipe and the current live settings (loss, optimizer, batch size ≤ capacity).
    public var configuration: GANConfiguration {
        didSet {
            precondition((1 ... batchCapacity).contains(configuration.batchSize), "batch size beyond the buffers")
            precondition(configuration.latentSize == oldValue.latentSize && configuration.leakySlope == oldValue.leakySlope)
        }
    }
    /// The largest batch the buffers hold (live batch-size changes stay within it).
    public let batchCapacity: Int
    public let generator: MLP
    public let discriminator: MLP
    /// The moving average of G's weights (`configuration.generatorAverageDecay`), if any.
    public let averagedGenerator: MLP?
    /// How many updates the average has absorbed (its warm-up depends on it; saved in checkpoints).
    public var averageUpdates = 0
    public var adamG: Adam
    public var adamD: Adam
    public let images: MNISTImages
    public let seed: UInt64
    /// Noise and anything else random after initialisation.
    public var rng: RandomGenerator
    public var sampler: EpochSampler
    /// G updates in this process (whole steps and lone ones): a cheap "has G changed" for caches.
    public private(set) var generatorUpdates = 0

    /// C × latent: the noise of the step in progress (the first b rows).
    private let noise: Matrix
    /// 2C × 784: rows C−b ..< C real, rows C ..< C+b G's output (G writes there itself).
    private let discriminatorInput: Matrix

    public init(configuration: GANConfiguration = GANConfiguration(), images: MNISTImages, seed: UInt64,
                batchCapacity: Int? = nil) {
        precondition(configuration.batchSize > 0 && images.count > 0)
        let capacity = max(batchCapacity ?? configuration.batchSize, configuration.batchSize)
        self.batchCapacity = capacity
        self.configuration = configuration
        self.images = images
        self.seed = seed
        let arena = FloatArena(capacity: FloatArena.capacity(for: [
            (capacity, configuration.latentSize), (2 * capacity, MNISTImages.pixelsPerImage),
        ]))
        noise = arena.matrix(rows: capacity, cols: configuration.latentSize)
        discriminatorInput = arena.matrix(rows: 2 * capacity, cols: MNISTImages.pixelsPerImage)
        self.arena = arena
        generator = MLP(layers: configuration.generatorLayers, maxRows: capacity, namePrefix: "g.",
                        outputStorage: discriminatorInput.rows(capacity, count: capacity), panelled: true)
        discriminator = MLP(layers: configuration.discriminatorLayers, maxRows: 2 * capacity, namePrefix: "d.", panelled: true)
        var initRNG = RandomGenerator(seed: seed)
        generator.initialiseGlorotUniform(rng: &initRNG)
        discriminator.initialiseGlorotUniform(rng: &initRNG)
        if configuration.generatorAverageDecay != nil {
            // Same layout as G's (panelled alike), so the average is one elementwise pass.
            let average = MLP(layers: configuration.generatorLayers, maxRows: 1, namePrefix: "g_ema.", panelled: true)
            average.parameters.values.update(from: generator.parameters.values, count: generator.parameters.count)
            averagedGenerator = average
        } else {
            averagedGenerator = nil
        }
        rng = RandomGenerator(seed: seed &+ 0x5EED)
        sampler = EpochSampler(count: images.count, seed: seed)
        let c = configuration
        adamG = Adam(learningRate: c.learningRateG, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon)
        adamD = Adam(learningRate: c.learningRateD, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon)
    }

    private let arena: FloatArena

    /// The G whose samples a user sees: the weight average when the recipe keeps one.
    public var samplingGenerator: MLP { averagedGenerator ?? generator }

    /// When set, each phase's wall time is added to it (the benchmark's per-phase breakdown).
    public var phaseTimer: PhaseTimer?

    /// The phases' order, the step counter and the phase in progress (shared with `DCGANModel`).
    private let schedule = PhaseSchedule()
    public var step: Int { schedule.step }

    /// D updates per G update (0–10), changeable between steps. 1 is the paper's recipe and
    /// exactly the historical step; 0 freezes D (G keeps chasing a fixed D).
    public var dStepsPerGStep: Int {
        get { schedule.dStepsPerGStep }
        set { schedule.dStepsPerGStep = newValue }
    }

    /// k rounds of phases 1+2, then phase 3 on the last round's fakes (`PhaseSchedule.trainStep`).
    @discardableResult
    public func trainStep() -> StepStats { schedule.trainStep(self) }

    /// Phases 1+2 alone (key `d`); the step counter stays.
    @discardableResult
    public func trainDiscriminatorStep() -> StepStats { schedule.trainDiscriminatorStep(self) }

    /// Phases 1+3 alone (key `g`); the step counter stays.
    @discardableResult
    public func trainGeneratorStep() -> StepStats { schedule.trainGeneratorStep(self) }

    public typealias Phase = TrainingPhase

    /// The phases of one whole step with the current k.
    public var phasesPerStep: [Phase] { schedule.phasesPerStep }

    /// Runs one phase; `phasesPerStep` in order is bit-identical to `trainStep()`.
    @discardableResult
    public func run(_ phase: Phase) -> StepStats { schedule.run(phase, self) }

    private var batchSize: Int { configuration.batchSize }
    /// The current batch's B fakes, right after the real rows.
    private var fakes: Matrix { discriminatorInput.rows(batchCapacity, count: batchSize) }

    /// (1) G turns uniform noise into B fakes (landing in the fake half of D's input).
    func generateFakes() {
        let z = noise.prefix(rows: batchSize)
        rng.fillUniform(z.buffer, -1, 1)
        generator.forward(z)
        phaseTimer?.lap(.generatorForward)
    }

    /// (2) D learns on B real (label 1, or the smoothed label) and B fake (label 0) samples, in one batch of 2B.
    func updateDiscriminator() -> (loss: Float, real: Float, fake: Float) {
        let b = batchSize, objective = configuration.loss, realLabel = configuration.realLabel
        let batch = discriminatorInput.rows(batchCapacity - b, count: 2 * b)
        sampler.fill(batch.prefix(rows: b), from: images)
        phaseTimer?.lap(.realBatch)
        let logits = discriminatorForward(batch)
        let dLoss = objective.discriminatorLoss(logits: logits, targets: { $0 < b ? realLabel : 0 },
                                                gradient: discriminator.outputGradient(rows: 2 * b))
        let (dReal, dFake) = Self.meanOutputs(logits, split: b, objective)
        learn(discriminator, input: batch, adam: &adamD)
        return (dLoss, dReal, dFake)
    }

    /// (3) G learns through D, D frozen (no weight gradients), fakes labelled real.
    /// Returns the G loss and mean D(G(z)) on the fakes it used.
    func updateGenerator() -> (loss: Float, fake: Float) {
        let b = batchSize, objective = configuration.loss
        let fake = fakes
        let fakeLogits = discriminatorForward(fake)
        let gLoss = objective.generatorLoss(logits: fakeLogits, gradient: discriminator.outputGradient(rows: b))
        var dFake: Float = 0
        for i in 0 ..< b { dFake += objective.discriminatorOutput(logit: fakeLogits.base[i]) }
        discriminator.backward(input: fake, weightGradients: false, inputGradient: true,
                               into: generator.outputGradient(rows: b))
        phaseTimer?.lap(.frozenDiscriminator)
        learn(generator, input: noise.prefix(rows: b), adam: &adamG)
        generatorUpdates += 1
        if let averagedGenerator, let decay = configuration.generatorAverageDecay {
            WeightAverage.update(averagedGenerator.parameters, toward: generator.parameters, decay: decay,
                                 updates: averageUpdates, warmup: configuration.generatorAverageWarmup)
            averageUpdates += 1
        }
        phaseTimer?.lap(.generatorAverage)
        return (gLoss, dFake / Float(b))
    }

    /// D's forward pass, with dropout when the recipe asks for it (masks from the step's RNG,
    /// which checkpoints save, so a resumed run draws the same masks).
    private func discriminatorForward(_ input: Matrix) -> Matrix {
        let p = configuration.discriminatorDropout
        guard p > 0 else { return discriminator.forward(input) }
        var generator: RandomGenerator? = rng
        defer { rng = generator! }
        return discriminator.forward(input, dropout: p, rng: &generator)
    }

    /// Backward through `network` and one update with the current optimiser. Adam's update is
    /// fused into the backward pass (each layer's gradient used while in cache); SGD runs after it
    /// and takes Adam's learning rate, so the rate a user has set carries over when switching (and
    /// Adam's moments wait, unchanged, for a switch back). The annealing schedule scales the rate
    /// for this update only: the rate a user sets (keys 1–4) stays the base it scales.
    private func learn(_ network: MLP, input: Matrix, adam: inout Adam) {
        let base = adam.learningRate
        let rate = base * (configuration.learningRateAnnealing?.scale(atStep: step) ?? 1)
        switch configuration.optimizer {
        case .adam:
            adam.learningRate = rate
            let update = adam.nextStep()
            adam.learningRate = base
            network.backward(input: input, update: update)
        case .sgd:
            network.backward(input: input)
            SGD(learningRate: rate).update(network.parameters)
        }
        phaseTimer?.lap(network === discriminator ? .discriminatorUpdate : .generatorUpdate)
    }

    private static func meanOutputs(_ logits: Matrix, split: Int, _ objective: GANLoss) -> (Float, Float) {
        var real: Float = 0, fake: Float = 0
        for i in 0 ..< split { real += objective.discriminatorOutput(logit: logits.base[i]) }
        for i in split ..< logits.rows { fake += objective.discriminatorOutput(logit: logits.base[i]) }
        return (real / Float(split), fake / Float(logits.rows - split))
    }

    /// Weights and optimiser state of both networks are all finite (see `ParameterSet.stateIsFinite`).
    public var stateIsFinite: Bool {
        generator.parameters.stateIsFinite && discriminator.parameters.stateIsFinite
            && (averagedGenerator?.parameters.allFinite() ?? true)
    }

    /// How often the trainers check `stateIsFinite` (about 3 ms a check; losses are checked every step).
    public static let stateCheckInterval = 50

    /// Restores counters on resume (weights and optimiser state are loaded separately).
    public func restore(step: Int, rng: RandomGenerator, sampler: EpochSampler) {
        schedule.step = step
        self.rng = rng
        self.sampler = sampler
    }
}
