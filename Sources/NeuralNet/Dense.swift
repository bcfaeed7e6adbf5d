/// The fully connected layer, Keras's `Dense`: y = act(x · Wᵀ + b), W [out, in] as PyTorch's
/// `nn.Linear` stores it, and optionally inverted dropout on y; its forward and backward side by
/// side. With `.identity` it is `nn.Linear` itself (the DCGAN's linear layers).
///
/// The product, the bias and the activation are one layer and not three because the panel kernels
/// add the bias and apply a piecewise-linear activation as they store each tile (no second pass
/// over y), and because backward is written through y alone (act' from y's sign, or 1 − y²), so
/// the pre-activation is never kept. Dropout rides along for the same reason: its mask is applied
/// to y in place, and its derivative to the gradient in place.
///
/// Two ways to run it: as any `Layer` of a `Sequential` (row-major weights, OpenBLAS; backward
/// adds to the gradients), or as one of an `MLP`'s layers, whose backward calls the pieces below
/// (`deltaFromOutputGradient`, `weightGradient`, `updateTiles`, `inputGradient`) in its own order,
/// with panelled weights, a fused Adam update, and the cores shared across neighbouring layers.
public final class Dense: Layer {
    public let inputSize: Int
    public let outputSize: Int
    public let activation: Activation
    /// The set the weights live in and their entries (bound by the network that owns the layer).
    private(set) var parameters: ParameterSet!
    private(set) var weight: ParameterSet.Entry!
    private(set) var bias: ParameterSet.Entry!
    /// The weights are in panels for `PanelProducts` (else row-major, for OpenBLAS).
    public private(set) var isPanelled = false
    /// δ for `Layer.backward`: maxBatch × outputs (a `Sequential` carves it out).
    private var deltaScratch: UnsafeMutablePointer<Float>?

    public init(_ inputs: Int, _ outputs: Int, _ activation: Activation) {
        precondition(inputs > 0 && outputs > 0)
        inputSize = inputs
        outputSize = outputs
        self.activation = activation
    }

    public var parameterShapes: [(name: String, shape: [Int])] {
        [("weight", [outputSize, inputSize]), ("bias", [outputSize])]
    }

    public func bind(parameters: ParameterSet, buffers: ParameterSet, prefix: String) {
        bind(weight: parameters.required(prefix + "weight"), bias: parameters.required(prefix + "bias"), in: parameters)
    }

    /// Points the layer at these entries of `parameters`, whatever their names.
    public func bind(weight: ParameterSet.Entry, bias: ParameterSet.Entry, in parameters: ParameterSet) {
        precondition(weight.shape == [outputSize, inputSize] && bias.shape == [outputSize], "tensors do not fit the layer")
        self.parameters = parameters
        self.weight = weight
        self.bias = bias
        isPanelled = weight.isPanelled
    }

