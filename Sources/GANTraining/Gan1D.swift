import Foundation
import NeuralNet

/// The small 1-D GAN of the paper-figure panel, in a configuration that really converges.
///
/// The naive set-up (plain MLPs on raw x) gets the mean right but collapses the spread. What fixes
/// it, each a standard, documented technique (see docs/gan1d.md for the measurements):
/// - fixed affine maps from the target's known range: G's output is `c + s·out`, D sees `(x − c)/s`
///   (a change of units, not a fit: c and s are constants of the target);
/// - the minibatch-stddev feature (Karras et al. 2018): D also sees the batch's standard deviation,
///   so a G whose samples are too narrow or too wide is caught at once;
/// - an exponential moving average of G's weights (Yazıcı et al. 2019), β = 0.999, for what is shown
///   and measured: it removes the last wobble of the adversarial game;
/// - an R1 gradient penalty on real data (γ = 1) and a learning-rate drop to 3e-4 after 5,000 steps,
///   which bring the harder targets (bimodal, lognormal) to converge as well.
/// G still learns only through D's gradient: no moments or CDFs are fitted directly.
public final class Gan1D {
    public struct Configuration: Sendable, Equatable {
        public var batchSize = 256
        public var learningRateD: Float = 1e-3
        public var learningRateG: Float = 1e-3
        public var beta1: Float = 0.5
        public var beta2: Float = 0.999
        public var emaDecay: Float = 0.999
        /// R1 gradient penalty weight γ on real data (Mescheder et al. 2018); 0 turns it off.
        public var r1Weight: Float = 1
        /// Both learning rates drop to `droppedLearningRate` from this step on (Adam's moments kept).
        public var learningRateDropStep = 5_000
        public var droppedLearningRate: Float = 3e-4
        public init() {}
    }

    public let target: Target1D
    public let configuration: Configuration
    public let generator: MLP
    public let discriminator: MLP
    /// The EMA copy of G's weights, and a network reading them (for samples, KS, the panel).
    public let averagedGenerator: MLP
    public var adamG: Adam
    public var adamD: Adam
    public var rng: RandomGenerator
    public private(set) var step = 0
    /// The fixed affine map: x = centre + scale · (G's raw output).
    public let centre: Float
    public let scale: Float

    private let arena: FloatArena
    private let noise: Matrix           // B × 1
    private let features: Matrix        // B × 2: [x normalised, batch std]
    private let normalised: Matrix      // B × 1 scratch: (x − c)/s
    private let penalty: R1Workspace
    private static let stdEpsilon: Float = 1e-8

    public init(target: Target1D, seed: UInt64, configuration: Configuration = Configuration()) {
        self.target = target
        self.configuration = configuration
        let b = configuration.batchSize
        let leaky = Activation.leakyReLU(slope: 0.2)
        generator = MLP(layers: [MLP.Layer(1, 16, leaky), MLP.Layer(16, 16, leaky), MLP.Layer(16, 1, .identity)],
                        maxRows: b, namePrefix: "gan1d.g.")
        discriminator = MLP(layers: [MLP.Layer(2, 32, leaky), MLP.Layer(32, 32, leaky), MLP.Layer(32, 1, .identity)],
                            maxRows: b, namePrefix: "gan1d.d.")
        let ema = ParameterSet(shapes: generator.parameters.entries.map { ($0.name, $0.shape) })
        averagedGenerator = MLP(layers: generator.layers, maxRows: Gan1DFigure.sampleCount, sharing: ema)
        var initRNG = RandomGenerator(seed: seed ^ 0x1D1D)
        generator.initialiseGlorotUniform(rng: &initRNG)
        discriminator.initialiseGlorotUniform(rng: &initRNG)
        ema.values.update(from: generator.parameters.values, count: ema.count)
        rng = RandomGenerator(seed: seed ^ 0x1D_5EED)
        let range = target.knownRange
        centre = Float((range.lowerBound + range.upperBound) / 2)
        scale = Float((range.upperBound - range.lowerBound) / 2)
        arena = FloatArena(capacity: FloatArena.capacity(for: [(b, 1), (b, 2), (b, 1)]))
        noise = arena.matrix(rows: b, cols: 1)
        features = arena.matrix(rows: b, cols: 2)
        normalised = arena.matrix(rows: b, cols: 1)
        penalty = R1Workspace(rows: b, hidden: 32)
        let c = configuration
        adamG = Adam(learningRate: c.learningRateG, beta1: c.beta1, beta2: c.beta2)
        adamD = Adam(learningRate: c.learningRateD, beta1: c.beta1, beta2: c.beta2)
    }

