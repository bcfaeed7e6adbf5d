import Foundation
import GANTraining
import NeuralNet

/// `gantop bench --kernels`: the building blocks of a step, timed alone, for explaining the
/// step's time (and its swings on a shared machine) rather than for comparing with others.
enum KernelBench {
    static func run(seconds: Double) -> [(String, Double)] {
        let count = 1_486_352  // G's parameters
        let params = ParameterSet(shapes: [("p", [count])])
        var rng = RandomGenerator(seed: 3)
        rng.fillUniform(UnsafeMutableBufferPointer(start: params.values, count: count), -0.1, 0.1)
        rng.fillUniform(UnsafeMutableBufferPointer(start: params.grads, count: count), -1e-3, 1e-3)
        var adam = Adam(learningRate: 2e-4, beta1: 0.5)
        let t = min(seconds, 1)
        var rows: [(String, Double)] = []
        rows.append(("Adam, 1.49 M parameters, 1 core (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            Adam.kernel(values: params.values, grads: params.grads, m: params.firstMoment, v: params.secondMoment,
                        count: count, beta1: 0.5, beta2: 0.999, stepSize: 1e-4, epsilon: 1e-8)
        }))
        rows.append(("Adam, 1.49 M parameters, team (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            adam.update(params)
        }))
        if let team = CoreTeam.shared {
            rows.append(("empty team job round trip (µs)", 1e6 / Stopwatch.rate(seconds: t, warmup: 0.1) {
                team.run(parts: 2) { _ in }
            }))
        }
        // G's last layer at B = 64, with W stored as today ([out, in], PyTorch's layout) and as
        // [in, out]: alone, OpenBLAS is ~25 % faster at the forward and weight-gradient products in
        // the second layout, but a whole step gained only 0.9 % (README: "Weight layout").
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(64, 784), (64, 1024), (784, 1024), (784, 1024),
                                                                   (1024, 784), (64, 1024)]))
        let delta = arena.matrix(rows: 64, cols: 784), x = arena.matrix(rows: 64, cols: 1024)
        let dW = arena.matrix(rows: 784, cols: 1024), w = arena.matrix(rows: 784, cols: 1024)
        let wInOut = arena.matrix(rows: 1024, cols: 784), below = arena.matrix(rows: 64, cols: 1024)
        rng.fillUniform(delta.buffer, -1, 1)
        rng.fillUniform(x.buffer, -1, 1)
        let y = delta
        rows.append(("forward y = x·Wᵀ, W [out, in] (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            BLAS.gemm(x, w, transposeB: true, into: y)
        }))
        rows.append(("forward y = x·W, W [in, out] (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            BLAS.gemm(x, wInOut, into: y)
        }))
        rows.append(("weight gradient δᵀ·x, W [out, in] (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            BLAS.gemm(delta, transposeA: true, x, into: dW)
        }))
        rows.append(("weight gradient xᵀ·δ, W [in, out] (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            BLAS.gemm(x, transposeA: true, delta, into: wInOut)
        }))
        rows.append(("input gradient δ·W, W [out, in] (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            BLAS.gemm(delta, w, into: below)
        }))
        rows.append(("input gradient δ·Wᵀ, W [in, out] (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            BLAS.gemm(delta, wInOut, transposeB: true, into: below)
        }))
        // G's last layer alone: backward then Adam, against backward with the fused update.
        let layer = MLP(layers: [MLP.Layer(1024, 784, .identity)], maxRows: 64)
        layer.initialiseGlorotUniform(rng: &rng)
        layer.forward(x)
        rng.fillUniform(layer.outputGradient(rows: 64).buffer, -1e-3, 1e-3)
        var adamLayer = Adam(learningRate: 2e-4, beta1: 0.5)
        rows.append(("784×1024 layer, backward, then Adam (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            layer.backward(input: x)
            adamLayer.update(layer.parameters)
        }))
        rows.append(("784×1024 layer, backward with the fused update (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            layer.backward(input: x, update: adamLayer.nextStep())
        }))
        // What the UI's worker does besides MNIST steps: the 16 digits, the 1-D GAN and its figure.
        let gan = MNISTGAN(configuration: GANConfiguration(), images: .synthetic(count: 256, state: 1), seed: 1)
        let sampler = DigitSampler(generator: gan.samplingGenerator,
                                   latents: DigitSampler.fixedLatents(count: 16, size: 100, seed: 1), count: 16)
        rows.append(("16 digits from G (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) { _ = sampler.generate() }))
        let gan1d = Gan1D(target: .normal, seed: 1)
        for _ in 0 ..< 200 { gan1d.trainStep() }
        rows.append(("1-D GAN step (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) { gan1d.trainStep() }))
        rows.append(("1-D figure, 10,000 samples (ms)", 1000 / Stopwatch.rate(seconds: t, warmup: 0.1) {
            _ = Gan1DFigure.compute(gan1d, bins: 60)
        }))
        return rows
    }
}
