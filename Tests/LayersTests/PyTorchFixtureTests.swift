import XCTest
import GANFormats
import NeuralNet
@testable import Layers

/// Conv2d, ConvTranspose2d and BatchNorm against PyTorch on fixed inputs
/// (Tests/Fixtures/dcgan/layers.safetensors, written by scripts/dcgan-fixtures.py).
final class PyTorchFixtureTests: LayersTestCase {
    private func checkConvolution(_ tag: String, _ layer: any Layer, batch: Int = 2) throws {
        let f = try fixture("layers.safetensors")
        let net = keep(Sequential([layer], maxBatch: batch))
        load(f.floats("\(tag).weight"), into: net.parameters, "0.weight")
        load(f.floats("\(tag).bias"), into: net.parameters, "0.bias")
        let x = matrix(batch, net.inputSize, f.floats("\(tag).x"))
        assertClose(net.forward(x, training: true).toArray(), f.floats("\(tag).y"), "\(tag) y")
        net.parameters.zeroGrads()
        let dy = matrix(batch, net.outputSize, f.floats("\(tag).dy"))
        let dx = net.backward(dy, inputGradient: true, parameterGradients: true)!
        assertClose(dx.toArray(), f.floats("\(tag).dx"), "\(tag) dx")
        let p = net.parameters
        assertClose(p.array(p.entry(named: "0.weight")!, of: .grads), f.floats("\(tag).dweight"), abs: 1e-4, "\(tag) dweight")
        assertClose(p.array(p.entry(named: "0.bias")!, of: .grads), f.floats("\(tag).dbias"), abs: 1e-4, "\(tag) dbias")
    }

    func testConv2dMatchesPyTorch() throws {
        try checkConvolution("conv", Conv2d(3, 5, kernel: 4, stride: 2, padding: 1, height: 8, width: 8))
        try checkConvolution("conv_s1", Conv2d(2, 3, kernel: 3, stride: 1, padding: 1, height: 5, width: 6))
    }

    func testConvTranspose2dMatchesPyTorch() throws {
        try checkConvolution("convt", ConvTranspose2d(5, 3, kernel: 4, stride: 2, padding: 1, height: 4, width: 4))
        try checkConvolution("convt_s1", ConvTranspose2d(2, 3, kernel: 3, stride: 1, padding: 1, height: 5, width: 6))
    }

    /// Two training forwards (the running statistics move twice), the backward of the second, an eval forward.
    private func checkBatchNorm(_ tag: String, channels: Int, spatial: Int, batch: Int) throws {
        let f = try fixture("layers.safetensors")
        let net = keep(Sequential([BatchNorm(channels: channels, spatial: spatial)], maxBatch: batch))
        load(f.floats("\(tag).weight"), into: net.parameters, "0.weight")
        load(f.floats("\(tag).bias"), into: net.parameters, "0.bias")
        let size = channels * spatial
        net.forward(matrix(batch, size, f.floats("\(tag).x1")), training: true)
        let y = net.forward(matrix(batch, size, f.floats("\(tag).x")), training: true)
        assertClose(y.toArray(), f.floats("\(tag).y"), "\(tag) y")
        net.parameters.zeroGrads()
        let dx = net.backward(matrix(batch, size, f.floats("\(tag).dy")), inputGradient: true, parameterGradients: true)!
        assertClose(dx.toArray(), f.floats("\(tag).dx"), abs: 1e-4, "\(tag) dx")
        let p = net.parameters, b = net.buffers
        assertClose(p.array(p.entry(named: "0.weight")!, of: .grads), f.floats("\(tag).dweight"), abs: 1e-4, "\(tag) dweight")
        assertClose(p.array(p.entry(named: "0.bias")!, of: .grads), f.floats("\(tag).dbias"), abs: 1e-4, "\(tag) dbias")
        assertClose(b.array(b.entry(named: "0.running_mean")!, of: .values), f.floats("\(tag).running_mean"), "\(tag) running_mean")
        assertClose(b.array(b.entry(named: "0.running_var")!, of: .values), f.floats("\(tag).running_var"), "\(tag) running_var")
        XCTAssertEqual(b.array(b.entry(named: "0.num_batches_tracked")!, of: .values), f.floats("\(tag).num_batches_tracked"))
        let eval = net.forward(matrix(batch, size, f.floats("\(tag).eval_x")), training: false)
        assertClose(eval.toArray(), f.floats("\(tag).eval_y"), "\(tag) eval y")
    }

    func testBatchNorm2dMatchesPyTorch() throws { try checkBatchNorm("bn2d", channels: 3, spatial: 25, batch: 4) }
    func testBatchNorm1dMatchesPyTorch() throws { try checkBatchNorm("bn1d", channels: 6, spatial: 1, batch: 5) }
}
