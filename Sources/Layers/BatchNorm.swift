import NeuralNet

/// `nn.BatchNorm1d` (spatial 1) and `nn.BatchNorm2d` (spatial H·W) with PyTorch's semantics:
/// training normalises with the batch's biased variance and moves the running statistics by
/// `momentum` towards the batch mean and *unbiased* variance; eval normalises with the running ones.
/// `num_batches_tracked` is kept as a Float (exact up to 2²⁴ batches).
public final class BatchNorm: Layer {
    public let channels: Int
    public let spatial: Int
    public let momentum: Float
    public let epsilon: Float
    public var inputSize: Int { channels * spatial }
    public var outputSize: Int { inputSize }

    private var gamma: UnsafeMutablePointer<Float>!, beta: UnsafeMutablePointer<Float>!
    private var gammaGrad: UnsafeMutablePointer<Float>!, betaGrad: UnsafeMutablePointer<Float>!
    private var runningMean: UnsafeMutablePointer<Float>!, runningVar: UnsafeMutablePointer<Float>!
    private var batchesTracked: UnsafeMutablePointer<Float>!
    /// x̂ of the last forward, and the 1/σ it used per channel.
    private var normalised: UnsafeMutablePointer<Float>!, inverseStd: UnsafeMutablePointer<Float>!
    private var lastForwardTrained = true

    public init(channels: Int, spatial: Int = 1, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        (self.channels, self.spatial, self.momentum, self.epsilon) = (channels, spatial, momentum, epsilon)
    }

    public var parameterShapes: [(name: String, shape: [Int])] { [("weight", [channels]), ("bias", [channels])] }
    public var bufferShapes: [(name: String, shape: [Int])] {
        [("running_mean", [channels]), ("running_var", [channels]), ("num_batches_tracked", [])]
    }

    public func bind(parameters: ParameterSet, buffers: ParameterSet, prefix: String) {
        gamma = parameters.valuePointer(prefix + "weight")
        beta = parameters.valuePointer(prefix + "bias")
        gammaGrad = parameters.gradPointer(prefix + "weight")
        betaGrad = parameters.gradPointer(prefix + "bias")
        runningMean = buffers.valuePointer(prefix + "running_mean")
        runningVar = buffers.valuePointer(prefix + "running_var")
        batchesTracked = buffers.valuePointer(prefix + "num_batches_tracked")
        // PyTorch's initial state: γ = 1, β = 0, running mean 0, running var 1.
        gamma.update(repeating: 1, count: channels)
        beta.update(repeating: 0, count: channels)
        runningMean.update(repeating: 0, count: channels)
        runningVar.update(repeating: 1, count: channels)
        batchesTracked.pointee = 0
    }

    public func workspaceFloats(maxBatch: Int) -> Int { maxBatch * inputSize + channels }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) {
        normalised = workspace
        inverseStd = workspace + maxBatch * inputSize
    }

    /// Visits channel c's values in every sample: `body(pointer to its spatial run)`.
    private func eachRun(_ base: UnsafeMutablePointer<Float>, rows: Int, channel c: Int,
                         _ body: (UnsafeMutablePointer<Float>, Int) -> Void) {
        for b in 0 ..< rows { body(base + b * inputSize + c * spatial, b * inputSize + c * spatial) }
    }

    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        lastForwardTrained = training
        let rows = x.rows, n = rows * spatial
        for c in 0 ..< channels {
            var mean: Float, invStd: Float
            if training {
                var sum = 0.0
                eachRun(x.base, rows: rows, channel: c) { p, _ in for i in 0 ..< spatial { sum += Double(p[i]) } }
                let m = sum / Double(n)
                var squares = 0.0
                eachRun(x.base, rows: rows, channel: c) { p, _ in
                    for i in 0 ..< spatial { let d = Double(p[i]) - m; squares += d * d }
                }
                let biased = squares / Double(n)
                mean = Float(m)
                invStd = Float(1 / (biased + Double(epsilon)).squareRoot())
                let unbiased = n > 1 ? squares / Double(n - 1) : biased
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean
                runningVar[c] = (1 - momentum) * runningVar[c] + momentum * Float(unbiased)
            } else {
                mean = runningMean[c]
                invStd = 1 / (runningVar[c] + epsilon).squareRoot()
            }
            inverseStd[c] = invStd
            let (g, bt) = (gamma[c], beta[c])
            eachRun(x.base, rows: rows, channel: c) { p, offset in
                let out = y.base + offset, xhat = normalised + offset
                for i in 0 ..< spatial {
                    xhat[i] = (p[i] - mean) * invStd
                    out[i] = g * xhat[i] + bt
                }
            }
        }
        if training { batchesTracked.pointee += 1 }
    }

    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        let rows = dy.rows, n = Double(rows * spatial)
        for c in 0 ..< channels {
            var sumDy = 0.0, sumDyXhat = 0.0
            eachRun(dy.base, rows: rows, channel: c) { g, offset in
                let xhat = normalised + offset
                for i in 0 ..< spatial { sumDy += Double(g[i]); sumDyXhat += Double(g[i]) * Double(xhat[i]) }
            }
            if parameterGradients {
                gammaGrad[c] += Float(sumDyXhat)
                betaGrad[c] += Float(sumDy)
            }
            guard let dx else { continue }
            let scale = gamma[c] * inverseStd[c]
            if lastForwardTrained {
                // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)): the batch statistics depend on x.
                let meanDy = Float(sumDy / n), meanDyXhat = Float(sumDyXhat / n)
                eachRun(dy.base, rows: rows, channel: c) { g, offset in
                    let xhat = normalised + offset, out = dx.base + offset
                    for i in 0 ..< spatial { out[i] = scale * (g[i] - meanDy - xhat[i] * meanDyXhat) }
                }
            } else {
                eachRun(dy.base, rows: rows, channel: c) { g, offset in
                    let out = dx.base + offset
                    for i in 0 ..< spatial { out[i] = scale * g[i] }
                }
            }
        }
    }
}
