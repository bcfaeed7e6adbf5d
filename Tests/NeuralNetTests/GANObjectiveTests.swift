import XCTest
import Foundation
import NeuralNet

/// The switchable objectives (key `l`) and the weight average, against their definitions
/// computed in Double and against central differences of the loss in the logits.
final class GANObjectiveTests: NeuralNetTestCase {
    private let logitValues: [Float] = [-7.5, -2, -0.3, 0, 0.4, 1.7, 6, 31]

    /// log σ(z) = −softplus(−z) and log(1 − σ(z)) = −softplus(z), exact in Double even at z = 31.
    private func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }
    private func logσ(_ z: Float) -> Double { -softplus(-Double(z)) }
    private func log1mσ(_ z: Float) -> Double { -softplus(Double(z)) }

    /// The loss each objective defines, per logit, for G and for D with target y.
    private func generatorDefinition(_ loss: GANLoss, _ z: Float) -> Double {
        switch loss {
        case .nonSaturating: -logσ(z)
        case .minimax: log1mσ(z)
        case .leastSquares: 0.5 * (Double(z) - 1) * (Double(z) - 1)
        }
    }

    private func discriminatorDefinition(_ loss: GANLoss, _ z: Float, _ y: Double) -> Double {
        switch loss {
        case .nonSaturating, .minimax: -(y * logσ(z) + (1 - y) * log1mσ(z))
        case .leastSquares: 0.5 * (Double(z) - y) * (Double(z) - y)
        }
    }

    func testGeneratorLossesMatchTheirDefinitionsAndDerivatives() {
        let n = logitValues.count
        for loss in GANLoss.allCases {
            let logits = matrix(n, 1, logitValues), gradient = matrix(n, 1)
            let value = loss.generatorLoss(logits: logits, gradient: gradient)
            let expected = logitValues.reduce(0.0) { $0 + generatorDefinition(loss, $1) } / Double(n)
            XCTAssertEqual(Double(value), expected, accuracy: 1e-5 * max(1, abs(expected)), "\(loss)")
            for i in 0 ..< n {
                let h: Float = 1e-2
                let numeric = (generatorDefinition(loss, logitValues[i] + h) - generatorDefinition(loss, logitValues[i] - h))
                    / Double(2 * h) / Double(n)
                XCTAssertEqual(Double(gradient.base[i]), numeric, accuracy: 1e-4, "\(loss) at z = \(logitValues[i])")
            }
        }
    }

    /// Minimax saturates where non-saturating does not: at a fake D rejects (z = −7.5), the
    /// minimax gradient is ~500× smaller. This is the paper's reason for the non-saturating loss.
    func testMinimaxSaturatesWhereNonSaturatingDoesNot() {
        let logits = matrix(1, 1, [-7.5]), g = matrix(1, 1)
        _ = GANLoss.minimax.generatorLoss(logits: logits, gradient: g)
        let minimax = abs(g.base[0])
        _ = GANLoss.nonSaturating.generatorLoss(logits: logits, gradient: g)
        XCTAssertGreaterThan(abs(g.base[0]) / minimax, 500)
    }

    func testDiscriminatorLossesWithSmoothedLabels() {
        let n = logitValues.count
        let targets: (Int) -> Float = { $0 < 4 ? 0.9 : 0 }
        for loss in GANLoss.allCases {
            let logits = matrix(n, 1, logitValues), gradient = matrix(n, 1)
            let value = loss.discriminatorLoss(logits: logits, targets: targets, gradient: gradient)
            let expected = (0 ..< n).reduce(0.0) { $0 + discriminatorDefinition(loss, logitValues[$1], Double(targets($1))) } / Double(n)
            XCTAssertEqual(Double(value), expected, accuracy: 1e-5 * max(1, abs(expected)), "\(loss)")
            for i in 0 ..< n {
                let h: Float = 1e-2, y = Double(targets(i))
                let numeric = (discriminatorDefinition(loss, logitValues[i] + h, y) - discriminatorDefinition(loss, logitValues[i] - h, y))
                    / Double(2 * h) / Double(n)
                XCTAssertEqual(Double(gradient.base[i]), numeric, accuracy: 1e-4, "\(loss) at z = \(logitValues[i])")
            }
        }
    }

    func testObjectivesCycleThroughAllThree() {
        var seen: [GANLoss] = [], loss = GANLoss.nonSaturating
        for _ in 0 ..< 3 { seen.append(loss); loss = loss.next }
        XCTAssertEqual(Set(seen), Set(GANLoss.allCases))
        XCTAssertEqual(loss, .nonSaturating)
        XCTAssertEqual(GANLoss.leastSquares.discriminatorOutput(logit: 0.25), 0.25, "least squares reports the raw output")
        XCTAssertEqual(GANLoss.minimax.discriminatorOutput(logit: 0), 0.5)
    }

    // MARK: - Weight average

    private func parameters(_ values: [Float]) -> ParameterSet {
        let p = keep(ParameterSet(shapes: [("w", [values.count])]))
        p.load(values, into: p.entries[0], block: .values)
        return p
    }

    func testAverageWarmsUpThenUsesItsDecay() {
        let count = 300_001   // above the size that is split across the cores, and not a multiple of 8
        let average = parameters([Float](repeating: 1, count: count))
        let source = parameters((0 ..< count).map { Float($0 % 7) })
        // First update: d = min(0.999, 1/10) = 0.1.
        WeightAverage.update(average, toward: source, decay: 0.999, updates: 0)
        let first = average.arrays(of: .values)[0].data
        for i in [0, 1, 6, count - 1] {
            XCTAssertEqual(first[i], 0.1 * 1 + 0.9 * Float(i % 7), accuracy: 1e-6, "index \(i)")
        }
        // Late: d = 0.999 exactly.
        WeightAverage.update(average, toward: source, decay: 0.999, updates: 1_000_000)
        let late = average.arrays(of: .values)[0].data
        for i in [0, 5, count - 1] {
            XCTAssertEqual(late[i], 0.999 * first[i] + 0.001 * Float(i % 7), accuracy: 1e-5, "index \(i)")
        }
        XCTAssertEqual(source.arrays(of: .values)[0].data[5], 5, "the source is only read")
        // A warm-up of 4: d = min(0.999, (1+2)/(4+2)) = 0.5 at the third update.
        let slow = parameters([Float](repeating: 2, count: 8))
        WeightAverage.update(slow, toward: parameters([Float](repeating: 0, count: 8)), decay: 0.999, updates: 2, warmup: 4)
        XCTAssertEqual(slow.arrays(of: .values)[0].data, [Float](repeating: 1, count: 8))
    }
}
