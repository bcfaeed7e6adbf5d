import NeuralNet

/// `nn.Conv2d(in, out, kernel, stride, padding)`, weight [out, in, k, k], as one product per block of
/// samples (`BatchLayout`): the block's columns side by side, cols [in·k·k, count·positions], then
/// Y = W · cols, dW += dY · colsᵀ and dcols = Wᵀ · dY.
///
/// Every pass hands whole blocks to the cores, and a block's columns live only in its core's L2:
/// im2col, the products and col2im run on them one after the other. Backward writes its columns
/// again rather than keeping the forward's (12.8 MB for D's second layer at B = 64, out to memory
/// and back): im2col is cheaper than that round trip. The weight gradient is summed in two fixed
/// halves of the batch (`WeightGradientHalves`), so it does not depend on which core ran which.
public final class Conv2d: Layer {
    public let geometry: ConvolutionGeometry
    public let outputChannels: Int
    public var inputSize: Int { geometry.imageSize }
    public var outputSize: Int { outputChannels * geometry.positions }
    private var weight: Matrix!, weightGrad: Matrix!
    private var bias: UnsafeMutablePointer<Float>!, biasGrad: UnsafeMutablePointer<Float>!
    /// The product Y (forward) or dY (backward), [outputChannels, batch · positions] in blocks.
    private var product: UnsafeMutablePointer<Float>!
    /// Each thread's block of columns (and then, in backward, of their gradient).
    private var blockColumns: UnsafeMutablePointer<Float>!
    /// Each thread's phase planes for im2col / col2im.
    private var planes: UnsafeMutablePointer<Float>!
    private var halves: WeightGradientHalves!

    public init(_ inputChannels: Int, _ outputChannels: Int, kernel: Int, stride: Int, padding: Int,
                height: Int, width: Int) {
        geometry = ConvolutionGeometry(channels: inputChannels, height: height, width: width,
                                       kernel: kernel, stride: stride, padding: padding)
        self.outputChannels = outputChannels
    }

    public var parameterShapes: [(name: String, shape: [Int])] {
        [("weight", [outputChannels, geometry.channels, geometry.kernel, geometry.kernel]), ("bias", [outputChannels])]
    }

    public func bind(parameters: ParameterSet, buffers: ParameterSet, prefix: String) {
        let w = parameters.required(prefix + "weight")
        weight = Matrix(base: parameters.values + w.offset, rows: outputChannels, cols: geometry.patchSize)
        weightGrad = Matrix(base: parameters.grads + w.offset, rows: outputChannels, cols: geometry.patchSize)
        bias = parameters.valuePointer(prefix + "bias")
        biasGrad = parameters.gradPointer(prefix + "bias")
    }

