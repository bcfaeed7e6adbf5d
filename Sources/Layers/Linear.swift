import NeuralNet

/// y = x · Wᵀ + b, W [out, in] as PyTorch's `nn.Linear` stores it.
public final class Linear: Layer {
    public let inputSize: Int
    public let outputSize: Int
    private var weight: Matrix!, weightGrad: Matrix!
    private var bias: UnsafeMutablePointer<Float>!, biasGrad: UnsafeMutablePointer<Float>!

    public init(_ inputs: Int, _ outputs: Int) {
        inputSize = inputs
        outputSize = outputs
    }

    public var parameterShapes: [(name: String, shape: [Int])] {
        [("weight", [outputSize, inputSize]), ("bias", [outputSize])]
    }

    public func bind(parameters: ParameterSet, buffers: ParameterSet, prefix: String) {
        let w = parameters.required(prefix + "weight")
        weight = parameters.value(w)
        weightGrad = parameters.grad(w)
        bias = parameters.valuePointer(prefix + "bias")
        biasGrad = parameters.gradPointer(prefix + "bias")
    }

    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        BLAS.gemm(x, weight, transposeB: true, into: y)
        for r in 0 ..< y.rows {
            let row = y.base + r * y.cols
            for c in 0 ..< y.cols { row[c] += bias[c] }
        }
    }

    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        if parameterGradients {
            BLAS.gemm(dy, transposeA: true, x, into: weightGrad, beta: 1)
            for r in 0 ..< dy.rows {
                let row = dy.base + r * dy.cols
                for c in 0 ..< dy.cols { biasGrad[c] += row[c] }
            }
        }
        if let dx { BLAS.gemm(dy, weight, into: dx) }
    }
}
