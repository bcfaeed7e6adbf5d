/// Binary cross-entropy on logits, the numerically stable way:
///   ℓ(z, y) = max(z, 0) − z·y + log(1 + exp(−|z|)),   dℓ/dz = σ(z) − y.
/// Finite and exact for logits of ±100 and beyond, where log(σ(z)) would give −inf.
public enum BinaryCrossEntropy {
    @inlinable
    public static func loss(logit z: Float, target y: Float) -> Float {
        max(z, 0) - z * y + log1pf(expf(-abs(z)))
    }

    /// Mean loss over `logits` (any shape, one logit per element) against targets,
    /// writing dMeanLoss/dLogit into `gradient`. Also returns mean σ(z), i.e. mean D(x).
    @inlinable
    public static func meanLossAndGradient(logits: Matrix, targets: (Int) -> Float,
                                           gradient: Matrix) -> (loss: Float, meanProbability: Float) {
        let n = logits.count
        let scale = 1 / Float(n)
        var total: Double = 0
        var probability: Double = 0
        for i in 0 ..< n {
            let z = logits.base[i], y = targets(i)
            let p = sigmoid(z)
            total += Double(loss(logit: z, target: y))
            probability += Double(p)
            gradient.base[i] = (p - y) * scale
        }
        return (Float(total / Double(n)), Float(probability / Double(n)))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
