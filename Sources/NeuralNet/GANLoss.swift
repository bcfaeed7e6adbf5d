#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The GAN objectives a user can switch between while training (key `l`, `--g-loss`).
///
/// D's output is a logit z. With the two cross-entropy objectives D always minimises BCE
/// (real → 1, fake → 0) and only G's loss differs; least squares (LSGAN, Mao et al. 2017)
/// changes both, regressing D's raw output to the labels, because a least-squares G against a
/// cross-entropy D pushes logits towards a target that means nothing to that D.
public enum GANLoss: String, CaseIterable, Sendable {
    /// G minimises −log D(G(z)): strong gradients while D rejects the fakes (Goodfellow et al.'s fix).
    case nonSaturating = "ns"
    /// G minimises log(1 − D(G(z))): the paper's minimax game, whose gradient vanishes while D wins.
    case minimax
    /// D: ½(z−1)² on real, ½z² on fake; G: ½(z−1)² on fakes.
    case leastSquares = "ls"

    public var description: String {
        switch self {
        case .nonSaturating: "non-saturating"
        case .minimax: "minimax"
        case .leastSquares: "least squares"
        }
    }

    public var next: GANLoss {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// What the status bar calls D(x): σ(z) for the cross-entropy objectives, z itself for least squares.
    @inlinable
    public func discriminatorOutput(logit z: Float) -> Float {
        self == .leastSquares ? z : sigmoid(z)
    }

    /// D's mean loss against `targets`, with dLoss/dz written into `gradient`.
    @inlinable
    public func discriminatorLoss(logits: Matrix, targets: (Int) -> Float, gradient: Matrix) -> Float {
        if self != .leastSquares {
            return BinaryCrossEntropy.meanLossAndGradient(logits: logits, targets: targets, gradient: gradient).loss
        }
        return LeastSquares.meanLossAndGradient(logits: logits, targets: targets, gradient: gradient)
    }

    /// G's mean loss over D's outputs on the fakes, with dLoss/dz written into `gradient`.
    @inlinable
    public func generatorLoss(logits: Matrix, gradient: Matrix) -> Float {
        switch self {
        case .nonSaturating:
            return BinaryCrossEntropy.meanLossAndGradient(logits: logits, targets: { _ in 1 }, gradient: gradient).loss
        case .leastSquares:
            return LeastSquares.meanLossAndGradient(logits: logits, targets: { _ in 1 }, gradient: gradient)
        case .minimax:
            // log(1 − σ(z)) = −softplus(z), d/dz = −σ(z).
            let n = logits.count, scale = 1 / Float(n)
            var total: Double = 0
            for i in 0 ..< n {
                let z = logits.base[i]
                total -= Double(max(z, 0) + log1pf(expf(-abs(z))))
                gradient.base[i] = -sigmoid(z) * scale
            }
            return Float(total / Double(n))
        }
    }
}

/// Mean of ½(z − y)² and its gradient (z − y)/n.
public enum LeastSquares {
    @inlinable
    public static func meanLossAndGradient(logits: Matrix, targets: (Int) -> Float, gradient: Matrix) -> Float {
        let n = logits.count, scale = 1 / Float(n)
        var total: Double = 0
        for i in 0 ..< n {
            let r = logits.base[i] - targets(i)
            total += Double(0.5 * r * r)
            gradient.base[i] = r * scale
        }
        return Float(total / Double(n))
    }
}
