/// Softmax cross-entropy on logits, the numerically stable way, for K-class classification:
///   ℓ(z, y) = logsumexp(z) − z_y = log Σ_k exp(z_k − m) − (z_y − m),  m = max_k z_k,
///   ∂ℓ/∂z_k = softmax(z)_k − [k = y].
/// Subtracting the row maximum keeps every exp(·) in (0, 1], so logits of ±1000 stay finite,
/// where exp(z) / Σ exp(z) would give inf/inf = NaN.
public enum SoftmaxCrossEntropy {
    /// Row-wise softmax of `logits` into `probabilities` (same shape; may be the same matrix).
    @inlinable
    public static func softmax(logits: Matrix, into probabilities: Matrix) {
        precondition(logits.rows == probabilities.rows && logits.cols == probabilities.cols, "softmax: shape mismatch")
        let k = logits.cols
        for r in 0 ..< logits.rows {
            let z = logits.base + r * k, p = probabilities.base + r * k
            var m = -Float.infinity
            for c in 0 ..< k { m = max(m, z[c]) }
            var sum: Float = 0
            for c in 0 ..< k {
                let e = expf(z[c] - m)
                p[c] = e
                sum += e
            }
            let inv = 1 / sum
            for c in 0 ..< k { p[c] *= inv }
        }
    }

    /// ℓ for one row of `count` logits and its true class.
    @inlinable
    public static func loss(logits z: UnsafePointer<Float>, count k: Int, label y: Int) -> Float {
        precondition(y >= 0 && y < k, "label \(y) out of range 0..<\(k)")
        var m = -Float.infinity
        for c in 0 ..< k { m = max(m, z[c]) }
        var sum: Float = 0
        for c in 0 ..< k { sum += expf(z[c] - m) }
        return logf(sum) - (z[y] - m)
    }

    /// Mean loss over the rows of `logits` (N × K, one example per row) against class labels,
    /// writing d(mean loss)/d(logit) = (softmax − onehot) / N into `gradient` (same shape; may be
    /// the logits themselves, as each row is read before it is written). Also counts the rows
    /// whose arg-max is the label, which training reports for free.
    @inlinable
    public static func meanLossAndGradient(logits: Matrix, labels: (Int) -> Int,
                                           gradient: Matrix) -> (loss: Float, correct: Int) {
        precondition(logits.rows == gradient.rows && logits.cols == gradient.cols, "gradient shape mismatch")
        let n = logits.rows, k = logits.cols
        let scale = 1 / Float(n)
        var total: Double = 0
        var correct = 0
        for r in 0 ..< n {
            let z = logits.base + r * k, g = gradient.base + r * k
            let y = labels(r)
            precondition(y >= 0 && y < k, "label \(y) out of range 0..<\(k)")
            var m = -Float.infinity, best = 0
            for c in 0 ..< k where z[c] > m {
                m = z[c]
                best = c
            }
            if best == y { correct += 1 }
            let zy = z[y]
            var sum: Float = 0
            for c in 0 ..< k {
                let e = expf(z[c] - m)
                g[c] = e
                sum += e
            }
            total += Double(logf(sum) - (zy - m))
            let inv = scale / sum
            for c in 0 ..< k { g[c] *= inv }
            g[y] -= scale
        }
        return (Float(total / Double(n)), correct)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
