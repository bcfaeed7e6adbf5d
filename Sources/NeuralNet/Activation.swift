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
    public func applyWithBias(_ m: Matrix, bias: UnsafeMutablePointer<Float>) {
        switch self {
        case .identity:
            for r in 0 ..< m.rows {
                let row = m.base + r * m.cols
                for c in 0 ..< m.cols { row[c] += bias[c] }
            }
        case .leakyReLU(let slope): ElementwiseKernels.biasLeakyReLU(m.base, bias: bias, count: m.cols, rows: m.rows, slope: slope)
        case .relu: ElementwiseKernels.biasLeakyReLU(m.base, bias: bias, count: m.cols, rows: m.rows, slope: 0)
        case .tanh: ElementwiseKernels.biasTanh(m.base, bias: bias, count: m.cols, rows: m.rows)
        }
    }

    /// Whether `backward` needs only the sign of the output (piecewise-linear activations):
    /// then a positively scaled or zeroed output (dropout) still gives the right derivative.
    public var backwardNeedsOnlySign: Bool {
        switch self {
        case .identity, .leakyReLU, .relu: true
        case .tanh: false
        }
    }

    /// grad ← grad ⊙ act'(·), in place, given the forward outputs y.
    public func backward(outputs y: Matrix, grad g: Matrix) {
        switch self {
        case .identity:
            break
        case .leakyReLU(let slope):
            ElementwiseKernels.leakyReLUBackward(outputs: y.base, grad: g.base, count: g.count, slope: slope)
        case .relu:
            ElementwiseKernels.leakyReLUBackward(outputs: y.base, grad: g.base, count: g.count, slope: 0)
        case .tanh:
            ElementwiseKernels.tanhBackward(outputs: y.base, grad: g.base, count: g.count)
        }
    }
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
