import NeuralNet

/// LeakyReLU, ReLU (slope 0) and tanh. Backward works from the outputs, as `Activation` does:
/// the slope is known from the sign of y, tanh' = 1 − y². tanh is the MLP's vectorised rational
/// approximation (`ElementwiseKernels.biasTanh`, with a zero bias), not libm's `tanhf`.
public final class ActivationLayer: Layer {
    public enum Kind: Sendable, Equatable {
        case leakyReLU(slope: Float)
        case relu
        case tanh
    }

    public let kind: Kind
    public let inputSize: Int
    public var outputSize: Int { inputSize }

    /// tanh's zero bias (`inputSize` floats; the workspace starts zeroed and is never written).
    private var zeroBias: UnsafeMutablePointer<Float>?

    public init(_ kind: Kind, size: Int) {
        self.kind = kind
        inputSize = size
    }

    public func workspaceFloats(maxBatch: Int) -> Int { kind == .tanh ? inputSize : 0 }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) {
        if kind == .tanh { zeroBias = workspace }
    }

    // Both passes split the rows between the cores (each float on its own: bit-identical).
    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        let size = inputSize, kind = kind, zeroBias = zeroBias
        forEachSampleRange(x.rows, floatsPerSample: size) { rows, _ in
            let src = x.base + rows.lowerBound * size, dst = y.base + rows.lowerBound * size, n = rows.count * size
            switch kind {
            case .leakyReLU(let slope): for i in 0 ..< n { dst[i] = src[i] > 0 ? src[i] : slope * src[i] }
            case .relu: for i in 0 ..< n { dst[i] = max(src[i], 0) }
            case .tanh:
                dst.update(from: src, count: n)
                ElementwiseKernels.biasTanh(dst, bias: zeroBias!, count: size, rows: rows.count)
            }
        }
    }

    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        guard let dx else { return }
        let size = inputSize, kind = kind
        forEachSampleRange(dy.rows, floatsPerSample: size) { rows, _ in
            let start = rows.lowerBound * size, n = rows.count * size
            let out = y.base + start, g = dy.base + start, d = dx.base + start
            switch kind {
            case .leakyReLU(let slope): for i in 0 ..< n { d[i] = out[i] > 0 ? g[i] : slope * g[i] }
            // A multiply by a selected 1 or 0: `out > 0 ? g : 0` compiled to a branch, mispredicted
            // on every other float (3.6 ms for G's 64 × 12,544, against 0.3 for LeakyReLU's form).
            case .relu: for i in 0 ..< n { d[i] = g[i] * (out[i] > 0 ? 1 : 0) }
            case .tanh: for i in 0 ..< n { d[i] = g[i] * (1 - out[i] * out[i]) }
            }
        }
    }
}

/// `nn.Unflatten` / `nn.Flatten`: rows are already NCHW-flat, so the data is unchanged (a
/// `Sequential` passes it on without a copy); the layer exists so that the sequence (and its
/// PyTorch numbering) matches the module's.
public final class Reshape: Layer {
    public let inputSize: Int
    public var outputSize: Int { inputSize }
    /// The per-sample shape after the layer (for documentation and checks).
    public let shape: [Int]

    public init(to shape: [Int]) {
        self.shape = shape
        inputSize = shape.reduce(1, *)
    }

    public var passesInputThrough: Bool { true }
    /// (Called only outside a `Sequential`, which passes the rows on instead.)
    public func forward(_ x: Matrix, into y: Matrix, training: Bool) { y.copy(from: x) }

    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        dx?.copy(from: dy)
    }
}
