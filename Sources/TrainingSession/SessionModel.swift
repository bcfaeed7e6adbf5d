import Foundation
import GANTraining
import GANView

/// Everything the worker trains and shows: the MNIST GAN, its loss history and fixed digits,
/// and (when present) the 1-D GAN. Only the worker thread touches it.
public final class SessionModel {
    public let gan: any GANModel
    public var state: TrainerState = .running
    public private(set) var history = LossHistory()
    public internal(set) var last: StepStats?
    public internal(set) var message = ""
    public private(set) var hasDiverged = false
    /// How many bins the 1-D panel draws (set by the UI from the terminal size).
    public var panelBins = 120
    private let digits: DigitSampler
    /// The 16 fixed latent vectors of the digit grid (saved in checkpoints as `viz.latents`).
    public let latents: [Float]
    private let rate = RateMeter()
    /// Called on `save` (key `w`): returns the message to show, throws a one-line error.
    private let saver: ((SessionModel) throws -> String)?
    /// Called after every step (e.g. to append to losses.csv, or to save every N steps).
    private let onStep: ((StepStats, SessionModel) -> Void)?
    /// Called on quit (e.g. save on a clean quit).
    private let onFinish: ((SessionModel) -> Void)?
    /// Called for every change a user makes to the training (a lone D or G update, a learning
    /// rate, k) with the whole-step count and a name and value, for the run's events.csv.
    private let onEvent: ((_ step: Int, _ event: String, _ value: String) -> Void)?
    /// The throttle in steps/s (nil: full speed); the worker owns it, the model only shows it.
    public var speedLimit: Int?

    /// The paper-figure GAN, trained alongside (a few tiny steps per MNIST step).
    public private(set) var gan1d: Gan1D?
    /// Its share of the worker's time: large for its first steps after a (re)start, so that it
    /// converges while you watch, then small (see `Gan1DPacing`).
    public var gan1dPacing = Gan1DPacing(startingAt: ProcessInfo.processInfo.systemUptime)
    /// The digit grid is resampled at most this often while running (G changes little in 0.2 s).
    /// Each resample rewrites most of the half-block grid's cells, ~40 KB of colour escapes for
    /// the terminal at 160×50: at 10/s that was 400 KB/s and most of the UI's (and tmux's) CPU.
    public var digitsInterval = 0.2
    private var digitsCache: (digits: [[Float]], generatorUpdates: Int, time: Double)?
    /// The 1-D figure (10,000 samples, sorted for KS; ~1 ms) is recomputed at most this often
    /// while running, also for the history's frames.
    public var gan1dFigureInterval = 0.5
    var gan1dFigureCache: (panel: Gan1DPanelData, step: Int, bins: Int, time: Double)?
    private let gan1dSeed: UInt64
    /// The quality meter and how often it reads (every `qualityEvery` steps; under 1 % of the time).
    public let qualityMeter: QualityMeter?
    public var qualityEvery = 500
    public private(set) var quality: QualityData?
    /// The quality meter's newest reading in full, and its step (for loggers such as --tensorboard).
    public private(set) var lastMeasurement: (step: Int, measurement: QualityMeasurement)?
    /// The grid and the 1-D panel every few steps, for scrubbing back (keys `[`, `]`); bounded,
    /// see `PanelHistory` for the memory it may take.
    public private(set) var panelHistory = PanelHistory()

    public init(gan: any GANModel, latents: [Float], gan1d: Gan1D? = nil, qualityMeter: QualityMeter? = nil,
                saver: ((SessionModel) throws -> String)? = nil,
                onStep: ((StepStats, SessionModel) -> Void)? = nil,
                onFinish: ((SessionModel) -> Void)? = nil,
                onEvent: ((_ step: Int, _ event: String, _ value: String) -> Void)? = nil) {
        self.gan = gan
        self.gan1d = gan1d
        self.qualityMeter = qualityMeter
        self.gan1dSeed = gan.seed
        self.latents = latents
        self.digits = DigitSampler(model: gan, latents: latents, count: FrameSnapshot.digitCount, recomputeInterval: 2)
        self.saver = saver
        self.onStep = onStep
        self.onFinish = onFinish
        self.onEvent = onEvent
    }

