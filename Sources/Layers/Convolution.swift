import NeuralNet

/// The geometry of a square-kernel convolution over one C×H×W image, and the two rearrangements
/// that turn it into a matrix product: im2col (patches as columns) and its adjoint col2im.
public struct ConvolutionGeometry: Sendable, Equatable {
    public let channels, height, width, kernel, stride, padding: Int
    public var outputHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    /// Rows of the column matrix: one per (channel, ky, kx), PyTorch's weight order.
    public var patchSize: Int { channels * kernel * kernel }
    public var positions: Int { outputHeight * outputWidth }

    public init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        precondition(kernel >= 1 && stride >= 1 && padding >= 0 && height + 2 * padding >= kernel)
        (self.channels, self.height, self.width) = (channels, height, width)
        (self.kernel, self.stride, self.padding) = (kernel, stride, padding)
    }

    /// cols [patchSize, positions] from image [channels, height, width]; padding reads as 0.
    public func im2col(_ image: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (outputHeight, outputWidth)
        for c in 0 ..< channels {
            for ky in 0 ..< kernel {
                for kx in 0 ..< kernel {
                    let row = cols + ((c * kernel + ky) * kernel + kx) * oh * ow
                    for oy in 0 ..< oh {
                        let iy = oy * stride - padding + ky
                        let out = row + oy * ow
                        guard iy >= 0 && iy < height else {
                            out.update(repeating: 0, count: ow)
                            continue
                        }
                        let line = image + (c * height + iy) * width
                        for ox in 0 ..< ow {
                            let ix = ox * stride - padding + kx
                            out[ox] = ix >= 0 && ix < width ? line[ix] : 0
                        }
                    }
                }
            }
        }
    }

    /// image += col2im(cols): each column entry added back to the pixel it was read from.
    public func col2imAdding(_ cols: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (outputHeight, outputWidth)
        for c in 0 ..< channels {
            for ky in 0 ..< kernel {
                for kx in 0 ..< kernel {
                    let row = cols + ((c * kernel + ky) * kernel + kx) * oh * ow
                    for oy in 0 ..< oh {
                        let iy = oy * stride - padding + ky
                        guard iy >= 0 && iy < height else { continue }
                        let line = image + (c * height + iy) * width, src = row + oy * ow
                        for ox in 0 ..< ow {
                            let ix = ox * stride - padding + kx
                            if ix >= 0 && ix < width { line[ix] += src[ox] }
                        }
                    }
                }
            }
        }
    }
}

/// Adds bias[c] to each of `count` channels of `size` floats.
func addChannelBias(_ y: UnsafeMutablePointer<Float>, _ bias: UnsafeMutablePointer<Float>, channels: Int, size: Int) {
    for c in 0 ..< channels {
        let p = y + c * size, b = bias[c]
        for i in 0 ..< size { p[i] += b }
    }
}

/// grad[c] += Σ over the channel's `size` floats.
func addChannelSums(_ dy: UnsafePointer<Float>, into grad: UnsafeMutablePointer<Float>, channels: Int, size: Int) {
    for c in 0 ..< channels {
        let p = dy + c * size
        var s: Float = 0
        for i in 0 ..< size { s += p[i] }
        grad[c] += s
    }
}

