import NeuralNet
import Layers

/// The recipes `--recipe` names.
public enum GANRecipe: String, CaseIterable, Sendable {
    case tuned, reference
}

/// The reference MLP GAN's specification. Benchmarks and the reference implementations in
/// `benchmarks/reference/` compare against exactly these defaults.
public struct GANConfiguration: Sendable, Equatable {
    public var latentSize = 100
    public var batchSize = 64
    public var learningRateD: Float = 2e-4
    public var learningRateG: Float = 2e-4
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var leakySlope: Float = 0.2
    /// The objective (`--g-loss`); the reference is the non-saturating one.
    public var loss: GANLoss = .nonSaturating
    /// The update rule of both networks (`--optimizer`); SGD uses the same learning rates.
    public var optimizer: OptimizerKind = .adam
    /// D's target for real images: 1 in the reference recipe; below 1 is one-sided label
    /// smoothing (Salimans et al. 2016), which keeps D from growing over-confident on real data.
    public var realLabel: Float = 1
    /// Decay of the moving average of G's weights that the screen, the quality meter and
    /// exports sample from; nil samples from G itself, as the reference recipe does.
    public var generatorAverageDecay: Float?
    /// The average's warm-up: it spans about the last t/(warmup − 1) updates until the decay caps it.
    public var generatorAverageWarmup: Float = 10
    /// Learning-rate annealing: both rates fall linearly from ×1 at step `start` to ×`factor` at
    /// step `end` and stay there (the second-half linear decay of pix2pix and CycleGAN); nil: constant.
    public var learningRateAnnealing: LearningRateAnnealing?
    /// Dropout rate on D's hidden layers (0: none, the reference), in both of D's passes.
    public var discriminatorDropout: Float = 0
    /// The DCGAN's BatchNorm statistics when sampling (the screen, the quality meter, exports):
    /// the running ones (PyTorch's eval mode, the default) or each sampled batch's own.
    public var samplingStatistics: SamplingStatistics = .running
    /// The DCGAN's initial weights: DCGAN's N(0, 0.02) (the spec) or PyTorch's defaults.
    public var initialisation: DCGANInitialisation = .dcgan
    /// The DCGAN's D: with its BatchNorm2d (the spec) or without (`nn.Identity` in its place).
    public var discriminatorNormalisation: DiscriminatorNormalisation = .batch
    /// The DCGAN's hidden fully connected layers (InfoGAN's MNIST G and D; 0: the spec's none),
    /// fixed for a run like D's normalisation.
    public var generatorHidden = 0
    public var discriminatorHidden = 0
    /// The DCGAN's InfoGAN categorical code: that many categories in the last latents, with Q on
    /// D's hidden layer (0: none, the spec); fixed for a run.
    public var infoCategories = 0

    /// The DCGAN these settings build.
    public var dcganArchitecture: DCGANArchitecture {
        DCGANArchitecture(discriminatorBatchNorm: discriminatorNormalisation == .batch,
                          generatorHidden: generatorHidden, discriminatorHidden: discriminatorHidden,
                          infoCategories: infoCategories)
    }

    public init() {}

    /// A named starting point: `reference` is the exact recipe (the benchmark's),
    /// `tuned` adds standard, documented GAN practice on top (see docs/recipe.md).
    public init(recipe: GANRecipe, model: GANModelKind = .mlp) {
        switch (recipe, model) {
        case (.reference, _): break
        case (.tuned, .mlp):
            batchSize = 128
            realLabel = 0.9
            generatorAverageDecay = 0.999
        case (.tuned, .dcgan):
            // The recipe study's (docs/dcgan.md): InfoGAN's fully connected layer on both sides
            // (fourth screening), its categorical code and G's doubled learning rate (sixth), and
            // sampling from G's weight average; the rest of the training is the spec's.
            generatorHidden = 1024
            discriminatorHidden = 1024
            infoCategories = 10
            learningRateG = 4e-4
            generatorAverageDecay = 0.999
        }
    }

    /// What this configuration adds to the reference recipe, in words ("reference" when nothing),
    /// for the line a run starts with.
    public var recipeDescription: String {
        var parts: [String] = []
        if batchSize != GANConfiguration().batchSize { parts.append("batch \(batchSize)") }
        if realLabel != 1 { parts.append("real label \(realLabel)") }
        if let d = generatorAverageDecay { parts.append("G average \(d)") }
        if discriminatorDropout > 0 { parts.append("D dropout \(discriminatorDropout)") }
        if let a = learningRateAnnealing { parts.append("learning rates ×\(a.factor) from step \(a.start) to \(a.end)") }
        if loss != .nonSaturating { parts.append("\(loss.description) loss") }
        if optimizer != .adam { parts.append("\(optimizer.rawValue)") }
        if beta1 != GANConfiguration().beta1 { parts.append("Adam β1 \(beta1)") }
        if samplingStatistics != .running { parts.append("sampling with \(samplingStatistics.rawValue) BatchNorm statistics") }
        if initialisation != .dcgan { parts.append("\(initialisation.rawValue) initialisation") }
        if discriminatorNormalisation != .batch { parts.append("D without BatchNorm") }
        if generatorHidden > 0 { parts.append("G hidden layer \(generatorHidden)") }
        if discriminatorHidden > 0 { parts.append("D hidden layer \(discriminatorHidden)") }
        if infoCategories > 0 { parts.append("a \(infoCategories)-category code") }
        return parts.isEmpty ? "reference recipe" : "reference recipe + " + parts.joined(separator: ", ")
    }

