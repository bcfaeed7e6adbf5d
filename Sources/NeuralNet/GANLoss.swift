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

/// Which update rule trains a network (key `o`, `--optimizer`).
public enum OptimizerKind: String, CaseIterable, Sendable {
    case adam, sgd
    public var next: OptimizerKind { self == .adam ? .sgd : .adam }
}

/// An exponential moving average of a network's weights, the copy a GAN samples from:
/// the average of G's recent iterates is smoother and usually better than the last one
/// (Yazıcı et al. 2019, "The Unusual Effectiveness of Averaging in GAN Training").
public enum WeightAverage {
    /// average ← d·average + (1−d)·values, with d = min(decay, (1+t)/(warmup+t)) so that the
    /// average follows closely at first instead of lingering at the random initialisation: until
    /// `decay` caps it, the average spans about the last t/(warmup−1) updates.
    public static func update(_ average: ParameterSet, toward source: ParameterSet, decay: Float, updates t: Int,
                              warmup: Float = 10) {
        precondition(average.count == source.count)
        let d = min(decay, Float(1 + t) / (warmup + Float(t)))
        let streams = DisjointPointers(average.values, source.values)
        ParallelLoop.forEachChunk(of: source.count) { start, n in
            kernel(average: streams.pointers[0] + start, source: streams.pointers[1] + start, count: n, decay: d)
        }
    }

    @inlinable
    public static func kernel(average a: UnsafeMutablePointer<Float>, source s: UnsafeMutablePointer<Float>,
                              count: Int, decay d: Float) {
        typealias V = SIMD8<Float>
        let dv = V(repeating: d), ov = V(repeating: 1 - d)
        let vectorEnd = count & ~7
        var i = 0
        while i < vectorEnd {
            let ai = UnsafeRawPointer(a + i).loadUnaligned(as: V.self)
            let si = UnsafeRawPointer(s + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(a + i).storeBytes(of: dv * ai + ov * si, as: V.self)
            i += 8
        }
        while i < count { a[i] = d * a[i] + (1 - d) * s[i]; i += 1 }
    }
}