    public var step: Int { gan.step }

    public func trainStep() {
        if let gan1d { trainSidePanel(gan1d) }
        finishStep(gan.trainStep())
    }

    private func trainSidePanel(_ gan1d: Gan1D) {
        gan1dPacing.runSteps(from: gan1d.step, clock: { ProcessInfo.processInfo.systemUptime }) {
            _ = gan1d.trainStep()
            return gan1d.step
        }
    }

    /// Runs a piece of 1-D work and counts its time against the panel's share.
    private func counted<T>(_ work: () -> T) -> T {
        let start = ProcessInfo.processInfo.systemUptime
        defer { gan1dPacing.charge(ProcessInfo.processInfo.systemUptime - start) }
        return work()
    }

    /// The bookkeeping of a whole step, however it was run (at once, or phase by phase).
    func finishStep(_ stats: StepStats) {
        last = stats
        rate.tick()
        history.append(step: stats.step, d: stats.dLoss, g: stats.gLoss)
        if let qualityMeter, stats.step % qualityEvery == 0, stats.isFinite {
            let m = qualityMeter.measure(step: stats.step)
            lastMeasurement = (stats.step, m)
            quality = QualityData(score: Float(m.score), classHistogram: m.classHistogram, confidence: Float(m.confidence),
                                  scoreHistory: qualityMeter.scoreHistory, collapseWarning: m.collapseWarning,
                                  frechetDistance: lastFrechetDistance)
        }
        onStep?(stats, self)
        checkDivergence(stats)
        recordPanelsIfDue()
    }

    /// Records the grid and the 1-D panel when a frame is due (always the first one, at
    /// whatever step the run starts): the digits of this very step, the 1-D figure at most
    /// `gan1dFigureInterval` old (the 1-D GAN is a side show; its figure costs ~1 ms).
    private func recordPanelsIfDue() {
        guard panelHistory.isDue(atStep: gan.step) else { return }
        panelHistory.record(PanelFrame(step: gan.step, digits: currentDigits(), gan1d: gan1dPanel()))
    }

    // MARK: - Explain mode

    /// Explain mode (key `e`): training runs one phase at a time and the message says what
    /// each did, in the classic recipe's words.
    public internal(set) var isExplaining = false
    /// Position in `gan.phasesPerStep` of the next phase (0: at a step boundary).
    var explainPosition = 0
    var explainLast: ExplainStatus?
    /// The 1-D D(x) curve just before the last phase 2, shown beside the new one.
    var discriminatorBefore: [Float]?
    var digitsNote: String?

    /// Which network a lone update trains (keys `d` and `g`).
    public enum Network: Sendable { case discriminator, generator }

    /// One update of D or G alone. It is not a step: no losses.csv row and no loss-history
    /// point (both are keyed by step), but an event, and the status bar shows what it computed.
    public func trainAlone(_ network: Network) {
        let stats = network == .discriminator ? gan.trainDiscriminatorStep() : gan.trainGeneratorStep()
        last = stats
        let (name, count) = network == .discriminator ? ("d_update", gan.adamD.step) : ("g_update", gan.adamG.step)
        onEvent?(stats.step, name, "\(count)")
        message = network == .discriminator
            ? "D alone: d_loss \(Fmt.fixed(stats.dLoss, 3)), D(x) \(Fmt.fixed(stats.dReal, 2)), D(G(z)) \(Fmt.fixed(stats.dFake, 2))"
            : "G alone: g_loss \(Fmt.fixed(stats.gLoss, 3)), D(G(z)) \(Fmt.fixed(stats.dFake, 2)) before the update"
        checkDivergence(stats)
    }

    func checkDivergence(_ stats: StepStats) {
        if !stats.isFinite {
            hasDiverged = true
            message = "diverged at step \(stats.step): d_loss \(stats.dLoss), g_loss \(stats.gLoss); paused"
        } else if stats.step % MNISTGAN.stateCheckInterval == 0, !gan.stateIsFinite {
            hasDiverged = true
            message = "diverged at step \(stats.step): the weights or Adam's moments overflowed; paused"
        }
    }

