import XCTest
import GANFormats
import NeuralNet
@testable import Layers

/// The reference DCGAN's three-phase step against PyTorch's (scripts/dcgan-fixtures.py): the same
/// initial weights (from a hash both sides compute), the same z and batches → the same losses at
/// every step, and the same weights and running statistics afterwards, within float tolerance.
final class DCGANEquivalenceTests: LayersTestCase {
    /// u in [0, 1): splitmix64's finaliser of (tensorIndex << 40 | i), top 53 bits (as the script).
    static func hashUniform(_ tensorIndex: Int, _ i: Int) -> Double {
        var z = (UInt64(tensorIndex) << 40 | UInt64(i)) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) * 0x1p-53
    }

    private func initialise(_ net: Sequential, prefix: String, from f: SafeTensors) {
        let p = net.parameters
        for e in p.entries {
            let rule = f.floats("init.\(prefix)\(e.name)")
            guard rule.count == 3 else { return }
            let (index, offset, scale) = (Int(rule[0]), Double(rule[1]), Double(rule[2]))
            let values = (0 ..< e.count).map { Float(offset + scale * (2 * Self.hashUniform(index, $0) - 1)) }
            p.load(values, into: e, block: .values)
            let sum = values.reduce(0.0) { $0 + Double($1) }
            XCTAssertEqual(sum, Double(f.floats("init_sum.\(prefix)\(e.name)")[0]), accuracy: 1e-4 * max(1, abs(sum)),
                           "the hash initialisation differs from the script's for \(prefix)\(e.name)")
        }
    }

    func testThreePhaseStepsMatchPyTorch() throws {
        let f = try fixture("steps.safetensors")
        let stats = f.floats("stats"), z = f.floats("z"), real = f.floats("real")
        let steps = stats.count / 4, batch = z.count / steps / DCGAN.latent
        XCTAssertGreaterThanOrEqual(steps, 2)
        let trainer = keep(DCGANTrainer(maxBatch: batch))
        initialise(trainer.generator, prefix: "G.", from: f)
        initialise(trainer.discriminator, prefix: "D.", from: f)
        for s in 0 ..< steps {
            let zs = matrix(batch, DCGAN.latent, Array(z[s * batch * DCGAN.latent ..< (s + 1) * batch * DCGAN.latent]))
            let xs = matrix(batch, DCGAN.imageSize, Array(real[s * batch * DCGAN.imageSize ..< (s + 1) * batch * DCGAN.imageSize]))
            let r = trainer.step(real: xs, noise: zs)
            let got = [r.discriminatorLoss, r.generatorLoss, r.realProbability, r.fakeProbability]
            assertClose(got, Array(stats[s * 4 ..< s * 4 + 4]), abs: 2e-5, rel: 1e-4, "step \(s + 1) [d_loss, g_loss, d_real, d_fake]")
        }
        // The losses must move, or the comparison above proves little.
        XCTAssertNotEqual(stats[0], stats[(steps - 1) * 4], "the fixture's D loss did not change")
        // A bias feeding a BatchNorm has a true gradient of 0 (the mean is subtracted again): both
        // sides compute rounding noise, which Adam normalises into steps of up to ~lr of either
        // sign. Those biases, and the running means they shift, may differ by 2·lr a step; the
        // rest must agree closely.
        let noiseOnly = 2 * Float(steps) * trainer.generatorOptimiser.learningRate
        for (prefix, net) in [("G.", trainer.generator), ("D.", trainer.discriminator)] {
            let beforeNorm = Set(net.layers.indices.dropLast().filter { net.layers[$0 + 1] is BatchNorm })
            for set in [net.parameters, net.buffers] {
                for e in set.entries {
                    let name = prefix + e.name
                    let index = Int(e.name.split(separator: ".")[0])!
                    let gradientIsZero = (e.name.hasSuffix(".bias") && beforeNorm.contains(index))
                        || (e.name.hasSuffix(".running_mean") && beforeNorm.contains(index - 1))
                    let values = set.array(e, of: .values)
                    let picked = f.floats("final_index.\(name)").map { values[Int($0)] }
                    assertClose(picked, f.floats("final_value.\(name)"), abs: gradientIsZero ? noiseOnly : 5e-5, rel: 1e-3,
                                "final \(name)")
                }
            }
        }
    }
}
