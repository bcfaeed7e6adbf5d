import NeuralNet

/// Which DCGAN: the reference of issue #19 or a variant of it. The variants keep every layer of
/// the spec and add, never replace, so a spec checkpoint's names stay those of a PyTorch module of
/// the same layers.
public struct DCGANArchitecture: Sendable, Equatable {
    /// D's BatchNorm2d after its second convolution (the spec), or `nn.Identity` in its place.
    public var discriminatorBatchNorm = true
    /// > 0: InfoGAN's MNIST G (Chen et al. 2016), a Linear(100, N) → BatchNorm1d → ReLU in front of
    /// the spec's Linear(·, 6272); 0: the spec (z straight into the 6272-wide Linear).
    public var generatorHidden = 0
    /// > 0: InfoGAN's MNIST D, the flattened features through Linear(6272, N) → BatchNorm1d (with
    /// D's BatchNorm) → LeakyReLU(0.2) before the logit; 0: the spec (one linear logit of them).
    public var discriminatorHidden = 0
    /// > 0: InfoGAN's categorical code of that many categories in the last latents
    /// (`LatentLayout`), and its Q head on D's hidden features (`DCGAN.infoHead`); needs
    /// `discriminatorHidden`. 0: none (the spec).
    public var infoCategories = 0

    public init(discriminatorBatchNorm: Bool = true, generatorHidden: Int = 0, discriminatorHidden: Int = 0, infoCategories: Int = 0) {
        self.discriminatorBatchNorm = discriminatorBatchNorm
        self.generatorHidden = generatorHidden
        self.discriminatorHidden = discriminatorHidden
        self.infoCategories = infoCategories
    }

    /// How G's inputs are drawn for this architecture.
    public var latentLayout: LatentLayout { LatentLayout(size: DCGAN.latent, categories: infoCategories) }

    /// The spec of issue #19.
    public static let reference = DCGANArchitecture()
    /// The widest hidden layer the options accept (InfoGAN's is 1,024).
    public static let maximumHidden = 8192
    /// The most categories a code may have (InfoGAN's MNIST code has 10).
    public static let maximumCategories = 50
}

/// The reference DCGAN of issue #19, assembled from layers (indices as in `nn.Sequential`; each
/// Linear is the core's `Dense` with the identity, the layer the MLP is made of):
///   G: 0 Linear(100, 6272) · 1 BatchNorm1d(6272) · 2 ReLU · 3 Unflatten(128, 7, 7) ·
///      4 ConvTranspose2d(128, 64, 4, 2, 1) · 5 BatchNorm2d(64) · 6 ReLU · 7 ConvTranspose2d(64, 1, 4, 2, 1) · 8 Tanh
///   D: 0 Conv2d(1, 64, 4, 2, 1) · 1 LeakyReLU(0.2) · 2 Conv2d(64, 128, 4, 2, 1) · 3 BatchNorm2d(128) ·
///      4 LeakyReLU(0.2) · 5 Flatten · 6 Linear(6272, 1)
/// With `DCGANArchitecture`'s hidden layers, G's indices shift by 3 (its first three are the new
/// Linear, BatchNorm1d and ReLU) and D gains 6 Linear(6272, N) · 7 BatchNorm1d(N) · 8 LeakyReLU ·
/// 9 Linear(N, 1).
public enum DCGAN {
    public static let latent = 100
    public static let imageSize = 28 * 28