    /// The range a learning rate may be scaled within: halving or doubling for ever would
    /// underflow to 0 or blow Adam up, and neither teaches anything.
    public static let learningRateRange: ClosedRange<Float> = 1e-7 ... 1

    /// Scales D's or G's Adam learning rate (keys 1–4); used from the next update on.
    public func scaleLearningRate(_ network: Network, by factor: Float) {
        let old = network == .discriminator ? gan.adamD.learningRate : gan.adamG.learningRate
        let new = min(max(old * factor, Self.learningRateRange.lowerBound), Self.learningRateRange.upperBound)
        let name = network == .discriminator ? "lr_d" : "lr_g"
        guard new != old else { message = "\(name) is at its limit (\(old))"; return }
        if network == .discriminator { gan.adamD.learningRate = new } else { gan.adamG.learningRate = new }
        onEvent?(gan.step, name, "\(new)")
        message = "\(name) \(old) → \(new) from the next update"
    }

    /// Changes D steps per G step by `delta`, within 0–10 (keys k / K).
    public func adjustDSteps(by delta: Int) {
        let new = min(max(gan.dStepsPerGStep + delta, 0), 10)
        guard new != gan.dStepsPerGStep else { message = "D steps per G step stays \(new) (0–10)"; return }
        gan.dStepsPerGStep = new
        onEvent?(gan.step, "d_steps", "\(new)")
        message = new == 0 ? "D steps per G step 0: D is frozen" : "D steps per G step \(new) from the next step"
    }

    /// Batch sizes the `b`/`B` keys step through; the UI's buffers are sized for the largest.
    public static let batchSizeChoices = [16, 32, 64, 128, 256]

    /// Next objective: ns → minimax → ls (key `l`).
    public func cycleLoss() {
        let new = gan.configuration.loss.next
        gan.configuration.loss = new
        onEvent?(gan.step, "loss", new.rawValue)
        message = "loss: \(new.description) from the next update"
    }

    /// Adam ↔ SGD (key `o`).
    public func cycleOptimizer() {
        let new = gan.configuration.optimizer.next
        gan.configuration.optimizer = new
        onEvent?(gan.step, "optimizer", new.rawValue)
        message = new == .sgd
            ? "optimizer: SGD at the same learning rates (SGD usually wants far larger ones: keys 2 and 4 double them)"
            : "optimizer: Adam, its moments as they were"
    }

    /// Next smaller (-1) or larger (+1) batch size within the buffers (keys b / B).
    public func stepBatchSize(by direction: Int) {
        let choices = Self.batchSizeChoices.filter { $0 <= gan.batchCapacity }
        let current = gan.configuration.batchSize
        let new = direction < 0 ? choices.last { $0 < current } : choices.first { $0 > current }
        guard let new else { message = "batch size stays \(current) (\(choices.first ?? current)–\(choices.last ?? current))"; return }
        gan.configuration.batchSize = new
        onEvent?(gan.step, "batch_size", "\(new)")
        message = "batch size \(current) → \(new) from the next step"
    }

    public func save() {
        guard let saver else { message = "saving is not available"; return }
        do { message = try saver(self) } catch { message = "save failed: \(error)" }
    }

    /// Restarts the 1-D GAN on the next target (key `t`).
    public func cycleTarget() {
        let target = (gan1d?.target ?? .normal).next
        gan1d = Gan1D(target: target, seed: gan1dSeed)
        gan1dFigureCache = nil
        message = "1-D target: \(target)"
    }

