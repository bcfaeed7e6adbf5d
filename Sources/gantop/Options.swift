import ArgumentParser
import Foundation
import GANTraining
import NeuralNet

/// Where the MNIST data comes from.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: ArgumentHelp("Folder with the MNIST .gz files (default: $GANTOP_DATA, then ./assets/mnist, then next to the executable).", valueName: "dir"))
    var directory: String?

    @Option(name: .customLong("limit-images"), parsing: .unconditional, help: ArgumentHelp("Train on the first N images only (quick runs and tests).", valueName: "n"))
    var limitImages: Int?

    func validate() throws {
        if let n = limitImages, n < 1 { throw ValidationError("--limit-images must be at least 1 (got \(n))") }
    }

    func loadTrainingImages() throws -> MNISTImages {
        let folder = try MNISTLocator.locate(explicit: directory)
        let images = try MNISTLoader.loadTrainingImages(from: folder)
        if let n = limitImages { return images.prefix(n) }
        return images
    }
}

extension GANRecipe: ExpressibleByArgument {}
extension GANLoss: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension GANModelKind: ExpressibleByArgument {}
extension SamplingStatistics: ExpressibleByArgument {}
extension DCGANInitialisation: ExpressibleByArgument {}
extension DiscriminatorNormalisation: ExpressibleByArgument {}