    /// One step of the classic recipe; returns (d_loss, g_loss).
    @discardableResult
    public func trainStep() -> (dLoss: Float, gLoss: Float) {
        run(.generate)
        run(.trainDiscriminator)
        return run(.trainGenerator)
    }

    /// D's loss from the last phase 2 (phase 3 reports it with G's).
    private var pendingDiscriminatorLoss = Float.nan

    /// One phase of the step (explain mode runs them a second apart); the three in order are
    /// exactly `trainStep()`. Returns the losses computed so far in this step (NaN: not yet).
    @discardableResult
    public func run(_ phase: TrainingPhase) -> (dLoss: Float, gLoss: Float) {
        let b = configuration.batchSize
        switch phase {
        case .generate:
            // (1) G makes fakes (they stay in G's output buffer until phase 2).
            let late = step >= configuration.learningRateDropStep
            adamD.learningRate = late ? configuration.droppedLearningRate : configuration.learningRateD
            adamG.learningRate = late ? configuration.droppedLearningRate : configuration.learningRateG
            rng.fillUniform(noise.buffer, -1, 1)
            generator.forward(noise)
            return (.nan, .nan)
        case .trainDiscriminator:
            // (2) D learns on a real batch (label 1), then the fake batch (label 0): two
            // batches, because the stddev feature is a property of each batch.
            let fakeRaw = generator.layerOutput(generator.layers.count - 1, rows: b)
            fillRealNormalised()
            buildFeatures(from: normalised)
            let realLoss = discriminatorPass(label: 1, accumulate: false).loss
            if configuration.r1Weight > 0 { addR1Gradient() }
            normalised.copy(from: fakeRaw)  // G's raw output is already in D's units: (x − c)/s = raw
            buildFeatures(from: normalised)
            let fakeLoss = discriminatorPass(label: 0, accumulate: true).loss
            adamD.update(discriminator.parameters)
            pendingDiscriminatorLoss = realLoss + fakeLoss
            return (pendingDiscriminatorLoss, .nan)
        case .trainGenerator:
            // (3) G through frozen D on fresh noise, fakes labelled real (non-saturating loss).
            rng.fillUniform(noise.buffer, -1, 1)
            normalised.copy(from: generator.forward(noise))
            let std = buildFeatures(from: normalised)
            let logits = discriminator.forward(features)
            let gLoss = BinaryCrossEntropy.meanLossAndGradient(logits: logits, targets: { _ in 1 },
                                                               gradient: discriminator.outputGradient(rows: b)).loss
            discriminator.backward(input: features, weightGradients: false, inputGradient: true)
            featuresBackward(std: std, into: generator.outputGradient(rows: b))
            generator.backward(input: noise)
            adamG.update(generator.parameters)
            updateAverage()
            step += 1
            defer { pendingDiscriminatorLoss = .nan }
            return (pendingDiscriminatorLoss, gLoss)
        }
    }

    /// D forward + backward on the current `features` with one label for the whole batch.
    private func discriminatorPass(label: Float, accumulate: Bool) -> (loss: Float, meanProbability: Float) {
        let b = configuration.batchSize
        let logits = discriminator.forward(features)
        let result = BinaryCrossEntropy.meanLossAndGradient(logits: logits, targets: { _ in label },
                                                            gradient: discriminator.outputGradient(rows: b))
        discriminator.backward(input: features, accumulate: accumulate)
        return result
    }

