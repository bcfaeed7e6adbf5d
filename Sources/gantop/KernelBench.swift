import Foundation
import GANTraining
import NeuralNet

/// `gantop bench --kernels`: the building blocks of a step, timed alone, for explaining the
/// step's time (and its swings on a shared machine) rather than for comparing with others.
enum KernelBench {
    /// Milliseconds per call of `body`, timed for `seconds` after a short warm-up.
    private static func milliseconds(_ seconds: Double, _ body: () -> Void) -> Double {
        1000 / Stopwatch.rate(seconds: seconds, warmup: 0.1, body)
    }

    static func run(seconds: Double) -> [(String, Double)] {
        let count = 1_486_352  // G's parameters
        let params = ParameterSet(shapes: [("p", [count])])
        var rng = RandomGenerator(seed: 3)
        rng.fillUniform(UnsafeMutableBufferPointer(start: params.values, count: count), -0.1, 0.1)
        rng.fillUniform(UnsafeMutableBufferPointer(start: params.grads, count: count), -1e-3, 1e-3)
        var adam = Adam(learningRate: 2e-4, beta1: 0.5)
        let t = min(seconds, 1)
        var rows: [(String, Double)] = []
        let adamKernel = "C, \(KernelPath.current) path"
        rows.append(("Adam, 1.49 M parameters, 1 core, \(adamKernel) (ms)", milliseconds(t) {
            Adam.kernel(values: params.values, grads: params.grads, m: params.firstMoment, v: params.secondMoment,
                        count: count, beta1: 0.5, beta2: 0.999, stepSize: 1e-4, epsilon: 1e-8)
        }))
        rows.append(("Adam, 1.49 M parameters, 1 core, Swift SIMD8 (ms)", milliseconds(t) {
            Adam.portableKernel(values: params.values, grads: params.grads, m: params.firstMoment, v: params.secondMoment,
                                count: count, beta1: 0.5, beta2: 0.999, stepSize: 1e-4, epsilon: 1e-8)
        }))
        rows.append(("Adam, 1.49 M parameters, team (ms)", milliseconds(t) {
            adam.update(params)
        }))
        if let team = CoreTeam.shared {
            rows.append(("empty team job round trip (µs)", 1000 * milliseconds(t) {
                team.run(parts: 2) { _ in }
            }))
        }
        rows += layerProducts(t, &rng)
        // What the UI's worker does besides MNIST steps: the 16 digits, the 1-D GAN and its figure.
        let gan = MNISTGAN(configuration: GANConfiguration(), images: .synthetic(count: 256, state: 1), seed: 1)
        let sampler = DigitSampler(generator: gan.samplingGenerator,
                                   latents: DigitSampler.fixedLatents(count: 16, size: 100, seed: 1), count: 16)
        rows.append(("16 digits from G (ms)", milliseconds(t) { _ = sampler.generate() }))
        let gan1d = Gan1D(target: .normal, seed: 1)
        for _ in 0 ..< 200 { gan1d.trainStep() }
        rows.append(("1-D GAN step (ms)", milliseconds(t) { gan1d.trainStep() }))
        rows.append(("1-D figure, 10,000 samples (ms)", milliseconds(t) {
            _ = Gan1DFigure.compute(gan1d, bins: 60)
        }))
        return rows
    }

    /// G's last layer (1024 → 784) at B = 64, on the core team: its three products through
    /// OpenBLAS with W [out, in], and through the panel kernels with W in panels (and the 512 → 1024
    /// layer's weight gradient); then its whole backward with the fused Adam update in both layouts.
    private static func layerProducts(_ t: Double, _ rng: inout RandomGenerator) -> [(String, Double)] {
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(64, 784), (64, 1024), (784, 1024), (784, 1024),
                                                                   (784, 1024), (64, 1024), (2, 784 * 32)]))
        let delta = arena.matrix(rows: 64, cols: 784), x = arena.matrix(rows: 64, cols: 1024)
        let dW = arena.matrix(rows: 784, cols: 1024), w = arena.matrix(rows: 784, cols: 1024)
        let panels = arena.matrix(rows: 784, cols: 1024), below = arena.matrix(rows: 64, cols: 1024)
        let scratch = arena.matrix(rows: 2, cols: 784 * 32)
        for m in [delta, x, w] { rng.fillUniform(m.buffer, -1, 1) }
        let y = delta
        var rows: [(String, Double)] = []
        func time(_ name: String, _ body: () -> Void) {
            rows.append((name, milliseconds(t, body)))
        }
        time("forward y = x·Wᵀ, OpenBLAS (ms)") { BLAS.gemm(x, w, transposeB: true, into: y) }
        PanelProducts.pack(w.base, outputs: 784, inputs: 1024, into: panels.base)
        time("forward y = x·Wᵀ, panels (ms)") { PanelProducts.forward(x, panels: panels.base, into: y) }
        time("weight gradient δᵀ·x, OpenBLAS (ms)") { BLAS.gemm(delta, transposeA: true, x, into: dW) }
        time("weight gradient δᵀ·x, panels (ms)") { PanelProducts.weightGradient(delta, x, into: dW.base, accumulate: false) }
        // G's 512 → 1024 layer: δ's rows are 4 KB apart, the stride at which its panels are copied first.
        let wideArena = FloatArena(capacity: FloatArena.capacity(for: [(64, 1024), (64, 512), (1024, 512)]))
        let wideDelta = wideArena.matrix(rows: 64, cols: 1024), narrowX = wideArena.matrix(rows: 64, cols: 512)
        let wideGradient = wideArena.matrix(rows: 1024, cols: 512)
        for m in [wideDelta, narrowX] { rng.fillUniform(m.buffer, -1, 1) }
        time("weight gradient δᵀ·x, 1024×512 (δ's rows 4 KB), panels (ms)") {
            PanelProducts.weightGradient(wideDelta, narrowX, into: wideGradient.base, accumulate: false)
        }
        time("input gradient δ·W, OpenBLAS (ms)") { BLAS.gemm(delta, w, into: below) }
        time("input gradient δ·W, panels (ms)") {
            PanelProducts.inputGradient(delta, panels: panels.base, into: below, scratch: scratch.base)
        }
        let panelsWere = PanelProducts.isEnabled
        PanelProducts.isEnabled = true   // the panels' row even on the blas path
        defer { PanelProducts.isEnabled = panelsWere }
        for panelled in [false, true] {
            let layer = MLP(layers: [MLP.Layer(1024, 784, .identity)], maxRows: 64, panelled: panelled)
            layer.initialiseGlorotUniform(rng: &rng)
            layer.forward(x)
            rng.fillUniform(layer.outputGradient(rows: 64).buffer, -1e-3, 1e-3)
            var adam = Adam(learningRate: 2e-4, beta1: 0.5)
            time("784×1024 layer, backward with the fused update, \(panelled ? "panels" : "OpenBLAS") (ms)") {
                layer.backward(input: x, update: adam.nextStep())
            }
        }
        return rows
    }
}
