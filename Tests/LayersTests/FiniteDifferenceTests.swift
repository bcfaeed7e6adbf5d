import XCTest
import NeuralNet
@testable import Layers

/// Every layer's backward (input and parameter gradients) against central differences of its
/// own forward, through a `Sequential` so that the naming, buffers and accumulation are exercised.
/// L = Σ w ⊙ net(x) with fixed random w: its gradient w.r.t. the output is w. With `addingAt: k`,
/// L also has a second head's term Σ v ⊙ (layer k's output), whose gradient `backward(adding:)` adds.
final class FiniteDifferenceTests: LayersTestCase {
    private func check(_ layers: [any Layer], batch: Int = 3, training: Bool = true, seed: UInt64,
                       eps: Float = 1e-2, addingAt headLayer: Int? = nil, _ what: String) {
        let net = keep(Sequential(layers, maxBatch: batch + 1))
        var rng = RandomGenerator(seed: seed)
        let p = net.parameters
        for i in 0 ..< p.count { p.values[i] = rng.uniform(-0.5, 0.5) }
        for e in p.entries where e.name.hasSuffix("weight") && net.layers[Int(e.name.split(separator: ".")[0])!] is BatchNorm {
            for k in 0 ..< e.count { p.values[e.offset + k] = rng.uniform(0.5, 1.5) }
        }
        let x = matrix(batch, net.inputSize)
        rng.fillUniform(x.buffer, -1, 1)
        let w = matrix(batch, net.outputSize)
        rng.fillUniform(w.buffer, -1, 1)
        let v = headLayer.map { matrix(batch, net.layers[$0].outputSize) }
        if let v { rng.fillUniform(v.buffer, -1, 1) }
        func loss() -> Double {
            let y = net.forward(x, training: training)
            var s = 0.0
            for i in 0 ..< y.count { s += Double(y.base[i]) * Double(w.base[i]) }
            if let headLayer, let v {
                let h = net.output(ofLayer: headLayer)
                for i in 0 ..< h.count { s += Double(h.base[i]) * Double(v.base[i]) }
            }
            return s
        }
        _ = loss()
        p.zeroGrads()
        let extra = headLayer.flatMap { k in v.map { (gradient: $0, layer: k) } }
        let dx = net.backward(w, adding: extra, inputGradient: true, parameterGradients: true)!.toArray()
        let grads = Array(UnsafeBufferPointer(start: p.grads, count: p.count))
        var numeric: [Double] = []
        for i in 0 ..< x.count { numeric.append(centralDifference(at: x.base + i, eps: eps, loss)) }
        assertGradientsClose(dx, numeric, "\(what) dx")
        for e in p.entries {
            let stride = max(1, e.count / 40)   // a sample of each tensor: enough to catch a wrong index
            let indices = Array(Swift.stride(from: 0, to: e.count, by: stride))
            let analytic = indices.map { grads[e.offset + $0] }
            let fd = indices.map { centralDifference(at: p.values + e.offset + $0, eps: eps, loss) }
            assertGradientsClose(analytic, fd, "\(what) d\(e.name)")
        }
    }

    func testLinear() { check([Dense(7, 5, .identity)], seed: 1, "linear") }

    func testConv2dStridedAndPadded() {
        check([Conv2d(2, 3, kernel: 4, stride: 2, padding: 1, height: 6, width: 8)], seed: 2, "conv2d")
        check([Conv2d(2, 2, kernel: 3, stride: 1, padding: 1, height: 5, width: 4)], seed: 3, "conv2d s1")
    }

    func testConvTranspose2d() {
        check([ConvTranspose2d(3, 2, kernel: 4, stride: 2, padding: 1, height: 3, width: 4)], seed: 4, "convT")
        check([ConvTranspose2d(2, 3, kernel: 3, stride: 1, padding: 1, height: 4, width: 3)], seed: 5, "convT s1")
    }

    /// BatchNorm in training mode couples the rows (the batch statistics depend on every x).
    func testBatchNormTrainingAndEval() {
        check([BatchNorm(channels: 3, spatial: 4)], batch: 4, seed: 6, eps: 5e-3, "bn2d train")
        check([BatchNorm(channels: 5)], batch: 4, seed: 7, eps: 5e-3, "bn1d train")
        check([BatchNorm(channels: 3, spatial: 4)], batch: 4, training: false, seed: 8, "bn eval")
    }

