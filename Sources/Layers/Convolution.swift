import NeuralNet

/// `nn.Conv2d(in, out, kernel, stride, padding)`, weight [out, in, k, k], as one product per block of
/// samples (`BatchLayout`): the block's columns side by side, cols [in·k·k, count·positions], then
/// Y = W · cols, dW += dY · colsᵀ and dcols = Wᵀ · dY, each split between the cores by `BLAS.gemm`.
///
/// Each block's column gradient goes back into dx (col2im) while it is still in cache.
public final class Conv2d: Layer {
    public let geometry: ConvolutionGeometry
    public let outputChannels: Int
    public var inputSize: Int { geometry.imageSize }
    public var outputSize: Int { outputChannels * geometry.positions }
    private var weight: Matrix!, weightGrad: Matrix!
    private var bias: UnsafeMutablePointer<Float>!, biasGrad: UnsafeMutablePointer<Float>!
    /// cols [patchSize, batch · positions] of the last forward (their gradient after backward).
    private var columns: UnsafeMutablePointer<Float>!
    /// The product Y (forward) or dY (backward), [outputChannels, batch · positions].
    private var product: UnsafeMutablePointer<Float>!
    /// Each thread's block column gradient, col2im'd into dx while it is in cache.
    private var blockGradient: UnsafeMutablePointer<Float>!
    /// Each thread's phase planes for im2col / col2im.
    private var planes: UnsafeMutablePointer<Float>!
    /// false: forward writes each block's columns into its core's block buffer (in L2) and keeps none,
    /// for a backward without weight gradients (G's step through D), instead of writing the whole
    /// batch's (12.8 MB for D's second layer at B = 64) out to memory for nothing.
    public var keepsColumns = true
    /// Whether the last forward kept its columns (what a weight gradient needs).
    private var columnsKept = false

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
    public func workspaceFloats(maxBatch: Int) -> Int {
        maxBatch * (columnFloats + outputSize) + 2 * blockColumnFloats + blockScratchFloats(geometry)
    }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) {
        columns = workspace
        product = workspace + maxBatch * columnFloats
        blockGradient = product + maxBatch * outputSize
        planes = blockGradient + 2 * blockColumnFloats
    }
    private var blockColumnFloats: Int { (BatchLayout.samplesPerBlock * columnFloats + 15) & ~15 }

    private var layout: BatchLayout { BatchLayout(channels: outputChannels, size: geometry.positions) }

    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        let batch = x.rows, g = geometry
        let (k, p) = (g.patchSize, g.positions)
        let keep = keepsColumns
        columnsKept = keep
        BatchLayout.forEachBlockOnTheCores(batch) { first, count, worker in
            let cols = keep ? columns + first * k * p : blockGradient + worker * blockColumnFloats
            for b in 0 ..< count {
                g.im2col(x.base + (first + b) * g.imageSize, into: cols + b * p, rowStride: count * p,
                         scratch: planes + worker * blockScratchFloats(g) / 2)
            }
            BLAS.gemmOnThisThread(weight, Matrix(base: cols, rows: k, cols: count * p),
                                  into: Matrix(base: product + first * outputChannels * p, rows: outputChannels, cols: count * p))
        }
        layout.toSamples(product, y.base, batch: batch, bias: bias)
    }

    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        let batch = dy.rows, g = geometry
        guard parameterGradients || dx != nil else { return }
        layout.toChannelMajor(dy.base, product, batch: batch)
        let (k, p) = (g.patchSize, g.positions)
        if !parameterGradients, let dx {
            // D's input gradient alone (G's step): each block on one core, from its product to dx.
            BatchLayout.forEachBlockOnTheCores(batch) { first, count, worker in
                let d = Matrix(base: product + first * outputChannels * p, rows: outputChannels, cols: count * p)
                let dcols = blockGradient + worker * blockColumnFloats
                BLAS.gemmOnThisThread(weight, transposeA: true, d, into: Matrix(base: dcols, rows: k, cols: count * p))
                for b in 0 ..< count {
                    let image = dx.base + (first + b) * g.imageSize
                    image.update(repeating: 0, count: g.imageSize)
                    g.col2imAdding(dcols + b * p, into: image, rowStride: count * p,
                                   scratch: planes + worker * blockScratchFloats(g) / 2)
                }
            }
            return
        }
        precondition(columnsKept, "Conv2d: a weight gradient after a forward that kept no columns")
        BatchLayout.forEachBlock(batch) { first, count in
            let d = Matrix(base: product + first * outputChannels * p, rows: outputChannels, cols: count * p)
            let cols = Matrix(base: columns + first * k * p, rows: k, cols: count * p)
            if parameterGradients {
                BLAS.gemm(d, cols, transposeB: true, into: weightGrad, beta: 1)
                addRowSums(d.base, into: biasGrad, rows: outputChannels, length: count * p)
            }
            if let dx {
                BLAS.gemm(weight, transposeA: true, d, into: Matrix(base: blockGradient, rows: k, cols: count * p))
                col2imBlock(blockGradient, into: dx.base + first * g.imageSize, count: count, geometry: g, scratch: planes)
            }
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
    /// Two blocks of columns: one per thread in forward, the first alone in backward.
    public func workspaceFloats(maxBatch: Int) -> Int { 2 * blockColumnFloats + maxBatch * inputSize + blockScratchFloats(geometry) }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) {
        columns = workspace
        inputs = workspace + 2 * blockColumnFloats
        planes = inputs + maxBatch * inputSize
    }

    private var layout: BatchLayout { BatchLayout(channels: inputChannels, size: geometry.positions) }

    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        let batch = x.rows, g = geometry
        layout.toChannelMajor(x.base, inputs, batch: batch)
        let (k, p) = (g.patchSize, g.positions)
        BatchLayout.forEachBlockOnTheCores(batch) { first, count, worker in
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
        BatchLayout.forEachBlock(batch) { first, count in
            im2colBlock(dy.base + first * g.imageSize, into: columns, count: count, geometry: g, scratch: planes)
            let cols = Matrix(base: columns, rows: k, cols: count * p)
            let xs = Matrix(base: inputs + first * inputChannels * p, rows: inputChannels, cols: count * p)
            if parameterGradients { BLAS.gemm(xs, cols, transposeB: true, into: weightGrad, beta: 1) }
            if dx != nil { BLAS.gemm(weight, cols, into: xs) }
        }
        if parameterGradients {
            let size = g.height * g.width
            for b in 0 ..< batch {
                for c in 0 ..< g.channels { biasGrad[c] += vectorSum(dy.base + b * g.imageSize + c * size, size) }
            }
        }
        if let dx { layout.toSamples(inputs, dx.base, batch: batch) }
    }
}