/// `nn.Conv2d(in, out, kernel, stride, padding)`, weight [out, in, k, k], as products per sample:
/// y_b = W · im2col(x_b). The columns of the whole batch are kept for the weight gradient.
public final class Conv2d: Layer {
    public let geometry: ConvolutionGeometry
    public let outputChannels: Int
    public var inputSize: Int { geometry.channels * geometry.height * geometry.width }
    public var outputSize: Int { outputChannels * geometry.positions }
    private var weight: Matrix!, weightGrad: Matrix!
    private var bias: UnsafeMutablePointer<Float>!, biasGrad: UnsafeMutablePointer<Float>!
    private var columns: UnsafeMutablePointer<Float>!, columnGrad: UnsafeMutablePointer<Float>!

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
    public func workspaceFloats(maxBatch: Int) -> Int { (maxBatch + 1) * columnFloats }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) {
        columns = workspace
        columnGrad = workspace + maxBatch * columnFloats
    }

    private func cols(_ b: Int) -> Matrix {
        Matrix(base: columns + b * columnFloats, rows: geometry.patchSize, cols: geometry.positions)
    }

    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        for b in 0 ..< x.rows {
            geometry.im2col(x.base + b * inputSize, into: cols(b).base)
            let out = Matrix(base: y.base + b * outputSize, rows: outputChannels, cols: geometry.positions)
            BLAS.gemm(weight, cols(b), into: out)
            addChannelBias(out.base, bias, channels: outputChannels, size: geometry.positions)
        }
    }

    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        for b in 0 ..< dy.rows {
            let g = Matrix(base: dy.base + b * outputSize, rows: outputChannels, cols: geometry.positions)
            if parameterGradients {
                BLAS.gemm(g, cols(b), transposeB: true, into: weightGrad, beta: 1)
                addChannelSums(g.base, into: biasGrad, channels: outputChannels, size: geometry.positions)
            }
            if let dx {
                let dcols = Matrix(base: columnGrad, rows: geometry.patchSize, cols: geometry.positions)
                BLAS.gemm(weight, transposeA: true, g, into: dcols)
                let image = dx.base + b * inputSize
                image.update(repeating: 0, count: inputSize)
                geometry.col2imAdding(dcols.base, into: image)
            }
        }
    }
}

/// `nn.ConvTranspose2d(in, out, kernel, stride, padding)`, weight [in, out, k, k]: the adjoint of
/// a convolution from the *output* image, so y_b = col2im(Wᵀ · x_b) and dx_b = W · im2col(dy_b).
public final class ConvTranspose2d: Layer {
    public let inputChannels: Int
    /// The convolution whose adjoint this is: over the output image, producing the input's size.
    public let geometry: ConvolutionGeometry
    public var inputSize: Int { inputChannels * geometry.positions }
    public var outputSize: Int { geometry.channels * geometry.height * geometry.width }
    private var weight: Matrix!, weightGrad: Matrix!
    private var bias: UnsafeMutablePointer<Float>!, biasGrad: UnsafeMutablePointer<Float>!
    private var columns: UnsafeMutablePointer<Float>!

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

    public func workspaceFloats(maxBatch: Int) -> Int { geometry.patchSize * geometry.positions }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) { columns = workspace }

    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        let cols = Matrix(base: columns, rows: geometry.patchSize, cols: geometry.positions)
        let size = geometry.height * geometry.width
        for b in 0 ..< x.rows {
            let input = Matrix(base: x.base + b * inputSize, rows: inputChannels, cols: geometry.positions)
            BLAS.gemm(weight, transposeA: true, input, into: cols)
            let image = y.base + b * outputSize
            image.update(repeating: 0, count: outputSize)
            geometry.col2imAdding(cols.base, into: image)
            addChannelBias(image, bias, channels: geometry.channels, size: size)
        }
    }

    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        let cols = Matrix(base: columns, rows: geometry.patchSize, cols: geometry.positions)
        let size = geometry.height * geometry.width
        for b in 0 ..< dy.rows {
            geometry.im2col(dy.base + b * outputSize, into: cols.base)
            if parameterGradients {
                let input = Matrix(base: x.base + b * inputSize, rows: inputChannels, cols: geometry.positions)
                BLAS.gemm(input, cols, transposeB: true, into: weightGrad, beta: 1)
                addChannelSums(dy.base + b * outputSize, into: biasGrad, channels: geometry.channels, size: size)
            }
            if let dx {
                let out = Matrix(base: dx.base + b * inputSize, rows: inputChannels, cols: geometry.positions)
                BLAS.gemm(weight, cols, into: out)
            }
        }
    }
}