    /// Activations are checked away from the kink: inputs come from a Linear whose outputs are
    /// rarely within eps of 0 for these seeds; tanh has none.
    func testActivationsAndReshapeInASequence() {
        check([Dense(6, 8, .identity), ActivationLayer(.tanh, size: 8), Reshape(to: [2, 2, 2]),
               Dense(8, 4, .identity)], seed: 9, eps: 1e-3, "tanh stack")
        check([Dense(6, 8, .identity), ActivationLayer(.leakyReLU(slope: 0.2), size: 8), Dense(8, 3, .identity),
               ActivationLayer(.relu, size: 3)], seed: 10, eps: 1e-3, "relu stack")
    }

    /// The MLP's fused layer (product, bias, activation in one) as a Sequential's layer.
    func testDenseLayersInASequence() {
        check([Dense(6, 8, .tanh), Dense(8, 5, .leakyReLU(slope: 0.2)), Dense(5, 3, .identity)],
              seed: 11, eps: 1e-3, "dense stack")
    }

    func testSequentialNamesFollowPyTorch() {
        let g = keep(DCGAN.generator(maxBatch: 2)), d = keep(DCGAN.discriminator(maxBatch: 2))
        XCTAssertEqual(g.parameters.entries.map(\.name),
                       ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "5.weight", "5.bias", "7.weight", "7.bias"])
        XCTAssertEqual(g.parameters.entry(named: "4.weight")?.shape, [128, 64, 4, 4])
        XCTAssertEqual(d.parameters.entry(named: "2.weight")?.shape, [128, 64, 4, 4])
        XCTAssertEqual(d.buffers.entries.map(\.name), ["3.running_mean", "3.running_var", "3.num_batches_tracked"])
    }

    /// InfoGAN's hidden layers: G's spec layers shifted by 3, D's logit moved to index 9, and a
    /// gradient through both that matches central differences (the BatchNorm1d couples the rows).
    func testHiddenLayerVariantsFollowPyTorchAndDifferentiate() {
        let a = DCGANArchitecture(generatorHidden: 12, discriminatorHidden: 10)
        let g = keep(DCGAN.generator(maxBatch: 2, architecture: a)), d = keep(DCGAN.discriminator(maxBatch: 2, architecture: a))
        XCTAssertEqual(g.parameters.entries.map(\.name),
                       ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "4.weight", "4.bias",
                        "7.weight", "7.bias", "8.weight", "8.bias", "10.weight", "10.bias"])
        XCTAssertEqual(g.parameters.entry(named: "0.weight")?.shape, [12, 100])
        XCTAssertEqual(g.parameters.entry(named: "3.weight")?.shape, [6272, 12])
        XCTAssertEqual(d.parameters.entry(named: "6.weight")?.shape, [10, 6272])
        XCTAssertEqual(d.parameters.entry(named: "9.weight")?.shape, [1, 10])
        XCTAssertEqual(d.buffers.entries.map(\.name).filter { $0.hasSuffix("running_var") }, ["3.running_var", "7.running_var"])
        let plain = keep(DCGAN.discriminator(maxBatch: 2, architecture: DCGANArchitecture(discriminatorBatchNorm: false, discriminatorHidden: 10)))
        XCTAssertTrue(plain.buffers.entries.isEmpty)
        XCTAssertEqual(plain.parameters.entries.map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias", "9.weight", "9.bias"])
        // From the BatchNorm on (a bias in front of it has a true gradient of 0, which the check
        // rightly calls suspicious; the Linear alone is testLinear's).
        check([BatchNorm(channels: 12), ActivationLayer(.relu, size: 12), Dense(12, 5, .identity)], batch: 4, seed: 13, eps: 1e-3, "G's hidden head")
        check([BatchNorm(channels: 10), ActivationLayer(.leakyReLU(slope: 0.2), size: 10), Dense(10, 1, .identity)],
              batch: 4, seed: 14, eps: 1e-3, "D's hidden tail")
    }

    /// A second head's gradient added at a hidden layer (InfoGAN's Q on D's features) reaches the
    /// layers below it, and only them: the total gradient of both heads' terms, by central differences.
    func testSecondHeadGradientAddedAtAHiddenLayer() {
        check([BatchNorm(channels: 6), ActivationLayer(.leakyReLU(slope: 0.2), size: 6), Dense(6, 4, .identity), Dense(4, 2, .identity)],
              batch: 4, seed: 15, eps: 1e-3, addingAt: 1, "head after BatchNorm and LeakyReLU")
        check([Dense(6, 5, .identity), ActivationLayer(.tanh, size: 5), Dense(5, 4, .identity), Dense(4, 2, .identity)],
              seed: 16, eps: 1e-3, addingAt: 0, "head after the first layer")
    }
}