    /// The 1-D panel's data at the UI's resolution: while running, up to `gan1dFigureInterval`
    /// old; otherwise for the current 1-D step.
    public func gan1dPanel() -> Gan1DPanelData? {
        guard let gan1d else { return nil }
        let now = ProcessInfo.processInfo.systemUptime
        if let c = gan1dFigureCache, c.bins == panelBins,
           c.step == gan1d.step || (state == .running && now - c.time < gan1dFigureInterval) {
            return c.panel
        }
        let bins = panelBins
        let f = counted { Gan1DFigure.compute(gan1d, bins: bins) }
        let panel = Gan1DPanelData(targetName: f.target.description, xMin: f.xMin, xMax: f.xMax,
                              generatedDensity: f.generatedDensity, dataDensity: f.dataDensity,
                              discriminator: f.discriminator,
                              mapping: zip(f.mapping, f.push).map { MappingPoint(z: $0.z, x: $0.x, push: $1) }, ks: f.ks, js: f.js)
        gan1dFigureCache = (panel, gan1d.step, panelBins, now)
        return panel
    }

    /// The Fréchet distance measured at the last save, shown in the quality panel until the next.
    public func showFrechetDistance(_ fd: Float) {
        lastFrechetDistance = fd
        quality?.frechetDistance = fd
    }
    private var lastFrechetDistance: Float?

    public func finish() { onFinish?(self) }

    public func setMessage(_ text: String) { message = text }

    /// The digits for a frame: fresh when G has changed and the last sample is older than
    /// `digitsInterval` (or training is not running), else the last ones.
    private func displayedDigits() -> [[Float]] {
        let now = ProcessInfo.processInfo.systemUptime
        if let c = digitsCache, state == .running && !isExplaining && now - c.time < digitsInterval {
            return c.digits
        }
        return currentDigits()
    }

    /// The current G output for the 16 fixed latents, one 784-float image each; computed once per
    /// G update however many callers (the frame, the history, a save) ask for it.
    public func currentDigits() -> [[Float]] {
        if let c = digitsCache, c.generatorUpdates == gan.generatorUpdates { return c.digits }
        let flat = digits.generate()
        let fresh = (0 ..< FrameSnapshot.digitCount).map { i in Array(flat[i * 784 ..< (i + 1) * 784]) }
        digitsCache = (fresh, gan.generatorUpdates, ProcessInfo.processInfo.systemUptime)
        return fresh
    }

    public func snapshot() -> FrameSnapshot {
        recordPanelsIfDue()  // the first frame, before any step
        return FrameSnapshot(state: state, epoch: last?.epoch ?? gan.sampler.epoch, step: gan.step,
                      stepsPerSecond: state == .running ? rate.perSecond : 0,
                      dLoss: last?.dLoss ?? .nan, gLoss: last?.gLoss ?? .nan,
                      dReal: last?.dReal ?? .nan, dFake: last?.dFake ?? .nan,
                      seed: gan.seed, message: message, history: history,
                      digits: displayedDigits(),
                      gan1d: gan1dPanel()?.with(previousDiscriminator: explainLast?.phase == 2 ? discriminatorBefore : nil),
                      quality: quality,
                      settings: TrainingSettings(learningRateD: gan.adamD.learningRate, learningRateG: gan.adamG.learningRate,
                                                 dStepsPerGStep: gan.dStepsPerGStep, speedLimit: speedLimit,
                                                 loss: gan.configuration.loss.rawValue, optimizer: gan.configuration.optimizer.rawValue,
                                                 batchSize: gan.configuration.batchSize, model: gan.kind.rawValue),
                      explain: isExplaining ? explainLast ?? ExplainStatus(phase: 0, index: 0, count: gan.phasesPerStep.count) : nil,
                      digitsNote: digitsNote, panelHistory: panelHistory)
    }
}

/// Steps per second over the last couple of seconds (a window, so pauses age out quickly).
final class RateMeter {
    private var times: [Double] = []
    private var head = 0
    private let window = 2.0

    func tick() {
        let now = ProcessInfo.processInfo.systemUptime
        times.append(now)
        while head < times.count && now - times[head] > window { head += 1 }
        if head > 4096 { times.removeFirst(head); head = 0 }
    }

    var perSecond: Double {
        let live = times.count - head
        guard live >= 2 else { return 0 }
        let span = times[times.count - 1] - times[head]
        return span > 0 ? Double(live - 1) / span : 0
    }
}