/// Floats of per-thread scratch `im2colBlock` and `col2imBlock` need (two threads).
func blockScratchFloats(_ g: ConvolutionGeometry) -> Int { 2 * ((g.scratchFloats + 15) & ~15) }

/// im2col of the `count` samples of one block into its columns (`BatchLayout`), on both cores.
func im2colBlock(_ images: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, count batch: Int,
                 geometry g: ConvolutionGeometry, scratch: UnsafeMutablePointer<Float>) {
    let p = DisjointPointers(UnsafeMutablePointer(mutating: images), columns, scratch)
    let perThread = blockScratchFloats(g) / 2
    forEachSampleRange(batch, floatsPerSample: g.patchSize * g.positions) { range, worker in
        for b in range {
            let (offset, ld) = BatchLayout.place(b, batch: batch, floatsPerSample: g.patchSize * g.positions, size: g.positions)
            g.im2col(p.pointers[0] + b * g.imageSize, into: p.pointers[1] + offset, rowStride: ld,
                     scratch: p.pointers[2] + worker * perThread)
        }
    }
}

/// The `count` images of one block = col2im of their columns (`BatchLayout`), plus bias[c] when
/// given, on both cores.
func col2imBlock(_ columns: UnsafePointer<Float>, into images: UnsafeMutablePointer<Float>, count batch: Int,
                 geometry g: ConvolutionGeometry, scratch: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>? = nil) {
    let p = DisjointPointers(UnsafeMutablePointer(mutating: columns), images, scratch)
    let b0 = OptionalBias(bias)
    let perThread = blockScratchFloats(g) / 2
    forEachSampleRange(batch, floatsPerSample: g.patchSize * g.positions) { range, worker in
        for b in range {
            let (offset, ld) = BatchLayout.place(b, batch: batch, floatsPerSample: g.patchSize * g.positions, size: g.positions)
            let image = p.pointers[1] + b * g.imageSize
            image.update(repeating: 0, count: g.imageSize)
            g.col2imAdding(p.pointers[0] + offset, into: image, rowStride: ld, scratch: p.pointers[2] + worker * perThread)
            if let bias = b0.pointer { addChannelBias(image, UnsafeMutablePointer(mutating: bias), channels: g.channels, size: g.height * g.width) }
        }
    }
}