    private var columnFloats: Int { geometry.patchSize * geometry.positions }
    private var blockColumnFloats: Int { (BatchLayout.samplesPerBlock * columnFloats + 15) & ~15 }
    public func workspaceFloats(maxBatch: Int) -> Int {
        maxBatch * outputSize + 2 * blockColumnFloats + blockScratchFloats(geometry)
            + WeightGradientHalves.floats(weights: outputChannels * geometry.patchSize, biases: outputChannels)
    }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) {
        product = workspace
        blockColumns = product + maxBatch * outputSize
        planes = blockColumns + 2 * blockColumnFloats
        halves = WeightGradientHalves(planes + blockScratchFloats(geometry), weights: outputChannels * geometry.patchSize,
                                      biases: outputChannels)
    }

    private var layout: BatchLayout { BatchLayout(channels: outputChannels, size: geometry.positions) }

    /// The block's columns in this worker's block buffer.
    private func columns(of x: Matrix, first: Int, count: Int, worker: Int) -> UnsafeMutablePointer<Float> {
        let g = geometry, cols = blockColumns + worker * blockColumnFloats
        for b in 0 ..< count {
            g.im2col(x.base + (first + b) * g.imageSize, into: cols + b * g.positions, rowStride: count * g.positions,
                     scratch: planes + worker * blockScratchFloats(g) / 2)
        }
        return cols
    }

    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        let batch = x.rows, g = geometry
        let (k, p) = (g.patchSize, g.positions)
        BatchLayout.forEachBlockOnTheCores(batch) { first, count, worker in
            let cols = columns(of: x, first: first, count: count, worker: worker)
            BLAS.gemmOnThisThread(weight, Matrix(base: cols, rows: k, cols: count * p),
                                  into: Matrix(base: product + first * outputChannels * p, rows: outputChannels, cols: count * p))
            layout.toSamples(product, y.base, first: first, count: count, batch: batch, bias: bias)
        }
    }

    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        let batch = dy.rows, g = geometry
        guard parameterGradients || dx != nil else { return }
        let (k, p) = (g.patchSize, g.positions)
        let block = { (first: Int, count: Int, worker: Int, half: Int?) in
            let d = Matrix(base: self.product + first * self.outputChannels * p, rows: self.outputChannels, cols: count * p)
            self.layout.toChannelMajor(dy.base, self.product, first: first, count: count, batch: batch)
            var cols: UnsafeMutablePointer<Float>
            if let half {
                cols = self.columns(of: x, first: first, count: count, worker: worker)
                let (w, b) = self.halves.gradients(half, weight: self.weightGrad.base, bias: self.biasGrad)
                BLAS.gemmOnThisThread(d, Matrix(base: cols, rows: k, cols: count * p), transposeB: true,
                                      into: Matrix(base: w, rows: self.outputChannels, cols: k), beta: 1)
                addRowSums(d.base, into: b, rows: self.outputChannels, length: count * p)
            } else {
                cols = self.blockColumns + worker * self.blockColumnFloats
            }
            guard let dx else { return }
            // the columns are spent: their gradient takes their place
            BLAS.gemmOnThisThread(self.weight, transposeA: true, d, into: Matrix(base: cols, rows: k, cols: count * p))
            for b in 0 ..< count {
                let image = dx.base + (first + b) * g.imageSize
                image.update(repeating: 0, count: g.imageSize)
                g.col2imAdding(cols + b * p, into: image, rowStride: count * p,
                               scratch: self.planes + worker * blockScratchFloats(g) / 2)
            }
        }
        if parameterGradients {
            halves.accumulate(batch, into: weightGrad.base, biasGrad) { first, count, worker, half in block(first, count, worker, half) }
        } else {
            // D's input gradient alone (G's step through D)
            BatchLayout.forEachBlockOnTheCores(batch) { first, count, worker in block(first, count, worker, nil) }
        }
    }
}

/// `nn.ConvTranspose2d(in, out, kernel, stride, padding)`, weight [in, out, k, k]: the adjoint of
/// a convolution from the *output* image, as one product per block of samples (`BatchLayout`): with X
/// a block's inputs channel-major [in, count · positions], y = col2im(Wᵀ · X), dW += X · im2col(dy)ᵀ,
/// dX = W · im2col(dy).
///
/// Backward overwrites the channel-major inputs its forward kept: one backward per forward.
public final class ConvTranspose2d: Layer {
    public let inputChannels: Int
    /// The convolution whose adjoint this is: over the output image, producing the input's size.
    public let geometry: ConvolutionGeometry
    public var inputSize: Int { inputChannels * geometry.positions }
    public var outputSize: Int { geometry.imageSize }
    private var weight: Matrix!, weightGrad: Matrix!
    private var bias: UnsafeMutablePointer<Float>!, biasGrad: UnsafeMutablePointer<Float>!
    /// One block's cols [patchSize, count · positions]: Wᵀ · X (forward), im2col(dy) (backward),
    /// used while in cache.
    private var columns: UnsafeMutablePointer<Float>!
    /// X [inputChannels, batch · positions] of the last forward (dX after backward).
    private var inputs: UnsafeMutablePointer<Float>!
    /// Each thread's phase planes for im2col / col2im.
    private var planes: UnsafeMutablePointer<Float>!
    private var halves: WeightGradientHalves!

    public init(_ inputChannels: Int, _ outputChannels: Int, kernel: Int, stride: Int, padding: Int,
                height: Int, width: Int) {
        self.inputChannels = inputChannels
        geometry = ConvolutionGeometry(channels: outputChannels,
                                       height: (height - 1) * stride - 2 * padding + kernel,
                                       width: (width - 1) * stride - 2 * padding + kernel,
                                       kernel: kernel, stride: stride, padding: padding)
        precondition(geometry.outputHeight == height && geometry.outputWidth == width)
    }

    public var parameterShapes: [(name: String, shape: [Int])] {
        [("weight", [inputChannels, geometry.channels, geometry.kernel, geometry.kernel]), ("bias", [geometry.channels])]
    }

