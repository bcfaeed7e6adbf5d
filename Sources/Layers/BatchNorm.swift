import NeuralNet

/// `nn.BatchNorm1d` (spatial 1) and `nn.BatchNorm2d` (spatial H·W) with PyTorch's semantics:
/// training normalises with the batch's biased variance and moves the running statistics by
/// `momentum` towards the batch mean and *unbiased* variance; eval normalises with the running ones.
/// `num_batches_tracked` is kept as a Float (exact up to 2²⁴ batches).
///
/// The passes run along memory: over each channel's contiguous run in eight lanes (2d), or over a
/// row's channels, which the compiler vectorises (1d, where a channel is one float per row).
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
    /// x̂ of the last forward, and the mean and 1/σ it used per channel.
    private var normalised: UnsafeMutablePointer<Float>!
    private var mean: UnsafeMutablePointer<Float>!, inverseStd: UnsafeMutablePointer<Float>!
    /// Per-channel sums of a pass (Σ x or Σ dy, and Σ (x − mean)² or Σ dy · x̂), and backward's γ/σ.
    private var sums: UnsafeMutablePointer<Float>!, products: UnsafeMutablePointer<Float>!
    private var scale: UnsafeMutablePointer<Float>!
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

    private var channelFloats: Int { (channels + 15) & ~15 }
    public func workspaceFloats(maxBatch: Int) -> Int { maxBatch * inputSize + 5 * channelFloats }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) {
        normalised = workspace
        let perChannel = workspace + maxBatch * inputSize
        (mean, inverseStd) = (perChannel, perChannel + channelFloats)
        (sums, products) = (perChannel + 2 * channelFloats, perChannel + 3 * channelFloats)
        scale = perChannel + 4 * channelFloats
    }

    /// sums[c] = Σ over channel c of `a` (and products[c] = Σ a · b, or Σ (a − mean)² when b is nil).
    /// 2d: each run in eight float lanes, the runs added up in double (the batch means of a backward
    /// feed straight into the weight gradient of the layer before, where the true sum nearly cancels).
    private func channelSums(_ a: UnsafePointer<Float>, rows: Int, times b: UnsafePointer<Float>?, deviations: Bool) {
        // the channels split between the cores: each channel's sum is one thread's, in one order
        let parts = ParallelLoop.parts(for: rows * inputSize), per = (channels + parts - 1) / parts
        ParallelLoop.run(parts) { part in
            let first = part * per
            self.channelSums(a, rows: rows, times: b, deviations: deviations, channels: first ..< min(self.channels, first + per))
        }
    }

    private func channelSums(_ a: UnsafePointer<Float>, rows: Int, times b: UnsafePointer<Float>?, deviations: Bool,
                             channels range: Range<Int>) {
        if spatial == 1 {
            for c in range { sums[c] = 0; products[c] = 0 }
            for r in 0 ..< rows {
                let (pa, s, q) = (a + r * inputSize, sums!, products!)
                if let b {
                    let pb = b + r * inputSize
                    for c in range { s[c] += pa[c]; q[c] += pa[c] * pb[c] }
                } else if deviations {
                    let m = mean!
                    for c in range { let d = pa[c] - m[c]; q[c] += d * d }
                } else {
                    for c in range { s[c] += pa[c] }
                }
            }
            return
        }
        for c in range {
            var sum = 0.0, product = 0.0
            for r in 0 ..< rows {
                let run = a + r * inputSize + c * spatial
                if let b {
                    sum += Double(vectorSum(run, spatial))
                    product += Double(vectorDot(run, b + r * inputSize + c * spatial, spatial))
                } else if deviations {
                    product += Double(vectorSquaredDeviations(run, spatial, mean: mean[c]))
                } else {
                    sum += Double(vectorSum(run, spatial))
                }
            }
            if b != nil || !deviations { sums[c] = Float(sum) }
            if b != nil || deviations { products[c] = Float(product) }
        }
    }

    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        lastForwardTrained = training
        let rows = x.rows, n = Float(rows * spatial)
        if training {
            channelSums(x.base, rows: rows, times: nil, deviations: false)
            for c in 0 ..< channels { mean[c] = sums[c] / n }
            channelSums(x.base, rows: rows, times: nil, deviations: true)
            for c in 0 ..< channels {
                let biased = products[c] / n
                inverseStd[c] = 1 / (biased + epsilon).squareRoot()
                let unbiased = rows * spatial > 1 ? products[c] / (n - 1) : biased
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c]
                runningVar[c] = (1 - momentum) * runningVar[c] + momentum * unbiased
            }
            batchesTracked.pointee += 1
        } else {
            for c in 0 ..< channels {
                mean[c] = runningMean[c]
                inverseStd[c] = 1 / (runningVar[c] + epsilon).squareRoot()
            }
        }
        forEachSampleRange(rows, floatsPerSample: inputSize) { range, _ in self.normalise(x, into: y, rows: range) }
    }

    private func normalise(_ x: Matrix, into y: Matrix, rows range: Range<Int>) {
        let (channels, spatial) = (channels, spatial)
        for r in range {
            let offset = r * inputSize
            let (src, xhat, out) = (x.base + offset, normalised + offset, y.base + offset)
            if spatial == 1 {
                let (m, s, g, bt) = (mean!, inverseStd!, gamma!, beta!)
                for c in 0 ..< channels {
                    xhat[c] = (src[c] - m[c]) * s[c]
                    out[c] = g[c] * xhat[c] + bt[c]
                }
            } else {
                for c in 0 ..< channels {
                    let (m, s, g, bt, o) = (mean[c], inverseStd[c], gamma[c], beta[c], c * spatial)
                    for i in o ..< o + spatial {
                        xhat[i] = (src[i] - m) * s
                        out[i] = g * xhat[i] + bt
                    }
                }
            }
        }
    }

    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        let rows = dy.rows, n = Float(rows * spatial)
        channelSums(dy.base, rows: rows, times: normalised, deviations: false)
        if parameterGradients {
            for c in 0 ..< channels {
                gammaGrad[c] += products[c]
                betaGrad[c] += sums[c]
            }
        }
        guard let dx else { return }
        // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)) in training (the batch statistics depend
        // on x), γ/σ · dy in eval. sums and products become the two means.
        let trained = lastForwardTrained
        for c in 0 ..< channels {
            scale[c] = gamma[c] * inverseStd[c]
            sums[c] = trained ? sums[c] / n : 0
            products[c] = trained ? products[c] / n : 0
        }
        let (channels, spatial, size) = (channels, spatial, inputSize)
        forEachSampleRange(rows, floatsPerSample: size) { range, _ in
            for r in range {
                let offset = r * size
                let (g, xhat, out) = (dy.base + offset, self.normalised + offset, dx.base + offset)
                if spatial == 1 {
                    let (scale, meanDy, meanDyXhat) = (self.scale!, sums!, products!)
                    for c in 0 ..< channels { out[c] = scale[c] * (g[c] - meanDy[c] - xhat[c] * meanDyXhat[c]) }
                } else {
                    for c in 0 ..< channels {
                        let (scale, meanDy, meanDyXhat, o) = (self.scale[c], sums[c], products[c], c * spatial)
                        for i in o ..< o + spatial { out[i] = scale * (g[i] - meanDy - xhat[i] * meanDyXhat) }
                    }
                }
            }
        }
    }
}
