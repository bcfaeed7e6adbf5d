import NeuralNet

/// The reference DCGAN of issue #19, assembled from layers (indices as in `nn.Sequential`):
///   G: 0 Linear(100, 6272) · 1 BatchNorm1d(6272) · 2 ReLU · 3 Unflatten(128, 7, 7) ·
///      4 ConvTranspose2d(128, 64, 4, 2, 1) · 5 BatchNorm2d(64) · 6 ReLU · 7 ConvTranspose2d(64, 1, 4, 2, 1) · 8 Tanh
///   D: 0 Conv2d(1, 64, 4, 2, 1) · 1 LeakyReLU(0.2) · 2 Conv2d(64, 128, 4, 2, 1) · 3 BatchNorm2d(128) ·
///      4 LeakyReLU(0.2) · 5 Flatten · 6 Linear(6272, 1)
public enum DCGAN {
    public static let latent = 100
    public static let imageSize = 28 * 28

    public static func generator(maxBatch: Int) -> Sequential {
        Sequential([
            Linear(latent, 128 * 7 * 7),
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

    public static func discriminator(maxBatch: Int) -> Sequential {
        Sequential([
            Conv2d(1, 64, kernel: 4, stride: 2, padding: 1, height: 28, width: 28),
            ActivationLayer(.leakyReLU(slope: 0.2), size: 64 * 14 * 14),
            Conv2d(64, 128, kernel: 4, stride: 2, padding: 1, height: 14, width: 14),
            BatchNorm(channels: 128, spatial: 7 * 7),
            ActivationLayer(.leakyReLU(slope: 0.2), size: 128 * 7 * 7),
            Reshape(to: [128 * 7 * 7]),
            Linear(128 * 7 * 7, 1),
        ], maxBatch: maxBatch)
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
}

/// What one step reports, as `MNISTGAN`'s StepStats does: mean BCE of D over its 2B rows,
/// G's non-saturating loss, and mean σ(D(·)) on the real and the fake batch (phase 2).
public struct DCGANStepStats: Sendable, Equatable {
    public var discriminatorLoss, generatorLoss, realProbability, fakeProbability: Float
}

/// The three-phase step of gantop's GAN on the reference DCGAN, both networks in training mode:
/// (1) fakes = G(z), G forward once; (2) D on the real batch, then on the fakes (separate passes,
/// so BatchNorm normalises each batch by itself, as PyTorch's examples/dcgan does), gradients of the
/// mean BCE over both batches accumulated, one Adam step; (3) the fakes through the updated D
/// (its weights frozen, its running statistics moving as in PyTorch's train mode), the
/// non-saturating loss −log σ(D(G(z))) back into G, one Adam step for G.
public final class DCGANTrainer {
    public let generator: Sequential
    public let discriminator: Sequential
    public var generatorOptimiser: Adam
    public var discriminatorOptimiser: Adam
    public let maxBatch: Int
    private let arena: FloatArena
    private let noise: Matrix
    private let logitGradient: Matrix

    public init(maxBatch: Int, learningRate: Float = 2e-4, beta1: Float = 0.5, beta2: Float = 0.999) {
        self.maxBatch = maxBatch
        generator = DCGAN.generator(maxBatch: maxBatch)
        discriminator = DCGAN.discriminator(maxBatch: maxBatch)
        generatorOptimiser = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2)
        discriminatorOptimiser = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2)
        arena = FloatArena(capacity: FloatArena.capacity(for: [(maxBatch, DCGAN.latent), (maxBatch, 1)]))
        noise = arena.matrix(rows: maxBatch, cols: DCGAN.latent)
        logitGradient = arena.matrix(rows: maxBatch, cols: 1)
    }

    /// One step on `real` (B × 784, in [−1, 1]) with z ~ U(−1, 1)^100 drawn from `rng`.
    public func step(real: Matrix, rng: inout RandomGenerator) -> DCGANStepStats {
        let z = noise.prefix(rows: real.rows)
        rng.fillUniform(z.buffer, -1, 1)
        return step(real: real, noise: z)
    }

    /// One step with the given noise (B × 100): what the equivalence test with PyTorch drives.
    public func step(real: Matrix, noise z: Matrix) -> DCGANStepStats {
        let batch = real.rows
        precondition(batch <= maxBatch && z.rows == batch && z.cols == DCGAN.latent && real.cols == DCGAN.imageSize)
        let dy = logitGradient.prefix(rows: batch)
        // (1)
        let fakes = generator.forward(z, training: true)
        // (2) mean over 2B rows = half of each batch's mean.
        discriminator.parameters.zeroGrads()
        let onReal = halfLoss(discriminator.forward(real, training: true), target: 1, gradient: dy)
        discriminator.backward(dy, inputGradient: false, parameterGradients: true)
        let onFake = halfLoss(discriminator.forward(fakes, training: true), target: 0, gradient: dy)
        discriminator.backward(dy, inputGradient: false, parameterGradients: true)
        discriminatorOptimiser.update(discriminator.parameters)
        // (3)
        generator.parameters.zeroGrads()
        let logits = discriminator.forward(fakes, training: true)
        let g = BinaryCrossEntropy.meanLossAndGradient(logits: logits, targets: { _ in 1 }, gradient: dy)
        guard let fakeGradient = discriminator.backward(dy, inputGradient: true, parameterGradients: false) else {
            preconditionFailure("D returned no input gradient")
        }
        generator.backward(fakeGradient, inputGradient: false, parameterGradients: true)
        generatorOptimiser.update(generator.parameters)
        return DCGANStepStats(discriminatorLoss: (onReal.loss + onFake.loss) / 2, generatorLoss: g.loss,
                              realProbability: onReal.meanProbability, fakeProbability: onFake.meanProbability)
    }

    private func halfLoss(_ logits: Matrix, target: Float, gradient: Matrix) -> (loss: Float, meanProbability: Float) {
        let result = BinaryCrossEntropy.meanLossAndGradient(logits: logits, targets: { _ in target }, gradient: gradient)
        for i in 0 ..< gradient.count { gradient.base[i] *= 0.5 }
        return result
    }
}