/// The recipe and its hyper-parameters, each overridable for experiments.
struct HyperParameterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The GAN: mlp (default) or dcgan (the convolutional one of issue #19); on resume, the checkpoint's.", valueName: "model"))
    var model: GANModelKind?

    @Option(name: .customLong("sample-bn"), help: ArgumentHelp("The DCGAN's BatchNorm statistics when sampling (screen, quality meter, saves): running (default, eval mode), batch (each batch's own), recompute (fresh ones from 2,048 latents, then eval mode).", valueName: "stats"))
    var samplingStatistics: SamplingStatistics?

    @Option(name: .customLong("init"), help: ArgumentHelp("The DCGAN's initial weights: dcgan (default, N(0, 0.02)) or pytorch (PyTorch's layer defaults).", valueName: "scheme"))
    var initialisation: DCGANInitialisation?

    @Option(name: .customLong("d-norm"), help: ArgumentHelp("The DCGAN's D after its second convolution: batch (default, BatchNorm2d) or none; on resume, the checkpoint's.", valueName: "norm"))
    var discriminatorNormalisation: DiscriminatorNormalisation?

    @Option(name: .customLong("g-hidden"), parsing: .unconditional, help: ArgumentHelp("The DCGAN's G with InfoGAN's fully connected layer of this width in front (Linear, BatchNorm, ReLU); 0: the spec's none; on resume, the checkpoint's.", valueName: "n"))
    var generatorHidden: Int?

    @Option(name: .customLong("d-hidden"), parsing: .unconditional, help: ArgumentHelp("The DCGAN's D with InfoGAN's fully connected layer of this width before its logit (Linear, BatchNorm, LeakyReLU); 0: the spec's none; on resume, the checkpoint's.", valueName: "n"))
    var discriminatorHidden: Int?

    @Option(name: .customLong("info-categories"), parsing: .unconditional, help: ArgumentHelp("The DCGAN with InfoGAN's categorical code: the last K latents one-hot, and a Q head on D's hidden layer (needs --d-hidden) that learns, with G, to read the category back; 0: none; on resume, the checkpoint's.", valueName: "k"))
    var infoCategories: Int?

    @Option(help: ArgumentHelp("tuned (default): the MLP at batch 128 with label smoothing and an averaged G to sample from, the DCGAN with InfoGAN's fully connected layers and 10-category code, G's learning rate doubled and an averaged G (--g-hidden 1024 --d-hidden 1024 --info-categories 10 --lr-g 4e-4 --g-average 0.999); reference: the exact spec (what `gantop bench` times).", valueName: "recipe"))
    var recipe: GANRecipe?

    @Option(name: .customLong("g-loss"), help: ArgumentHelp("The objective: ns (non-saturating, default), minimax (the paper's saturating one), ls (least squares, D and G).", valueName: "loss"))
    var loss: GANLoss?

    @Option(help: ArgumentHelp("adam (default) or sgd (plain SGD at the same learning rates).", valueName: "name"))
    var optimizer: OptimizerKind?

    @Option(name: .customLong("real-label"), parsing: .unconditional, help: ArgumentHelp("D's target on real images (1 = no smoothing; tuned: 0.9).", valueName: "y"))
    var realLabel: Float?

    @Option(name: .customLong("g-average-warmup"), parsing: .unconditional, help: ArgumentHelp("The average's warm-up h: it spans about the last t/(h−1) of t updates until the decay caps it (default 10).", valueName: "h"))
    var generatorAverageWarmup: Float?

    @Option(name: .customLong("lr-anneal"), help: ArgumentHelp("Learning rates fall linearly from ×1 at step START to ×FACTOR at step END, then stay; 'none' for constant rates.", valueName: "START:END:FACTOR"))
    var learningRateAnnealing: String?

    @Option(name: .customLong("d-dropout"), parsing: .unconditional, help: ArgumentHelp("Dropout rate on D's hidden layers (default 0).", valueName: "p"))
    var discriminatorDropout: Float?

    @Option(name: .customLong("g-average"), parsing: .unconditional, help: ArgumentHelp("Decay of the moving average of G's weights that samples are drawn from, 0 for none (tuned: 0.999).", valueName: "decay"))
    var generatorAverageDecay: Float?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Real (and fake) samples per step (tuned: 128, reference: 64).")
    var batchSize: Int?

    @Option(name: .customLong("lr-d"), parsing: .unconditional, help: ArgumentHelp("D's Adam learning rate (default 2e-4).", valueName: "rate"))
    var learningRateD: Float?

    @Option(name: .customLong("lr-g"), parsing: .unconditional, help: ArgumentHelp("G's Adam learning rate (default 2e-4; the tuned DCGAN's 4e-4).", valueName: "rate"))
    var learningRateG: Float?

    @Option(name: .customLong("beta1"), parsing: .unconditional, help: ArgumentHelp("Adam's β1 for D and G (default 0.5).", valueName: "b"))
    var beta1: Float?

    @Option(name: .customLong("d-steps"), parsing: .unconditional, help: ArgumentHelp("D updates per G update, 0–10 (default 1; 0 freezes D).", valueName: "k"))
    var dSteps: Int?

    func validate() throws {
        if let k = dSteps, !(0 ... 10).contains(k) {
            throw ValidationError("--d-steps must be between 0 and 10 (got \(k))")
        }
        if let b = batchSize, !(1 ... 4096).contains(b) {
            throw ValidationError("--batch-size must be between 1 and 4096 (got \(b))")
        }
        if let y = realLabel, !(y > 0.5 && y <= 1) {
            throw ValidationError("--real-label must be in (0.5, 1] (got \(y))")
        }
        if let text = learningRateAnnealing, text != "none", LearningRateAnnealing(text: text) == nil {
            throw ValidationError("--lr-anneal must be START:END:FACTOR with 0 ≤ START < END and 0 < FACTOR ≤ 1, or none (got '\(text)')")
        }
        if let b = beta1, !(b >= 0 && b < 1) {
            throw ValidationError("--beta1 must be in [0, 1) (got \(b))")
        }
        if let h = generatorAverageWarmup, !(h > 1 && h.isFinite) {
            throw ValidationError("--g-average-warmup must be a number above 1 (got \(h))")
        }
        if let p = discriminatorDropout, !(p >= 0 && p < 1) {
            throw ValidationError("--d-dropout must be in [0, 1) (got \(p))")
        }
        if let d = generatorAverageDecay, !(d >= 0 && d < 1) {
            throw ValidationError("--g-average must be in [0, 1), 0 for none (got \(d))")
        }
        for (name, value) in [("--lr-d", learningRateD), ("--lr-g", learningRateG)] {
            if let v = value, !(v.isFinite && v > 0) {
                throw ValidationError("\(name) must be a positive finite number (got \(v))")
            }
        }
    }

    /// A fresh run's model and configuration: the recipe (tuned unless given), then every explicit option.
    func freshConfiguration() throws -> (model: GANModelKind, configuration: GANConfiguration) {
        let kind = model ?? .mlp
        var c = GANConfiguration(recipe: recipe ?? .tuned, model: kind)
        apply(to: &c, model: kind)
        // The networks' layers are fixed for a run: only a fresh one takes --d-norm, --g-hidden and
        // --d-hidden (a resume keeps the checkpoint's).
        if let discriminatorNormalisation { c.discriminatorNormalisation = discriminatorNormalisation }
        if let generatorHidden { c.generatorHidden = generatorHidden }
        if let discriminatorHidden { c.discriminatorHidden = discriminatorHidden }
        if let infoCategories { c.infoCategories = infoCategories }
        if kind == .mlp, initialisation != nil || samplingStatistics != nil || discriminatorNormalisation != nil
            || generatorHidden != nil || discriminatorHidden != nil || infoCategories != nil {
            throw ValidationError("--init, --sample-bn, --d-norm, --g-hidden, --d-hidden and --info-categories are options of the DCGAN (--model dcgan)")
        }
        if let reason = kind.refusal(c) { throw ValidationError("--model \(kind.rawValue): \(reason)") }
        return (kind, c)
    }

    /// Applies what was given on the command line; on resume, a given `--recipe` replaces the
    /// checkpoint's smoothing and averaging, and anything not given stays as saved.
    func apply(to configuration: inout GANConfiguration, model kind: GANModelKind) {
        if let recipe {
            let r = GANConfiguration(recipe: recipe, model: kind)
            configuration.batchSize = r.batchSize
            configuration.realLabel = r.realLabel
            configuration.generatorAverageDecay = r.generatorAverageDecay
        }
        if let loss { configuration.loss = loss }
        if let optimizer { configuration.optimizer = optimizer }
        if let realLabel { configuration.realLabel = realLabel }
        if let p = discriminatorDropout { configuration.discriminatorDropout = p }
        if let h = generatorAverageWarmup { configuration.generatorAverageWarmup = h }
        if let text = learningRateAnnealing { configuration.learningRateAnnealing = LearningRateAnnealing(text: text) }
        if let d = generatorAverageDecay { configuration.generatorAverageDecay = d > 0 ? d : nil }
        if let b = batchSize { configuration.batchSize = b }
        if let lr = learningRateD { configuration.learningRateD = lr }
        if let lr = learningRateG { configuration.learningRateG = lr }
        if let beta1 { configuration.beta1 = beta1 }
        if let samplingStatistics { configuration.samplingStatistics = samplingStatistics }
        if let initialisation { configuration.initialisation = initialisation }
    }

    /// D steps per G step: the option, else what the checkpoint ran with, else the recipe's 1.
    func dStepsPerGStep(checkpoint metadata: [String: String] = [:]) -> Int {
        if let dSteps { return dSteps }
        if let saved = metadata["d_steps"].flatMap(Int.init), (0 ... 10).contains(saved) { return saved }
        return 1
    }
}