    public static func generator(maxBatch: Int, architecture: DCGANArchitecture = .reference) -> Sequential {
        let hidden = architecture.generatorHidden
        let head: [any Layer] = hidden > 0
            ? [Dense(latent, hidden, .identity), BatchNorm(channels: hidden), ActivationLayer(.relu, size: hidden)] : []
        return Sequential(head + [
            Dense(hidden > 0 ? hidden : latent, 128 * 7 * 7, .identity),
            BatchNorm(channels: 128 * 7 * 7),
            ActivationLayer(.relu, size: 128 * 7 * 7),
            Reshape(to: [128, 7, 7]),
            ConvTranspose2d(128, 64, kernel: 4, stride: 2, padding: 1, height: 7, width: 7),
            BatchNorm(channels: 64, spatial: 14 * 14),
            ActivationLayer(.relu, size: 64 * 14 * 14),
            ConvTranspose2d(64, 1, kernel: 4, stride: 2, padding: 1, height: 14, width: 14),
            ActivationLayer(.tanh, size: imageSize),
        ], maxBatch: maxBatch)
    }

    /// With D's hidden layer, the index of its LeakyReLU: the features Q reads.
    public static let discriminatorFeatureLayer = 8

    /// InfoGAN's Q on D's hidden features (a `Q` `nn.Sequential`): 0 Linear(N, 128) ·
    /// 1 BatchNorm1d(128) · 2 LeakyReLU(0.2) · 3 Linear(128, K), the logits of the code; nil
    /// without a code.
    public static func infoHead(maxBatch: Int, architecture: DCGANArchitecture) -> Sequential? {
        let k = architecture.infoCategories, hidden = architecture.discriminatorHidden
        guard k > 0 else { return nil }
        precondition(hidden > 0, "the code's Q head reads D's hidden layer")
        return Sequential([Dense(hidden, 128, .identity), BatchNorm(channels: 128), ActivationLayer(.leakyReLU(slope: 0.2), size: 128),
                           Dense(128, k, .identity)], maxBatch: maxBatch)
    }

    /// Without BatchNorm, `nn.Identity` (no tensors) stands in D.3's place (and D.7's), so every
    /// other index, and so every other state-dict name, stays.
    public static func discriminator(maxBatch: Int, architecture: DCGANArchitecture = .reference) -> Sequential {
        let norm = architecture.discriminatorBatchNorm, hidden = architecture.discriminatorHidden
        let tail: [any Layer] = hidden > 0
            ? [Dense(128 * 7 * 7, hidden, .identity), norm ? BatchNorm(channels: hidden) : Reshape(to: [hidden]),
               ActivationLayer(.leakyReLU(slope: 0.2), size: hidden), Dense(hidden, 1, .identity)]
            : [Dense(128 * 7 * 7, 1, .identity)]
        return Sequential([
            Conv2d(1, 64, kernel: 4, stride: 2, padding: 1, height: 28, width: 28),
            ActivationLayer(.leakyReLU(slope: 0.2), size: 64 * 14 * 14),
            Conv2d(64, 128, kernel: 4, stride: 2, padding: 1, height: 14, width: 14),
            norm ? BatchNorm(channels: 128, spatial: 7 * 7) : Reshape(to: [128, 7, 7]),
            ActivationLayer(.leakyReLU(slope: 0.2), size: 128 * 7 * 7),
            Reshape(to: [128 * 7 * 7]),
        ] + tail, maxBatch: maxBatch)
    }

    /// DCGAN's initialisation (Radford et al. 2015, PyTorch's examples/dcgan `weights_init`, here
    /// applied to the Linear layers too): every conv, transposed-conv and linear weight N(0, 0.02),
    /// their biases 0; BatchNorm γ N(1, 0.02), β 0.
    public static func initialise(_ net: Sequential, rng: inout RandomGenerator) {
        let p = net.parameters
        for (i, layer) in net.layers.enumerated() {
            guard !layer.parameterShapes.isEmpty else { continue }
            let w = p.required("\(i).weight"), b = p.required("\(i).bias")
            let mean: Float = layer is BatchNorm ? 1 : 0
            for k in 0 ..< w.count { p.values[w.offset + k] = mean + 0.02 * rng.normal() }
            (p.values + b.offset).update(repeating: 0, count: b.count)
        }
    }

