import Layers
import NeuralNet

/// The reference DCGAN of issue #19 on MNIST with gantop's recipe knobs: the counterpart of
/// `MNISTGAN`, over `DCGANTrainer`'s phases (the one step implementation, the one tested
/// against PyTorch).
///
/// Every buffer is allocated in `init`, sized for `batchCapacity`; a step allocates nothing.
public final class DCGANModel: GANPhases {
    /// The recipe and the current live settings (loss, optimizer, batch size ≤ capacity).
    public var configuration: GANConfiguration {
        didSet {
            precondition((1 ... batchCapacity).contains(configuration.batchSize), "batch size beyond the buffers")
            precondition(configuration.latentSize == DCGAN.latent && configuration.discriminatorDropout == 0
                         && configuration.dcganArchitecture == oldValue.dcganArchitecture)
            precondition((configuration.generatorAverageDecay == nil) == (oldValue.generatorAverageDecay == nil),
                         "the G average cannot be switched on or off while training")
            trainer.loss = configuration.loss
            trainer.realLabel = configuration.realLabel
            trainer.optimizer = configuration.optimizer
        }
    }
    public let batchCapacity: Int
    public let trainer: DCGANTrainer
    public var generator: Sequential { trainer.generator }
    public var discriminator: Sequential { trainer.discriminator }
    /// The moving average of G's weights (`configuration.generatorAverageDecay`), if any: G's
    /// parameter layout; its BatchNorm statistics are the live G's.
    public let averagedGenerator: ParameterSet?
    public var averageUpdates = 0
    public var adamG: Adam {
        get { trainer.generatorOptimiser }
        set { trainer.generatorOptimiser = newValue }
    }
    public var adamD: Adam {
        get { trainer.discriminatorOptimiser }
        set { trainer.discriminatorOptimiser = newValue }
    }
    public let images: MNISTImages
    public let seed: UInt64
    public var rng: RandomGenerator
    public var sampler: EpochSampler
    public private(set) var generatorUpdates = 0
    public var phaseTimer: PhaseTimer?
    /// The phases' order, the step counter and the phase in progress (shared with `MNISTGAN`).
    private let schedule = PhaseSchedule()
    public var step: Int { schedule.step }
    /// D updates per G update (0–10), as `MNISTGAN.dStepsPerGStep`.
    public var dStepsPerGStep: Int {
        get { schedule.dStepsPerGStep }
        set { schedule.dStepsPerGStep = newValue }
    }

    private let arena: FloatArena
    /// C × 784: the real batch of the step in progress (the first B rows).
    private let realBatch: Matrix

    /// Why a configuration cannot train the DCGAN, or nil.
    public static func refusal(_ configuration: GANConfiguration) -> String? {
        if configuration.discriminatorDropout > 0 { return "D dropout is not available for the DCGAN (its D has BatchNorm, not dropout)" }
        if configuration.latentSize != DCGAN.latent { return "the DCGAN's latent size is \(DCGAN.latent)" }
        for (name, width) in [("G", configuration.generatorHidden), ("D", configuration.discriminatorHidden)]
        where !(0 ... DCGANArchitecture.maximumHidden).contains(width) {
            return "\(name)'s hidden layer must be 0 (none) to \(DCGANArchitecture.maximumHidden) wide, not \(width)"
        }
        let k = configuration.infoCategories
        if k != 0 && !(2 ... DCGANArchitecture.maximumCategories).contains(k) {
            return "the code must have 0 (none) or 2 to \(DCGANArchitecture.maximumCategories) categories, not \(k)"
        }
        if k > 0 && configuration.discriminatorHidden == 0 {
            return "the code's Q head reads D's hidden layer: give D one (--d-hidden N) or drop the code (--info-categories 0)"
        }
        return nil
    }