/// A seed from the command line, or a fresh one that is printed so the run can be repeated.
func resolveSeed(_ seed: UInt64?) -> (seed: UInt64, chosen: Bool) {
    if let seed { return (seed, false) }
    return (UInt64.random(in: 1 ... 999_999), true)
}

/// Writes a line to standard error (Swift 6 forbids touching Glibc's `stderr` global directly).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes a line to standard output at once (unbuffered: a pipe reader sees progress live,
/// and nothing is lost if the process is killed).
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The quality meter's options (shared by the UI and headless runs).
struct QualityOptions: ParsableArguments {
    @Option(name: .customLong("quality-every"), parsing: .unconditional, help: ArgumentHelp("Measure sample quality (MNIST score, classes) every K steps; 0 turns it off.", valueName: "k"))
    var every = 500

    @Option(name: .customLong("classifier"), help: ArgumentHelp("The digit classifier's weights (default assets/classifier.safetensors).", valueName: "file"))
    var weights: String?

    func validate() throws {
        if every < 0 { throw ValidationError("--quality-every must be 0 or more (got \(every))") }
    }

    /// The meter, or nil when turned off; a missing classifier is an error only if it was named.
    func meter(for gan: any GANModel, data: DataOptions) throws -> QualityMeter? {
        guard every > 0 else { return nil }
        let url: URL
        if let weights {
            guard FileManager.default.fileExists(atPath: weights) else { throw ValidationError("--classifier \(weights): no such file") }
            url = URL(fileURLWithPath: weights)
        } else {
            guard let found = try? MNISTClassifier.locateWeights(explicit: nil) else { return nil }
            url = found
        }
        let classifier = try MNISTClassifier.load(from: url, maxRows: 1000)
        let meter = QualityMeter(model: gan, classifier: classifier, seed: gan.seed)
        let folder = try MNISTLocator.locate(explicit: data.directory)
        meter.referenceImages = { try MNISTLoader.loadTestImages(from: folder) }
        return meter
    }
}