    /// G: 100 → 256 → 512 → 1024 → 784, LeakyReLU(0.2) between, tanh out.
    public var generatorLayers: [MLP.Layer] {
        let leaky = Activation.leakyReLU(slope: leakySlope)
        return [
            MLP.Layer(latentSize, 256, leaky),
            MLP.Layer(256, 512, leaky),
            MLP.Layer(512, 1024, leaky),
            MLP.Layer(1024, MNISTImages.pixelsPerImage, .tanh),
        ]
    }

    /// D: 784 → 512 → 256 → 1, LeakyReLU(0.2) between, a logit out.
    public var discriminatorLayers: [MLP.Layer] {
        let leaky = Activation.leakyReLU(slope: leakySlope)
        return [
            MLP.Layer(MNISTImages.pixelsPerImage, 512, leaky),
            MLP.Layer(512, 256, leaky),
            MLP.Layer(256, 1, .identity),
        ]
    }

    /// Multiply–adds of one training step, counted the way the step really runs: G forward once
    /// (its fakes are reused in phase 3), D forward/backward over 2B rows, D forward and
    /// input-only backward over B rows, G backward. ×2 for FLOPs.
    public var flopsPerStep: Double {
        let b = Double(batchSize)
        func macs(_ layers: [MLP.Layer]) -> Double { layers.reduce(0) { $0 + Double($1.inputs * $1.outputs) } }
        let g = macs(generatorLayers), d = macs(discriminatorLayers)
        let dFirst = Double(discriminatorLayers[0].inputs * discriminatorLayers[0].outputs)
        let gFirst = Double(generatorLayers[0].inputs * generatorLayers[0].outputs)
        let gForward = g * b
        let gBackward = (2 * g - gFirst) * b          // weight grads everywhere, no input grad at z
        let dPhase2 = d * 2 * b + (2 * d - dFirst) * 2 * b
        let dPhase3 = d * b + d * b                    // forward, input gradient only
        return 2 * (gForward + gBackward + dPhase2 + dPhase3)
    }
}

/// What normalises the DCGAN's D after its second convolution (`--d-norm`).
public enum DiscriminatorNormalisation: String, CaseIterable, Sendable {
    /// BatchNorm2d(128), the spec.
    case batch
    /// Nothing (`nn.Identity`, no tensors: the state dict has no `D.3.*`).
    case none
}

/// How the DCGAN's weights start (`--init`).
public enum DCGANInitialisation: String, CaseIterable, Sendable {
    /// Radford et al.'s N(0, 0.02) for every conv and linear weight, BatchNorm γ N(1, 0.02).
    case dcgan
    /// PyTorch's `reset_parameters`: U(±1/√fan_in) weights and biases, BatchNorm γ 1, β 0.
    case pytorch
}

/// Which statistics the DCGAN's BatchNorm layers normalise with when sampling.
public enum SamplingStatistics: String, CaseIterable, Sendable {
    /// The running mean and variance (`model.eval()` in PyTorch).
    case running
    /// The statistics of the batch being sampled (`model.train()` without updating the running ones);
    /// samples are drawn in chunks of up to 100, so each chunk is normalised by itself.
    case batch
    /// Fresh statistics of the sampled G's weights, then eval mode: the running ones reset and
    /// recomputed over `recomputeBatches` batches of `recomputeBatch` latents from a fixed seed
    /// (PyTorch: `momentum = None`, a cumulative average of the batch means and unbiased variances).
    case recompute

    public static let recomputeBatches = 32
    public static let recomputeBatch = 64
    public static let recomputeSeed: UInt64 = 0xB4_7C_57A7
}

/// A linear fall of the learning rates between two steps (see `GANConfiguration.learningRateAnnealing`).
public struct LearningRateAnnealing: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public var factor: Float

    public init(start: Int, end: Int, factor: Float) {
        precondition(start >= 0 && end > start && factor > 0 && factor <= 1)
        self.start = start
        self.end = end
        self.factor = factor
    }

    /// The multiplier of the learning rates at `step`.
    public func scale(atStep step: Int) -> Float {
        if step <= start { return 1 }
        if step >= end { return factor }
        return 1 + (factor - 1) * Float(step - start) / Float(end - start)
    }

    /// "10000:20000:0.1", as the option and the checkpoint's metadata write it.
    public var text: String { "\(start):\(end):\(factor)" }

    public init?(text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let s = Int(parts[0]), let e = Int(parts[1]), let f = Float(parts[2]),
              s >= 0, e > s, f > 0, f <= 1 else { return nil }
        self.init(start: s, end: e, factor: f)
    }
}
