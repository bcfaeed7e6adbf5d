/// The activations of the reference networks, each with its forward and backward side by side.
///
/// Backward is expressed through the layer's *output* y, never its input: LeakyReLU's slope is
/// known from the sign of y, tanh' = 1 − y², so the forward pass needs to keep only its outputs.
public enum Activation: Sendable, Equatable {
    case identity
    case leakyReLU(slope: Float)
    case tanh
    case relu

    /// y = act(x + bias) in place over an `n × cols` block: one pass after the GEMM.
    @inlinable
    public func applyWithBias(_ m: Matrix, bias: UnsafeMutablePointer<Float>) {
        let cols = m.cols
        for r in 0 ..< m.rows {
            let row = m.base + r * cols
            switch self {
            case .identity:
                for c in 0 ..< cols { row[c] += bias[c] }
            case .leakyReLU(let slope):
                for c in 0 ..< cols {
                    let v = row[c] + bias[c]
                    row[c] = v > 0 ? v : v * slope
                }
            case .relu:
                for c in 0 ..< cols { row[c] = max(row[c] + bias[c], 0) }
            case .tanh:
                for c in 0 ..< cols { row[c] = fastTanh(row[c] + bias[c]) }
            }
        }
    }

    /// grad ← grad ⊙ act'(·), in place, given the forward outputs y.
    @inlinable
    public func backward(outputs y: Matrix, grad g: Matrix) {
        let n = g.count
        let yp = y.base, gp = g.base
        switch self {
        case .identity:
            break
        case .leakyReLU(let slope):
            for i in 0 ..< n where yp[i] <= 0 { gp[i] *= slope }
        case .relu:
            for i in 0 ..< n where yp[i] <= 0 { gp[i] = 0 }
        case .tanh:
            for i in 0 ..< n { gp[i] *= 1 - yp[i] * yp[i] }
        }
    }
}

/// tanh through exp, accurate to a few ulps and branch-free enough to vectorise.
@inlinable
public func fastTanh(_ x: Float) -> Float {
    // tanh(x) = 1 − 2 / (exp(2x) + 1); clamp so exp never overflows (tanh(±9) == ±1 in Float).
    let c = min(max(x, -9), 9)
    let e = expf(2 * c)
    return 1 - 2 / (e + 1)
}

/// The logistic function, stable for large |x|.
@inlinable
public func sigmoid(_ x: Float) -> Float {
    if x >= 0 {
        return 1 / (1 + expf(-x))
    }
    let e = expf(x)
    return e / (1 + e)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