    public func bind(parameters: ParameterSet, buffers: ParameterSet, prefix: String) {
        let w = parameters.required(prefix + "weight")
        weight = Matrix(base: parameters.values + w.offset, rows: inputChannels, cols: geometry.patchSize)
        weightGrad = Matrix(base: parameters.grads + w.offset, rows: inputChannels, cols: geometry.patchSize)
        bias = parameters.valuePointer(prefix + "bias")
        biasGrad = parameters.gradPointer(prefix + "bias")
    }

    private var blockColumnFloats: Int { (BatchLayout.samplesPerBlock * geometry.patchSize * geometry.positions + 15) & ~15 }
    /// Two blocks of columns, one per thread.
    public func workspaceFloats(maxBatch: Int) -> Int {
        2 * blockColumnFloats + maxBatch * inputSize + blockScratchFloats(geometry)
            + WeightGradientHalves.floats(weights: inputChannels * geometry.patchSize, biases: geometry.channels)
    }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) {
        columns = workspace
        inputs = workspace + 2 * blockColumnFloats
        planes = inputs + maxBatch * inputSize
        halves = WeightGradientHalves(planes + blockScratchFloats(geometry), weights: inputChannels * geometry.patchSize,
                                      biases: geometry.channels)
    }

    private var layout: BatchLayout { BatchLayout(channels: inputChannels, size: geometry.positions) }

    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        let batch = x.rows, g = geometry
        let (k, p) = (g.patchSize, g.positions)
        BatchLayout.forEachBlockOnTheCores(batch) { first, count, worker in
            layout.toChannelMajor(x.base, inputs, first: first, count: count, batch: batch)
            let cols = columns + worker * blockColumnFloats
            BLAS.gemmOnThisThread(weight, transposeA: true,
                                  Matrix(base: inputs + first * inputChannels * p, rows: inputChannels, cols: count * p),
                                  into: Matrix(base: cols, rows: k, cols: count * p))
            for b in 0 ..< count {
                let image = y.base + (first + b) * g.imageSize
                image.update(repeating: 0, count: g.imageSize)
                g.col2imAdding(cols + b * p, into: image, rowStride: count * p, scratch: planes + worker * blockScratchFloats(g) / 2)
                addChannelBias(image, bias, channels: g.channels, size: g.height * g.width)
            }
        }
    }

    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        let batch = dy.rows, g = geometry
        guard parameterGradients || dx != nil else { return }
        let (k, p) = (g.patchSize, g.positions)
        let size = g.height * g.width
        let block = { (first: Int, count: Int, worker: Int, half: Int?) in
            let cols = self.columns + worker * self.blockColumnFloats
            for b in 0 ..< count {
                g.im2col(dy.base + (first + b) * g.imageSize, into: cols + b * p, rowStride: count * p,
                         scratch: self.planes + worker * blockScratchFloats(g) / 2)
            }
            let c = Matrix(base: cols, rows: k, cols: count * p)
            let xs = Matrix(base: self.inputs + first * self.inputChannels * p, rows: self.inputChannels, cols: count * p)
            if let half {
                let (w, bias) = self.halves.gradients(half, weight: self.weightGrad.base, bias: self.biasGrad)
                BLAS.gemmOnThisThread(xs, c, transposeB: true, into: Matrix(base: w, rows: self.inputChannels, cols: k), beta: 1)
                for b in first ..< first + count {
                    for ch in 0 ..< g.channels { bias[ch] += vectorSum(dy.base + b * g.imageSize + ch * size, size) }
                }
            }
            // dX takes the place of the inputs it no longer needs
            if dx != nil { BLAS.gemmOnThisThread(self.weight, c, into: xs) }
        }
        if parameterGradients {
            halves.accumulate(batch, into: weightGrad.base, biasGrad) { first, count, worker, half in block(first, count, worker, half) }
        } else {
            BatchLayout.forEachBlockOnTheCores(batch) { first, count, worker in block(first, count, worker, nil) }
        }
        if let dx { layout.toSamples(inputs, dx.base, batch: batch) }
    }
}

/// Floats of per-thread scratch im2col and col2im need (two threads).
func blockScratchFloats(_ g: ConvolutionGeometry) -> Int { 2 * ((g.scratchFloats + 15) & ~15) }