    /// PyTorch's default initialisation of these layers (`reset_parameters`): Linear, Conv2d and
    /// ConvTranspose2d weights and biases U(−1/√fan_in, 1/√fan_in) (kaiming_uniform with a = √5 is
    /// exactly that bound), fan_in = weight.size(1) · kh · kw, which for ConvTranspose2d's
    /// [in, out, kh, kw] is out · kh · kw, as PyTorch computes it; BatchNorm γ = 1, β = 0.
    public static func initialisePyTorchDefault(_ net: Sequential, rng: inout RandomGenerator) {
        let p = net.parameters
        for (i, layer) in net.layers.enumerated() {
            guard !layer.parameterShapes.isEmpty else { continue }
            let w = p.required("\(i).weight"), b = p.required("\(i).bias")
            if layer is BatchNorm {
                (p.values + w.offset).update(repeating: 1, count: w.count)
                (p.values + b.offset).update(repeating: 0, count: b.count)
                continue
            }
            let fanIn = w.shape.dropFirst().reduce(1, *)
            let bound = 1 / Float(fanIn).squareRoot()
            for k in 0 ..< w.count { p.values[w.offset + k] = rng.uniform(-bound, bound) }
            for k in 0 ..< b.count { p.values[b.offset + k] = rng.uniform(-bound, bound) }
        }
    }
}

/// What one step reports, as `MNISTGAN`'s StepStats does: mean BCE of D over its 2B rows,
/// G's non-saturating loss, and mean σ(D(·)) on the real and the fake batch (phase 2).
public struct DCGANStepStats: Sendable, Equatable {
    public var discriminatorLoss, generatorLoss, realProbability, fakeProbability: Float
}

/// The three-phase step of gantop's GAN on the reference DCGAN, both networks in training mode:
/// (1) fakes = G(z), G forward once; (2) D on the real batch, then on the fakes (separate passes,
/// so BatchNorm normalises each batch by itself, as PyTorch's examples/dcgan does), gradients of the
/// mean loss over both batches accumulated, one update; (3) the fakes through the updated D
/// (its weights frozen, its running statistics moving as in PyTorch's train mode), G's loss back
/// into G, one update for G. The phases are callable one by one (explain mode, lone D/G updates,
/// k D updates per G update); `step` runs them in order.
///
/// With a categorical code (InfoGAN), Q reads D's hidden features of the fakes in phases 2 and 3
/// (the same pass as D's logit); its cross-entropy against each fake's code, × `infoWeight`, is
/// added to D's loss (Q learns with D, under D's optimiser) and to G's (D and Q frozen).
public final class DCGANTrainer {
    public let generator: Sequential
    public let discriminator: Sequential
    /// InfoGAN's Q head (nil without a code).
    public let infoHead: Sequential?
    public let latentLayout: LatentLayout
    /// λ of the code's cross-entropy in both losses (InfoGAN's 1).
    public var infoWeight: Float = 1
    /// The code's cross-entropy in the last phase 2 and 3 (nats; 0 without a code).
    public private(set) var codeLoss: (discriminator: Float, generator: Float) = (0, 0)
    public var generatorOptimiser: Adam
    public var discriminatorOptimiser: Adam
    public let maxBatch: Int
    /// The objective of D and G (the reference: BCE for D, non-saturating for G).
    public var loss: GANLoss = .nonSaturating
    /// D's target on real images (1: none; below 1: one-sided label smoothing).
    public var realLabel: Float = 1
    /// SGD takes the Adam learning rate, so switching keeps the rate a user set (Adam's moments wait).
    public var optimizer: OptimizerKind = .adam
    private let arena: FloatArena
    private let noise: Matrix
    private let logitGradient: Matrix
    private let codeLogitGradient: Matrix
    /// Each fake's category (the code of its latent), for Q's cross-entropy.
    private var codes: [Int]
    /// The fakes of the last phase 1: G's output buffer, valid until G's next forward.
    private var fakes: Matrix?