    /// Adds the gradient of R1 = γ/2 · mean_i (∂logit_i/∂xn_i)² to D's weight gradients, using the
    /// activations of the real batch's forward pass. D is piecewise linear in its input, so with
    /// the LeakyReLU slopes of that pass held fixed, ∂logit/∂xn is a forward "tangent" pass
    /// (t₀ = (1, 0), t_l = (t_{l−1}·W_lᵀ) ⊙ slope_l, g = t·W_Lᵀ), and R1's weight gradients are an
    /// ordinary backward pass started from γ·g/B with the tangents in place of the activations.
    /// Bias gradients are zero. Checked against finite differences in the tests.
    private func addR1Gradient() {
        let b = configuration.batchSize, last = discriminator.layers.count - 1
        let w = penalty
        let t0 = w.t0.prefix(rows: b)
        for i in 0 ..< b { t0.base[2 * i] = 1; t0.base[2 * i + 1] = 0 }
        var tangents = [t0]
        for l in 0 ..< last {
            let t = w.tangents[l].prefix(rows: b)
            BLAS.gemm(tangents[l], discriminator.weight(l), transposeB: true, into: t)
            applySlopes(of: l, to: t)
            tangents.append(t)
        }
        let g = w.g.prefix(rows: b)
        BLAS.gemm(tangents[last], discriminator.weight(last), transposeB: true, into: g)
        let scale = configuration.r1Weight / Float(b)
        for i in 0 ..< b { g.base[i] *= scale }
        var delta = g
        for l in stride(from: last, through: 0, by: -1) {
            BLAS.gemm(delta, transposeA: true, tangents[l], into: discriminator.weightGradient(l), beta: 1)
            guard l > 0 else { break }
            let below = w.deltas[l % 2].prefix(rows: b)
            BLAS.gemm(delta, discriminator.weight(l), into: below)
            applySlopes(of: l - 1, to: below)
            delta = below
        }
    }

    /// m ⊙= LeakyReLU slope of layer `l` in the last forward pass (1 where its output > 0, else 0.2).
    private func applySlopes(of l: Int, to m: Matrix) {
        let y = discriminator.layerOutput(l, rows: m.rows)
        for i in 0 ..< m.count where y.base[i] <= 0 { m.base[i] *= 0.2 }
    }

    private func fillRealNormalised() {
        for i in 0 ..< configuration.batchSize {
            normalised.base[i] = (target.sample(&rng) - centre) / scale
        }
    }

    /// features[i] = [xn_i, sd(xn)], sd the batch's population standard deviation.
    @discardableResult
    private func buildFeatures(from xn: Matrix) -> (mean: Float, sd: Float) {
        let b = configuration.batchSize
        var mean: Float = 0
        for i in 0 ..< b { mean += xn.base[i] }
        mean /= Float(b)
        var variance: Float = 0
        for i in 0 ..< b { let d = xn.base[i] - mean; variance += d * d }
        let sd = (variance / Float(b) + Self.stdEpsilon).squareRoot()
        for i in 0 ..< b {
            features.base[2 * i] = xn.base[i]
            features.base[2 * i + 1] = sd
        }
        return (mean, sd)
    }

    /// dLoss/dxn_i = dLoss/dfeature0_i + Σ_j dLoss/dfeature1_j · (xn_i − mean) / (B · sd).
    /// G's raw output *is* xn (the affine maps cancel), so this is G's output gradient.
    private func featuresBackward(std: (mean: Float, sd: Float), into out: Matrix) {
        let b = configuration.batchSize
        let g = discriminator.inputGradient
        var sdGradient: Float = 0
        for i in 0 ..< b { sdGradient += g.base[2 * i + 1] }
        let k = sdGradient / (Float(b) * std.sd)
        for i in 0 ..< b {
            out.base[i] = g.base[2 * i] + k * (normalised.base[i] - std.mean)
        }
    }