    /// δ = dy ⊙ act'(y) needs its own block unless act is the identity (then δ is dy itself).
    public func workspaceFloats(maxBatch: Int) -> Int { activation == .identity ? 0 : maxBatch * outputSize }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) { deltaScratch = workspace }

    /// The weights as an [out, in] matrix view (row-major layers only).
    var weightMatrix: Matrix {
        precondition(!isPanelled, "the weights of a panelled layer: use parameters.array(_:of:)")
        return parameters.value(weight)
    }

    // MARK: Forward

    /// y = act(x · Wᵀ + b). Panel kernels add the bias and apply a piecewise-linear activation as
    /// they store; tanh, and OpenBLAS's products, take a second pass over y.
    public func forward(_ x: Matrix, into y: Matrix, training: Bool) {
        let b = parameters.values + bias.offset
        if isPanelled {
            let panels = parameters.values + weight.offset
            switch activation {
            case .identity: PanelProducts.forward(x, panels: panels, into: y, epilogue: .bias(b))
            case .leakyReLU(let slope): PanelProducts.forward(x, panels: panels, into: y, epilogue: .biasLeakyReLU(b, slope: slope))
            case .relu: PanelProducts.forward(x, panels: panels, into: y, epilogue: .biasLeakyReLU(b, slope: 0))
            case .tanh:
                PanelProducts.forward(x, panels: panels, into: y)
                activation.applyWithBias(y, bias: b)
            }
        } else {
            BLAS.gemm(x, weightMatrix, transposeB: true, into: y)
            activation.applyWithBias(y, bias: b)
        }
    }

    /// Inverted dropout on the rows of y just computed: each unit zeroed with probability 1 − keep,
    /// the rest scaled by 1/keep. The mask (kept for backward) comes from the caller's generator.
    func dropOut(_ y: Matrix, keepProbability keep: Float, rng: inout RandomGenerator, maxRows: Int) {
        precondition(activation.backwardNeedsOnlySign, "dropout needs a piecewise-linear activation")
        let mask = dropoutMask ?? DropoutMask(rows: maxRows, cols: outputSize)
        dropoutMask = mask
        mask.fill(keepProbability: keep, rows: y.rows, rng: &rng)
        mask.apply(to: y)
    }
    private var dropoutMask: DropoutMask?

    // MARK: Backward

    /// δ = dy ⊙ mask ⊙ act'(y), in place over dy (`dropout`: the last forward dropped units out).
    /// A dropped unit's output is 0 and a kept one keeps its sign, so act' from y is right for both.
    func deltaFromOutputGradient(_ dy: Matrix, output y: Matrix, dropout: Bool) {
        if dropout { dropoutMask!.apply(to: dy) }
        activation.backward(outputs: y, grad: dy)
    }

    /// dW = δᵀ · x and db = Σ_rows δ, into the gradient block (added to it when `accumulate`).
    func weightGradient(delta: Matrix, input x: Matrix, accumulate: Bool) {
        if isPanelled {
            PanelProducts.weightGradient(delta, x, into: parameters.grads + weight.offset, accumulate: accumulate)
        } else {
            BLAS.gemm(delta, transposeA: true, x, into: parameters.grad(weight), beta: accumulate ? 1 : 0)
        }
        ElementwiseKernels.sumRows(delta, into: parameters.grads + bias.offset, accumulate: accumulate)
    }

    /// The fused Adam update from δ and the input x: the bias now, from Σ_rows δ; the weights in
    /// the tiles returned, whole rows (output units) each, dW_tile = δ[:, tile]ᵀ · x made in one
    /// thread's scratch and applied at once, never stored whole. Run the tiles only after
    /// `inputGradient`, which needs the old weights.
    func updateTiles(delta: Matrix, input x: Matrix, step: Adam.Step, scratch: UpdateScratch) -> WeightTiles {
        let p = parameters!
        ElementwiseKernels.sumRows(delta, into: p.grads + bias.offset, accumulate: false)
        step.apply(values: p.values + bias.offset, grads: p.grads + bias.offset, m: p.firstMoment + bias.offset,
                   v: p.secondMoment + bias.offset, count: bias.count)
        return WeightTiles(parameters: p, weight: weight, scratch: scratch, delta: delta, input: x)
    }

    /// dx = δ · W. Row-major: done now (OpenBLAS); panelled: returned as the strips a team job runs
    /// (`strips`: two threads' scratch of `PanelProducts.scratchFloats`), so that the caller can
    /// share out the cores between them and other work.
    func inputGradient(delta: Matrix, into dx: Matrix, strips: UnsafeMutablePointer<Float>) -> TeamWork? {
        guard isPanelled else {
            BLAS.gemm(delta, weightMatrix, into: dx)
            return nil
        }
        return .strips(PanelProducts.InputGradientParts(delta, panels: parameters.values + weight.offset,
                                                        into: dx, scratch: strips))
    }

    /// As a `Sequential`'s layer: δ (in the workspace; dy itself for the identity, which leaves dy
    /// as it found it), then dW, db added, and dx (row-major weights).
    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                         inputGradient dx: Matrix?, parameterGradients: Bool) {
        precondition(!isPanelled, "a Sequential keeps its weights row-major")
        let delta: Matrix
        if activation == .identity {
            delta = dy
        } else {
            guard let deltaScratch else { preconditionFailure("backward before bind(workspace:)") }
            delta = Matrix(base: deltaScratch, rows: dy.rows, cols: outputSize)
            delta.copy(from: dy)
            deltaFromOutputGradient(delta, output: y, dropout: false)
        }
        if parameterGradients { weightGradient(delta: delta, input: x, accumulate: true) }
        if let dx { BLAS.gemm(delta, weightMatrix, into: dx) }
    }
}

/// One layer's dropout mask: 0 or 1/keep per unit, for the rows of the last forward pass.
final class DropoutMask {
    private let arena: FloatArena
    private let mask: Matrix

    init(rows: Int, cols: Int) {
        arena = FloatArena(capacity: FloatArena.capacity(for: [(rows, cols)]))
        mask = arena.matrix(rows: rows, cols: cols)
    }

    func fill(keepProbability keep: Float, rows: Int, rng: inout RandomGenerator) {
        let m = mask.prefix(rows: rows), scale = 1 / keep
        for i in 0 ..< m.count { m.base[i] = rng.nextUnitFloat() < keep ? scale : 0 }
    }

    /// m ⊙= mask, over m's rows.
    func apply(to m: Matrix) {
        precondition(m.cols == mask.cols)
        let n = m.count
        for i in 0 ..< n { m.base[i] *= mask.base[i] }
    }
}
