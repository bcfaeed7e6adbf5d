import XCTest
import NeuralNet

/// The MLP's layer, `Dense`, as any `Layer`: a `Sequential` of the MLP's own layers computes what
/// the MLP computes (same weights, same batch), and its backward adds to the gradients as the
/// protocol says. The MLP itself is held to its pre-layers training by MLPTrainingFixtureTests.
final class DenseSequenceTests: NeuralNetTestCase {
    private let spec = [MLP.Layer(6, 16, .leakyReLU(slope: 0.2)), MLP.Layer(16, 8, .tanh), MLP.Layer(8, 3, .identity)]

    private func pair(seed: UInt64) -> (MLP, Sequential) {
        let mlp = makeMLP(spec, maxRows: 5, seed: seed)
        let sequence = keep(Sequential(spec.map { Dense($0.inputs, $0.outputs, $0.activation) }, maxBatch: 5))
        XCTAssertEqual(sequence.parameters.entries.map(\.name),
                       ["0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"])
        XCTAssertEqual(sequence.parameters.entries.map(\.shape), mlp.parameters.entries.map(\.shape))
        sequence.parameters.values.update(from: mlp.parameters.values, count: mlp.parameters.count)
        return (mlp, sequence)
    }

    func testASequentialOfDenseLayersComputesWhatTheMLPComputes() {
        let (mlp, sequence) = pair(seed: 31)
        var rng = RandomGenerator(seed: 32)
        let x = randomMatrix(5, 6, &rng), c = randomMatrix(5, 3, &rng)
        let y = sequence.forward(x, training: true).toArray()
        XCTAssertEqual(y, mlp.forward(x).toArray(), "forward")
        XCTAssertTrue(y.contains { $0 != 0 })

        mlp.outputGradient(rows: 5).copy(from: c)
        mlp.backward(input: x, inputGradient: true)
        sequence.parameters.zeroGrads()
        let dx = sequence.backward(c, inputGradient: true, parameterGradients: true)!.toArray()
        XCTAssertEqual(dx, mlp.inputGradient.prefix(rows: 5).toArray(), "input gradient")
        let grads = { (p: ParameterSet) in Array(UnsafeBufferPointer(start: p.grads, count: p.count)) }
        let mlpGrads = grads(mlp.parameters)
        XCTAssertEqual(grads(sequence.parameters), mlpGrads, "weight and bias gradients")
        XCTAssertTrue(mlpGrads.allSatisfy { $0.isFinite } && mlpGrads.contains { $0 != 0 })

        // A second backward of the same batch adds the same gradients again (the Layer contract).
        _ = sequence.backward(c, inputGradient: false, parameterGradients: true)
        for (twice, once) in zip(grads(sequence.parameters), mlpGrads) {
            XCTAssertEqual(twice, 2 * once, accuracy: 1e-6 * max(1, abs(once)))
        }
    }

    func testTheMLPNamesItsLayersTensorsAsBefore() {
        let mlp = keep(MLP(layers: spec, maxRows: 2, namePrefix: "g."))
        XCTAssertEqual(mlp.parameters.entries.map(\.name),
                       ["g.fc1.weight", "g.fc1.bias", "g.fc2.weight", "g.fc2.bias", "g.fc3.weight", "g.fc3.bias"])
        XCTAssertEqual(mlp.sequence.map(\.outputSize), [16, 8, 3])
        // A network sharing the set binds its layers by position, whatever the set's names.
        let shared = keep(mlp.sharingParameters(maxRows: 1))
        XCTAssertTrue(shared.parameters === mlp.parameters)
        XCTAssertEqual(shared.weightEntry(2), mlp.weightEntry(2))
    }
}