    private func updateAverage() {
        let decay = configuration.emaDecay
        let ema = averagedGenerator.parameters.values, live = generator.parameters.values
        for i in 0 ..< averagedGenerator.parameters.count {
            ema[i] = decay * ema[i] + (1 - decay) * live[i]
        }
    }

    func restoreStep(_ step: Int) { self.step = step }

    /// x = G_ema(z) for each z (the displayed generator).
    public func generate(_ zs: [Float]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(zs.count)
        let chunk = averagedGenerator.maxRows
        var start = 0
        while start < zs.count {
            let n = min(chunk, zs.count - start)
            let input = inputScratch.prefix(rows: n)
            for i in 0 ..< n { input.base[i] = zs[start + i] }
            let raw = averagedGenerator.forward(input)
            for i in 0 ..< n { out.append(centre + scale * raw.base[i]) }
            start += n
        }
        return out
    }

    private lazy var inputScratchArena = FloatArena(capacity: Gan1DFigure.sampleCount)
    private lazy var inputScratch = inputScratchArena.matrix(rows: Gan1DFigure.sampleCount, cols: 1)

    /// dL_G/dx at each x, for G's non-saturating loss −log D(x) with the batch stddev feature
    /// held at `sd`: gradient descent moves a generated sample at x by −(this), so its sign is
    /// the direction D is pushing G's samples (the panel's arrows).
    public func generatorLossGradient(at xs: [Float], batchStd sd: Float) -> [Float] {
        evaluateDiscriminator(at: xs, batchStd: sd) { input, logits, n, out in
            let dLogit = discriminator.outputGradient(rows: n)
            for i in 0 ..< n { dLogit.base[i] = sigmoid(logits.base[i]) - 1 }   // d(−log σ(l))/dl, per sample
            discriminator.backward(input: input, weightGradients: false, inputGradient: true)
            for i in 0 ..< n { out.append(discriminator.inputGradient.base[2 * i] / scale) }
        }
    }

    /// D(x) as a probability at each x, given the batch stddev feature `sd` (in D's units).
    public func discriminatorProbability(at xs: [Float], batchStd sd: Float) -> [Float] {
        evaluateDiscriminator(at: xs, batchStd: sd) { _, logits, n, out in
            for i in 0 ..< n { out.append(sigmoid(logits.base[i])) }
        }
    }

    /// D's forward pass over `xs` in batch-sized chunks (features [(x − c)/s, sd]); `read` turns
    /// each chunk's logits into outputs.
    private func evaluateDiscriminator(at xs: [Float], batchStd sd: Float,
                                       _ read: (_ input: Matrix, _ logits: Matrix, _ n: Int, _ out: inout [Float]) -> Void) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(xs.count)
        let chunk = configuration.batchSize
        var start = 0
        while start < xs.count {
            let n = min(chunk, xs.count - start)
            for i in 0 ..< n {
                features.base[2 * i] = (xs[start + i] - centre) / scale
                features.base[2 * i + 1] = sd
            }
            let input = features.prefix(rows: n)
            read(input, discriminator.forward(input), n, &out)
            start += n
        }
        return out
    }
}

/// Buffers of the R1 penalty's tangent and backward passes (allocated once).
final class R1Workspace {
    let arena: FloatArena
    let t0: Matrix
    let tangents: [Matrix]
    let deltas: [Matrix]
    let g: Matrix

    init(rows b: Int, hidden: Int) {
        arena = FloatArena(capacity: FloatArena.capacity(for: [(b, 2), (b, hidden), (b, hidden), (b, hidden), (b, hidden), (b, 1)]))
        t0 = arena.matrix(rows: b, cols: 2)
        tangents = [arena.matrix(rows: b, cols: hidden), arena.matrix(rows: b, cols: hidden)]
        deltas = [arena.matrix(rows: b, cols: hidden), arena.matrix(rows: b, cols: hidden)]
        g = arena.matrix(rows: b, cols: 1)
    }
}