    public init(configuration: GANConfiguration, images: MNISTImages, seed: UInt64, batchCapacity: Int? = nil) {
        precondition(configuration.batchSize > 0 && images.count > 0)
        if let reason = Self.refusal(configuration) { preconditionFailure(reason) }
        let capacity = max(batchCapacity ?? configuration.batchSize, configuration.batchSize)
        self.batchCapacity = capacity
        self.configuration = configuration
        self.images = images
        self.seed = seed
        let c = configuration
        trainer = DCGANTrainer(maxBatch: capacity, learningRate: c.learningRateD, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon,
                               architecture: c.dcganArchitecture)
        trainer.generatorOptimiser.learningRate = c.learningRateG
        trainer.loss = c.loss
        trainer.realLabel = c.realLabel
        trainer.optimizer = c.optimizer
        arena = FloatArena(capacity: FloatArena.capacity(for: [(capacity, DCGAN.imageSize)]))
        realBatch = arena.matrix(rows: capacity, cols: DCGAN.imageSize)
        var initRNG = RandomGenerator(seed: seed)
        for net in [trainer.generator, trainer.discriminator] + (trainer.infoHead.map { [$0] } ?? []) {
            switch c.initialisation {
            case .dcgan: DCGAN.initialise(net, rng: &initRNG)
            case .pytorch: DCGAN.initialisePyTorchDefault(net, rng: &initRNG)
            }
        }
        if c.generatorAverageDecay != nil {
            let g = trainer.generator.parameters
            let average = ParameterSet(shapes: g.entries.map { ($0.name, $0.shape) })
            average.values.update(from: g.values, count: g.count)
            averagedGenerator = average
        } else {
            averagedGenerator = nil
        }
        rng = RandomGenerator(seed: seed &+ 0x5EED)
        sampler = EpochSampler(count: images.count, seed: seed)
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

    public var phasesPerStep: [TrainingPhase] { schedule.phasesPerStep }

    /// Runs one phase; `phasesPerStep` in order is bit-identical to `trainStep()`.
    @discardableResult
    public func run(_ phase: TrainingPhase) -> StepStats { schedule.run(phase, self) }

    private var learningRateScale: Float { configuration.learningRateAnnealing?.scale(atStep: step) ?? 1 }

    func generateFakes() {
        trainer.generate(batch: configuration.batchSize, rng: &rng)
        phaseTimer?.lap(.generatorForward)
    }

    func updateDiscriminator() -> (loss: Float, real: Float, fake: Float) {
        let real = realBatch.prefix(rows: configuration.batchSize)
        sampler.fill(real, from: images)
        phaseTimer?.lap(.realBatch)
        let d = trainer.updateDiscriminator(real: real, learningRateScale: learningRateScale)
        phaseTimer?.lap(.discriminatorUpdate)
        return d
    }

    func updateGenerator() -> (loss: Float, fake: Float) {
        let g = trainer.updateGenerator(learningRateScale: learningRateScale)
        phaseTimer?.lap(.generatorUpdate)
        generatorUpdates += 1
        if let averagedGenerator, let decay = configuration.generatorAverageDecay {
            WeightAverage.update(averagedGenerator, toward: generator.parameters, decay: decay,
                                 updates: averageUpdates, warmup: configuration.generatorAverageWarmup)
            averageUpdates += 1
        }
        phaseTimer?.lap(.generatorAverage)
        return g
    }

    /// Weights, optimiser state, running statistics and the average all finite.
    public var stateIsFinite: Bool {
        generator.parameters.stateIsFinite && discriminator.parameters.stateIsFinite
            && generator.buffers.allFinite() && discriminator.buffers.allFinite()
            && (trainer.infoHead.map { $0.parameters.stateIsFinite && $0.buffers.allFinite() } ?? true)
            && (averagedGenerator?.allFinite() ?? true)
    }

    /// Restores counters on resume (weights and optimiser state are loaded separately).
    public func restore(step: Int, rng: RandomGenerator, sampler: EpochSampler) {
        schedule.step = step
        self.rng = rng
        self.sampler = sampler
    }

    /// Multiply–adds of one reference step at batch `b`, counted as `GANConfiguration.flopsPerStep`
    /// counts the MLP's (G forward once, D forward/backward on 2B rows without D's first input
    /// gradient, D forward and input gradient on B, G backward without its input gradient); the
    /// convolutions and linears only (BatchNorm and activations are a few % more). ×2 for FLOPs.
    public static func flopsPerStep(batch: Int) -> Double {
        let g = [100.0 * 6272, 49.0 * 128 * 64 * 16, 196.0 * 64 * 16]     // Linear, ConvT, ConvT
        let d = [196.0 * 64 * 16, 49.0 * 64 * 128 * 16, 6272.0]           // Conv, Conv, Linear
        let gSum = g.reduce(0, +), dSum = d.reduce(0, +), b = Double(batch)
        let gForward = gSum * b, gBackward = (2 * gSum - g[0]) * b
        let dPhase2 = dSum * 2 * b + (2 * dSum - d[0]) * 2 * b
        let dPhase3 = 2 * dSum * b
        return 2 * (gForward + gBackward + dPhase2 + dPhase3)
    }
}