    public init(maxBatch: Int, learningRate: Float = 2e-4, beta1: Float = 0.5, beta2: Float = 0.999,
                epsilon: Float = 1e-8, architecture: DCGANArchitecture = .reference) {
        self.maxBatch = maxBatch
        generator = DCGAN.generator(maxBatch: maxBatch, architecture: architecture)
        discriminator = DCGAN.discriminator(maxBatch: maxBatch, architecture: architecture)
        infoHead = DCGAN.infoHead(maxBatch: maxBatch, architecture: architecture)
        latentLayout = architecture.latentLayout
        codes = [Int](repeating: 0, count: maxBatch)
        generatorOptimiser = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
        discriminatorOptimiser = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
        let k = max(architecture.infoCategories, 1)
        arena = FloatArena(capacity: FloatArena.capacity(for: [(maxBatch, DCGAN.latent), (maxBatch, 1), (maxBatch, k)]))
        noise = arena.matrix(rows: maxBatch, cols: DCGAN.latent)
        logitGradient = arena.matrix(rows: maxBatch, cols: 1)
        codeLogitGradient = arena.matrix(rows: maxBatch, cols: k)
    }

    /// One step on `real` (B × 784, in [−1, 1]) with z drawn from `rng` as `latentLayout` says.
    public func step(real: Matrix, rng: inout RandomGenerator) -> DCGANStepStats {
        generate(batch: real.rows, rng: &rng)
        return finishStep(real: real)
    }

    /// One step with the given noise (B × 100, its code columns one-hot when there is a code):
    /// what the equivalence test with PyTorch drives.
    public func step(real: Matrix, noise z: Matrix) -> DCGANStepStats {
        generate(noise: z)
        return finishStep(real: real)
    }

    private func finishStep(real: Matrix) -> DCGANStepStats {
        let d = updateDiscriminator(real: real)
        let g = updateGenerator()
        return DCGANStepStats(discriminatorLoss: d.loss, generatorLoss: g.loss,
                              realProbability: d.real, fakeProbability: d.fake)
    }

    /// (1) B fakes from latents drawn from `rng` (into the trainer's own noise buffer).
    public func generate(batch: Int, rng: inout RandomGenerator) {
        precondition((1 ... maxBatch).contains(batch), "batch \(batch) beyond the buffers")
        let z = noise.prefix(rows: batch)
        latentLayout.fill(z, rng: &rng)
        generate(noise: z)
    }

    /// (1) with the given noise; `z` is read again by phase 3's backward: keep it unchanged until then.
    public func generate(noise z: Matrix) {
        precondition(z.rows <= maxBatch && z.cols == DCGAN.latent)
        if latentLayout.categories > 0 {
            for r in 0 ..< z.rows { codes[r] = latentLayout.code(row: r, of: z) }
        }
        fakes = generator.forward(z, training: true)
    }

    /// (2) D learns on `real` (target `realLabel`) and the last fakes (target 0), one pass each,
    /// the mean loss over the 2B rows (half of each batch's mean); one update scaled by
    /// `learningRateScale` (annealing). Returns D's loss and mean D(x), D(G(z)).
    public func updateDiscriminator(real: Matrix, learningRateScale: Float = 1) -> (loss: Float, real: Float, fake: Float) {
        guard let fakes else { preconditionFailure("phase 2 before phase 1") }
        precondition(real.rows == fakes.rows && real.cols == DCGAN.imageSize, "the real batch does not match the fakes")
        let dy = logitGradient.prefix(rows: real.rows)
        discriminator.parameters.zeroGrads()
        infoHead?.parameters.zeroGrads()
        let onReal = halfLoss(discriminator.forward(real, training: true), target: realLabel, gradient: dy)
        discriminator.backward(dy, inputGradient: false, parameterGradients: true)
        let onFake = halfLoss(discriminator.forward(fakes, training: true), target: 0, gradient: dy)
        let code = codeCrossEntropy(trainingQ: true)
        codeLoss.discriminator = code?.loss ?? 0
        discriminator.backward(dy, adding: code.map { ($0.featureGradient, DCGAN.discriminatorFeatureLayer) },
                               inputGradient: false, parameterGradients: true)
        update(discriminator, &discriminatorOptimiser, scale: learningRateScale)
        return ((onReal.loss + onFake.loss) / 2, onReal.meanOutput, onFake.meanOutput)
    }

