import XCTest
import NeuralNet
@testable import Layers

/// The convolutions multiply whole batches (in blocks of `BatchLayout.samplesPerBlock` samples):
/// a batch of more than one block must give what each sample gives alone — outputs and input
/// gradients row by row, weight and bias gradients as the sum of the per-sample ones.
final class BatchedConvolutionTests: LayersTestCase {
    private func checkAgainstSingles(_ make: () -> any Layer, seed: UInt64, _ what: String) {
        let batch = BatchLayout.samplesPerBlock + 6
        let whole = keep(Sequential([make()], maxBatch: batch)), single = keep(Sequential([make()], maxBatch: 1))
        var rng = RandomGenerator(seed: seed)
        for i in 0 ..< whole.parameters.count { whole.parameters.values[i] = rng.uniform(-0.5, 0.5) }
        single.parameters.values.update(from: whole.parameters.values, count: whole.parameters.count)
        let x = matrix(batch, whole.inputSize), dy = matrix(batch, whole.outputSize)
        rng.fillUniform(x.buffer, -1, 1)
        rng.fillUniform(dy.buffer, -1, 1)
        let y = whole.forward(x, training: true).toArray()
        whole.parameters.zeroGrads()
        let dx = whole.backward(dy, inputGradient: true, parameterGradients: true)!.toArray()
        single.parameters.zeroGrads()
        for b in 0 ..< batch {
            let yb = single.forward(x.rows(b, count: 1), training: true).toArray()
            assertClose(Array(y[b * whole.outputSize ..< (b + 1) * whole.outputSize]), yb, "\(what) y of sample \(b)")
            let dxb = single.backward(dy.rows(b, count: 1), inputGradient: true, parameterGradients: true)!.toArray()
            assertClose(Array(dx[b * whole.inputSize ..< (b + 1) * whole.inputSize]), dxb, "\(what) dx of sample \(b)")
        }
        let n = whole.parameters.count
        assertClose(Array(UnsafeBufferPointer(start: whole.parameters.grads, count: n)),
                    Array(UnsafeBufferPointer(start: single.parameters.grads, count: n)), abs: 1e-4, "\(what) parameter gradients")
        XCTAssertTrue((0 ..< n).contains { abs(whole.parameters.grads[$0]) > 0.1 }, "\(what): gradients suspiciously ~0")
    }

    func testConv2dBatchEqualsSamples() {
        checkAgainstSingles({ Conv2d(3, 4, kernel: 4, stride: 2, padding: 1, height: 6, width: 8) }, seed: 21, "conv2d")
    }

    func testConvTranspose2dBatchEqualsSamples() {
        checkAgainstSingles({ ConvTranspose2d(4, 3, kernel: 4, stride: 2, padding: 1, height: 3, width: 4) }, seed: 22, "convT")
    }
}
