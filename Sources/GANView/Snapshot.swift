// The data the view draws. The trainer publishes a `FrameSnapshot`; the UI turns it into cells.
// Everything here is a plain Sendable value type, cheap to copy (arrays are copy-on-write).

/// What the training worker is doing.
public enum TrainerState: String, Sendable, Hashable, CaseIterable {
    case running, paused, stepping, diverged

    /// The word shown in the status bar.
    public var word: String { rawValue.uppercased() }
}

/// One z → G(z) pair for the 1-D mapping strip.
public struct MappingPoint: Sendable, Hashable {
    public var z: Float
    public var x: Float
    /// Which way G's gradient moves this sample (−dL_G/dx; 0: unknown), drawn as an arrow.
    public var push: Float
    public init(z: Float, x: Float, push: Float = 0) {
        self.z = z
        self.x = x
        self.push = push
    }
}

/// Everything the 1-D panel draws (the figure of Goodfellow et al. 2014, Fig. 1).
///
/// All three curves are sampled on the same `n` equal-width bins spanning `[xMin, xMax]`;
/// bin `i` covers `[xMin + i·w, xMin + (i+1)·w)` with `w = (xMax - xMin) / n`.
/// Ask `Gan1DPanel.binCount(forWidth:)` (or `Screen.gan1DBinCount(width:height:)`) for the `n`
/// that matches the panel exactly; any other `n` is resampled, so stale data is still drawn.
public struct Gan1DPanelData: Sendable, Hashable {
    public var targetName: String
    public var xMin: Float
    public var xMax: Float
    /// Histogram of generator samples, normalised as a density (integrates to ~1).
    public var generatedDensity: [Float]
    /// The exact data pdf evaluated at the bin centres.
    public var dataDensity: [Float]
    /// D(x) in [0, 1] at the bin centres.
    public var discriminator: [Float]
    /// About 16 evenly spaced z in [-1, 1] and their G(z).
    public var mapping: [MappingPoint]
    /// Kolmogorov–Smirnov distance between generated and data distributions.
    public var ks: Float
    /// Jensen–Shannon divergence between generated and data distributions.
    public var js: Float
    /// D(x) before the last D update, drawn faintly beside the current curve (explain mode, phase 2).
    public var previousDiscriminator: [Float]?

    public init(targetName: String, xMin: Float, xMax: Float,
                generatedDensity: [Float], dataDensity: [Float], discriminator: [Float],
                mapping: [MappingPoint], ks: Float, js: Float) {
        self.targetName = targetName
        self.xMin = xMin
        self.xMax = xMax
        self.generatedDensity = generatedDensity
        self.dataDensity = dataDensity
        self.discriminator = discriminator
        self.mapping = mapping
        self.ks = ks
        self.js = js
    }

    /// The same data with the "before" D(x) curve to show.
    public func with(previousDiscriminator curve: [Float]?) -> Gan1DPanelData {
        var copy = self
        copy.previousDiscriminator = curve
        return copy
    }
}

/// The live hyper-parameters and speed limit, shown in the status bar (keys 1–4, k/K, -/+).
public struct TrainingSettings: Sendable, Hashable {
    public var learningRateD: Float
    public var learningRateG: Float
    /// D updates per G update (0 freezes D).
    public var dStepsPerGStep: Int
    /// The throttle in steps/s; nil is full speed.
    public var speedLimit: Int?
    /// The objective's short name (ns, minimax, ls), the optimizer's (adam, sgd) and the batch size.
    public var loss: String
    public var optimizer: String
    public var batchSize: Int
    /// The GAN being trained ("mlp", "dcgan"); nil: not said.
    public var model: String?

    public init(learningRateD: Float, learningRateG: Float, dStepsPerGStep: Int, speedLimit: Int? = nil,
                loss: String = "ns", optimizer: String = "adam", batchSize: Int = 64, model: String? = nil) {
        self.model = model
        self.learningRateD = learningRateD
        self.learningRateG = learningRateG
        self.dStepsPerGStep = dStepsPerGStep
        self.speedLimit = speedLimit
        self.loss = loss
        self.optimizer = optimizer
        self.batchSize = batchSize
    }
}

/// Where explain mode stands: phase `phase` of the classic recipe (1–3) has just run, as
/// position `index` of `count` in the current step (k D rounds make a step longer than 3).
public struct ExplainStatus: Sendable, Hashable {
    public var phase: Int
    public var index: Int
    public var count: Int
    public init(phase: Int, index: Int, count: Int) {
        self.phase = phase
        self.index = index
        self.count = count
    }
}

/// What the worker publishes and the UI draws, once per frame.
public struct FrameSnapshot: Sendable, Equatable {
    public var state: TrainerState
    public var epoch: Int
    public var step: Int
    public var stepsPerSecond: Double
    public var dLoss: Float
    public var gLoss: Float
    /// Mean D(x) on a real batch.
    public var dReal: Float
    /// Mean D(G(z)) on a generated batch.
    public var dFake: Float
    public var seed: UInt64
    /// The last status message, e.g. "saved runs/…/checkpoint-step500.safetensors". Empty: none.
    public var message: String
    public var history: LossHistory
    /// 16 images, each 28×28 = 784 Floats, row-major, in [-1, 1] (-1 background, 1 ink).
    public var digits: [[Float]]
    public var gan1d: Gan1DPanelData?
    /// The quality meter's latest reading (nil until the first one, or without a classifier).
    public var quality: QualityData?
    /// nil for a snapshot without a trainer behind it (the view demo, tests): no settings shown.
    public var settings: TrainingSettings?
    /// Explain mode: the phase just run (1–3) and how many the step has; nil when off.
    public var explain: ExplainStatus?
    /// A word on the digit grid's title, e.g. what the last phase did to the digits.
    public var digitsNote: String?
    /// The grid and the 1-D panel at earlier steps (bounded), for scrubbing back.
    public var panelHistory: PanelHistory
    /// The recorded frame the grid and the 1-D panel show instead of live ones (set by the UI
    /// with `showing(_:)`); nil: live.
    public var shownFrame: PanelFrame?

    public static let digitSide = 28
    public static let digitCount = 16

    public init(state: TrainerState = .running, epoch: Int = 0, step: Int = 0,
                stepsPerSecond: Double = 0, dLoss: Float = .nan, gLoss: Float = .nan,
                dReal: Float = .nan, dFake: Float = .nan, seed: UInt64 = 0, message: String = "",
                history: LossHistory = LossHistory(), digits: [[Float]] = [],
                gan1d: Gan1DPanelData? = nil, quality: QualityData? = nil, settings: TrainingSettings? = nil,
                explain: ExplainStatus? = nil, digitsNote: String? = nil,
                panelHistory: PanelHistory = PanelHistory(), shownFrame: PanelFrame? = nil) {
        self.explain = explain
        self.digitsNote = digitsNote
        self.state = state
        self.epoch = epoch
        self.step = step
        self.stepsPerSecond = stepsPerSecond
        self.dLoss = dLoss
        self.gLoss = gLoss
        self.dReal = dReal
        self.dFake = dFake
        self.seed = seed
        self.message = message
        self.history = history
        self.digits = digits
        self.gan1d = gan1d
        self.quality = quality
        self.settings = settings
        self.panelHistory = panelHistory
        self.shownFrame = shownFrame
    }
}