    /// (3) The last fakes through D (weights frozen, no weight gradients), G's loss back into G,
    /// one update. Returns G's loss and mean D(G(z)) on those fakes before G's update.
    public func updateGenerator(learningRateScale: Float = 1) -> (loss: Float, fake: Float) {
        guard let fakes else { preconditionFailure("phase 3 before phase 1") }
        let dy = logitGradient.prefix(rows: fakes.rows)
        generator.parameters.zeroGrads()
        let logits = discriminator.forward(fakes, training: true)
        let gLoss = loss.generatorLoss(logits: logits, gradient: dy)
        let dFake = meanOutput(logits)
        let code = codeCrossEntropy(trainingQ: false)
        codeLoss.generator = code?.loss ?? 0
        guard let fakeGradient = discriminator.backward(dy, adding: code.map { ($0.featureGradient, DCGAN.discriminatorFeatureLayer) },
                                                        inputGradient: true, parameterGradients: false) else {
            preconditionFailure("D returned no input gradient")
        }
        generator.backward(fakeGradient, inputGradient: false, parameterGradients: true)
        update(generator, &generatorOptimiser, scale: learningRateScale)
        return (gLoss, dFake)
    }

    /// Q on D's hidden features of the last forward (the fakes): λ · its mean cross-entropy
    /// against the fakes' codes, and that loss's gradient w.r.t. the features (Q's weight
    /// gradients added when `trainingQ`). nil without a code.
    private func codeCrossEntropy(trainingQ: Bool) -> (loss: Float, featureGradient: Matrix)? {
        guard let q = infoHead else { return nil }
        let features = discriminator.output(ofLayer: DCGAN.discriminatorFeatureLayer)
        let logits = q.forward(features, training: true)
        let gradient = codeLogitGradient.prefix(rows: features.rows)
        let ce = SoftmaxCrossEntropy.meanLossAndGradient(logits: logits, labels: { codes[$0] }, gradient: gradient)
        for i in 0 ..< gradient.count { gradient.base[i] *= infoWeight }
        guard let featureGradient = q.backward(gradient, inputGradient: true, parameterGradients: trainingQ) else {
            preconditionFailure("Q returned no input gradient")
        }
        return (ce.loss, featureGradient)
    }

    /// D's update takes Q's along (one optimiser over both, as the replica's Adam).
    private func update(_ net: Sequential, _ adam: inout Adam, scale: Float) {
        let base = adam.learningRate
        let q = net === discriminator ? infoHead : nil
        switch optimizer {
        case .adam:
            adam.learningRate = base * scale
            if let q { adam.update(net.parameters, q.parameters) } else { adam.update(net.parameters) }
            adam.learningRate = base
        case .sgd:
            SGD(learningRate: base * scale).update(net.parameters)
            if let q { SGD(learningRate: base * scale).update(q.parameters) }
        }
    }

    private func halfLoss(_ logits: Matrix, target: Float, gradient: Matrix) -> (loss: Float, meanOutput: Float) {
        let result = loss.discriminatorLoss(logits: logits, targets: { _ in target }, gradient: gradient)
        for i in 0 ..< gradient.count { gradient.base[i] *= 0.5 }
        return (result, meanOutput(logits))
    }

    /// Mean D(·) as the status bar shows it: σ(logit), or the raw output for least squares.
    private func meanOutput(_ logits: Matrix) -> Float {
        var total: Double = 0
        for i in 0 ..< logits.count { total += Double(loss.discriminatorOutput(logit: logits.base[i])) }
        return Float(total / Double(logits.count))
    }
}
