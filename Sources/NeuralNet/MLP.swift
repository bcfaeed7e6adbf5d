/// A stack of fully-connected layers, each followed by an activation, with its forward and
/// backward passes written out by hand, side by side.
///
/// Weights are [out, in] like PyTorch's `nn.Linear` (so checkpoints need no transposing) and
/// live in one `ParameterSet`, row-major or, when asked for and the CPU allows, in panels for
/// `PanelProducts` (checkpoints still see [out, in]); activations and gradients live in one
/// `FloatArena` sized for `maxRows`, so calls with any batch up to `maxRows` allocate nothing.
public final class MLP {
    public struct Layer: Sendable, Equatable {
        public let inputs: Int
        public let outputs: Int
        public let activation: Activation
        public init(_ inputs: Int, _ outputs: Int, _ activation: Activation) {
            self.inputs = inputs
            self.outputs = outputs
            self.activation = activation
        }
    }

    public let layers: [Layer]
    public let maxRows: Int
    public let parameters: ParameterSet
    private let weights: [ParameterSet.Entry]
    private let biases: [ParameterSet.Entry]
    private let arena: FloatArena
    /// Post-activation outputs of each layer, `maxRows × outputs`.
    private let outputs: [Matrix]
    /// Gradients w.r.t. each layer's pre-activation, `maxRows × outputs`.
    private let deltas: [Matrix]
    /// Gradient w.r.t. the network input (for D: what flows back into G).
    public let inputGradient: Matrix
    /// Which layers keep their weights in panels.
    public let isPanelled: [Bool]

    /// - Parameters:
    ///   - namePrefix: parameter names become `<prefix>fc1.weight`, `<prefix>fc1.bias`, …
    ///   - outputStorage: where the last layer writes, if the caller wants it somewhere specific
    ///     (G writes its fakes straight into D's input batch: no copy).
    ///   - panelled: keep the weights in panels where `PanelProducts` can (the training networks;
    ///     code that multiplies by `weight(_:)` itself needs row-major weights). A shared set
    ///     keeps its own layout.
    public init(layers: [Layer], maxRows: Int, namePrefix: String = "", outputStorage: Matrix? = nil,
                sharing shared: ParameterSet? = nil, panelled: Bool = false) {
        precondition(!layers.isEmpty && maxRows > 0)
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(a.outputs == b.inputs, "layer sizes do not chain: \(a.outputs) → \(b.inputs)")
        }
        self.layers = layers
        self.maxRows = maxRows
        var shapes: [(name: String, shape: [Int])] = []
        for (i, l) in layers.enumerated() {
            shapes.append(("\(namePrefix)fc\(i + 1).weight", [l.outputs, l.inputs]))
            shapes.append(("\(namePrefix)fc\(i + 1).bias", [l.outputs]))
        }
        let panelledNames = panelled ? Set(layers.indices.compactMap { i in
            PanelProducts.canPanel(outputs: layers[i].outputs, inputs: layers[i].inputs) ? shapes[2 * i].name : nil
        }) : []
        let params = shared ?? ParameterSet(shapes: shapes, panelled: panelledNames)
        precondition(params.entries.map(\.shape) == shapes.map(\.shape), "shared parameters do not fit these layers")
        parameters = params
        weights = stride(from: 0, to: shapes.count, by: 2).map { params.entries[$0] }
        biases = stride(from: 1, to: shapes.count, by: 2).map { params.entries[$0] }
        isPanelled = weights.map(\.isPanelled)

        var arenaShapes = layers.map { (rows: maxRows, cols: $0.outputs) }   // outputs
        arenaShapes += layers.map { (rows: maxRows, cols: $0.outputs) }      // deltas
        arenaShapes.append((rows: maxRows, cols: layers[0].inputs))         // input gradient
        let arena = FloatArena(capacity: FloatArena.capacity(for: arenaShapes))
        self.arena = arena
        var outs = layers.map { arena.matrix(rows: maxRows, cols: $0.outputs) }
        if let storage = outputStorage {
            precondition(storage.rows >= maxRows && storage.cols == layers.last!.outputs, "output storage too small")
            outs[outs.count - 1] = storage.prefix(rows: maxRows)
        }
        outputs = outs
        deltas = layers.map { arena.matrix(rows: maxRows, cols: $0.outputs) }
        inputGradient = arena.matrix(rows: maxRows, cols: layers[0].inputs)
    }

    /// A second network over the *same* parameters with its own workspace: sampling 16 digits
    /// for the screen, or 10,000 for an export, without touching the training buffers.
    public func sharingParameters(maxRows: Int) -> MLP {
        MLP(layers: layers, maxRows: maxRows, sharing: parameters)
    }

    /// Keras's default initialisation: Glorot-uniform weights, zero biases.
    public func initialiseGlorotUniform(rng: inout RandomGenerator) {
        for (w, l) in zip(weights, layers) {
            let limit = (6 / Float(l.inputs + l.outputs)).squareRoot()
            // Drawn in [out, in] order whatever the storage, so a seed gives the same network.
            parameters.load((0 ..< w.count).map { _ in rng.uniform(-limit, limit) }, into: w, block: .values)
        }
        for b in biases { (parameters.values + b.offset).update(repeating: 0, count: b.count) }
    }

    /// Layer `layer`'s weights as an [out, in] matrix view (row-major layers only).
    public func weight(_ layer: Int) -> Matrix {
        precondition(!isPanelled[layer], "weight(_:) of a panelled layer: use parameters.array(_:of:)")
        return parameters.value(weights[layer])
    }

    public func weightGradient(_ layer: Int) -> Matrix {
        precondition(!isPanelled[layer], "weightGradient(_:) of a panelled layer: use parameters.array(_:of:)")
        return parameters.grad(weights[layer])
    }

    /// Layer `layer`'s weight entry (its values row-major through `parameters.array(_:of:)`).
    public func weightEntry(_ layer: Int) -> ParameterSet.Entry { weights[layer] }

    /// Layer `layer`'s outputs from the last forward pass (its first `rows` rows).
    public func layerOutput(_ layer: Int, rows: Int) -> Matrix { outputs[layer].prefix(rows: rows) }
    public func bias(_ layer: Int) -> Matrix { parameters.value(biases[layer]) }

    /// The last forward pass's output for the first `rows` rows.
    public func output(rows: Int) -> Matrix { outputs[outputs.count - 1].prefix(rows: rows) }

    /// Where the caller writes dLoss/dOutput before `backward` (no copy needed).
    public func outputGradient(rows: Int) -> Matrix { deltas[deltas.count - 1].prefix(rows: rows) }

    /// Forward: for each layer, Y = act(X · Wᵀ + b). Returns the output view (`n × outputs`).
    @discardableResult
    public func forward(_ input: Matrix) -> Matrix {
        var none: RandomGenerator? = nil
        return forward(input, dropout: 0, rng: &none)
    }

    /// Forward with inverted dropout at rate `p` on every hidden layer's output (each unit zeroed
    /// with probability p, the rest scaled by 1/(1−p)); `backward` then uses the same masks.
    /// The masks come from the caller's generator, so a checkpointed RNG makes runs repeatable.
    @discardableResult
    public func forward(_ input: Matrix, dropout p: Float, rng: inout RandomGenerator?) -> Matrix {
        let n = input.rows
        precondition(n <= maxRows && input.cols == layers[0].inputs, "forward: bad input shape")
        droppedLayers = p > 0 ? layers.count - 1 : 0
        var x = input
        for i in layers.indices {
            let y = outputs[i].prefix(rows: n)
            let b = bias(i).base, panels = parameters.values + weights[i].offset
            // Panel kernels add the bias and apply a piecewise-linear activation as they store.
            switch (isPanelled[i], layers[i].activation) {
            case (true, .identity): PanelProducts.forward(x, panels: panels, into: y, epilogue: .bias(b))
            case (true, .leakyReLU(let slope)): PanelProducts.forward(x, panels: panels, into: y, epilogue: .biasLeakyReLU(b, slope: slope))
            case (true, .relu): PanelProducts.forward(x, panels: panels, into: y, epilogue: .biasLeakyReLU(b, slope: 0))
            case (true, .tanh):
                PanelProducts.forward(x, panels: panels, into: y)
                layers[i].activation.applyWithBias(y, bias: b)
            case (false, _):
                BLAS.gemm(x, weight(i), transposeB: true, into: y)
                layers[i].activation.applyWithBias(y, bias: b)
            }
            if i < droppedLayers, var generator = rng {
                precondition(layers[i].activation.backwardNeedsOnlySign, "dropout needs a piecewise-linear activation")
                dropoutMasks[i].fill(keepProbability: 1 - p, rows: n, rng: &generator)
                dropoutMasks[i].apply(to: y)
                rng = generator
            }
            x = y
        }
        return x
    }

    /// Hidden layers whose outputs the last forward pass dropped out (0: none).
    private var droppedLayers = 0
    private lazy var dropoutMasks: [DropoutMask] = layers.dropLast().map { DropoutMask(rows: maxRows, cols: $0.outputs) }

    /// Backward, after `forward(input)` and after the caller filled `outputGradient(rows:)`
    /// with dLoss/dOutput:
    ///   δ_L = dOut ⊙ act'(y_L);  dW_i = δ_iᵀ · x_i;  db_i = Σ_rows δ_i;  δ_{i-1} = (δ_i · W_i) ⊙ act'(y_{i-1}).
    ///
    /// - Parameters:
    ///   - weightGradients: false for a frozen network (D during the G update): only the input
    ///     gradient is computed, and no weight-gradient GEMM is spent.
    ///   - inputGradient: compute dLoss/dInput (into `inputGradient` or `into`), e.g. for D → G.
    ///   - accumulate: add to the existing weight gradients instead of overwriting them.
    ///   - update: apply this Adam update to each layer as soon as its gradient is known (after
    ///     the gradient below it, which needs the old weights, was computed). The weight gradient
    ///     is then made a tile at a time in scratch memory and used while in cache, never stored
    ///     whole: that saves writing and re-reading a gradient as large as the network (Adam is
    ///     memory-bound). The result equals `backward` then `Adam.update` (tested).
    public func backward(input: Matrix, weightGradients: Bool = true, inputGradient wantInput: Bool = false,
                         into inputTarget: Matrix? = nil, accumulate: Bool = false, update: Adam.Step? = nil) {
        precondition(update == nil || (weightGradients && !accumulate), "a fused update needs fresh weight gradients")
        let n = input.rows
        let last = layers.count - 1
        layers[last].activation.backward(outputs: outputs[last].prefix(rows: n), grad: deltas[last].prefix(rows: n))
        // A layer's update tiles run in the same team job as the next layer down's input gradient:
        // independent work (other weights), so one join where the faster thread waits, not two.
        var pendingTiles: TeamWork?
        for i in stride(from: last, through: 0, by: -1) {
            let delta = deltas[i].prefix(rows: n)
            let x = i == 0 ? input : outputs[i - 1].prefix(rows: n)
            if weightGradients, update == nil {
                if isPanelled[i] {
                    PanelProducts.weightGradient(delta, x, into: parameters.grads + weights[i].offset, accumulate: accumulate)
                } else {
                    BLAS.gemm(delta, transposeA: true, x, into: parameters.grad(weights[i]), beta: accumulate ? 1 : 0)
                }
                ElementwiseKernels.sumRows(delta, into: parameters.grads + biases[i].offset, accumulate: accumulate)
            }
            var tiles = update.map { TeamWork.tiles(updateBiasAndTile(layer: i, delta: delta, input: x, step: $0), $0) }
            if i > 0 {
                let below = deltas[i - 1].prefix(rows: n)
                multiplyByWeight(delta, layer: i, into: below, alongside: pendingTiles)
                // Through the dropout (a dropped unit's output is 0, a kept one keeps its sign, so
                // the activation's derivative below is still right for the kept ones).
                if i - 1 < droppedLayers { dropoutMasks[i - 1].apply(to: below) }
                layers[i - 1].activation.backward(outputs: outputs[i - 1].prefix(rows: n), grad: below)
            } else if wantInput {
                let target = (inputTarget ?? inputGradient).prefix(rows: n)
                multiplyByWeight(delta, layer: 0, into: target, alongside: pendingTiles)
            } else {
                run(pendingTiles, tiles)
                tiles = nil
            }
            pendingTiles = tiles
        }
        run(pendingTiles, nil)
    }

    /// δ · W_i: the gradient at layer i's input, in one team job with `work` when panelled.
    private func multiplyByWeight(_ delta: Matrix, layer i: Int, into target: Matrix, alongside work: TeamWork? = nil) {
        if isPanelled[i] {
            let strips = PanelProducts.InputGradientParts(delta, panels: parameters.values + weights[i].offset,
                                                          into: target, scratch: stripScratch)
            run(.strips(strips), work)
        } else {
            BLAS.gemm(delta, weight(i), into: target)
            run(work, nil)
        }
    }

    /// Runs both pieces of work in one team job, `a`'s parts first (claimed in order: the larger
    /// input-gradient strips before the tiles, whose last ones are the smallest).
    private func run(_ a: TeamWork?, _ b: TeamWork?) {
        let countA = a?.count ?? 0, total = countA + (b?.count ?? 0)
        ParallelLoop.runWithWorker(total) { part, worker in
            part < countA ? a!.run(part, worker) : b!.run(part - countA, worker)
        }
    }

    /// Two threads' strips for `PanelProducts.inputGradient`, made at the first panelled backward.
    private lazy var stripScratch: UnsafeMutablePointer<Float> = {
        let perThread = PanelProducts.scratchFloats(outputs: layers.map(\.outputs).max()!)
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(2, perThread)]))
        stripArena = arena
        return arena.matrix(rows: 2, cols: perThread).base
    }()
    private var stripArena: FloatArena?

    /// Layer `i`'s Adam update from δ_i and its input x: the bias now, from Σ_rows δ; the weights
    /// in the tiles returned, whole rows (output units) each, dW_tile = δ[:, tile]ᵀ · x into one
    /// thread's scratch and updated at once. Tiles are shared out between the cores.
    private func updateBiasAndTile(layer i: Int, delta: Matrix, input x: Matrix, step: Adam.Step) -> WeightTiles {
        let p = parameters, b = biases[i]
        ElementwiseKernels.sumRows(delta, into: p.grads + b.offset, accumulate: false)
        step.apply(values: p.values + b.offset, grads: p.grads + b.offset, m: p.firstMoment + b.offset,
                   v: p.secondMoment + b.offset, count: b.count)
        return WeightTiles(parameters: p, weight: weights[i], scratch: updateScratch, delta: delta, input: x)
    }

    /// Floats of one thread's weight-gradient tile: small enough to stay in a core's L2 cache
    /// while Adam reads it back. Measured with `scripts/ab-speed` at B = 64 (panel kernels, Adam
    /// in C): 32 K floats 1.005×, 128 K 0.94× of 64 K. Pulling the tile's weights and moments
    /// into L2 (software prefetch) while its gradient is computed gave 0.99×: not kept.
    nonisolated(unsafe) public static var tileCapacity = 65_536

    /// Two tiles, one per thread of the core team, made at the first fused update.
    private lazy var updateScratch = UpdateScratch(capacity: Self.tileCapacity, widestRow: layers.map(\.inputs).max()!)
}

/// Scratch for the tiled update: one tile per thread, each at least one row of the widest layer.
final class UpdateScratch {
    let capacity: Int
    let stride: Int
    let tiles: UnsafeMutablePointer<Float>
    private let arena: FloatArena

    init(capacity: Int, widestRow: Int) {
        self.capacity = capacity
        stride = (max(capacity, 16 * widestRow) + 15) & ~15   // at least one panel of units
        arena = FloatArena(capacity: FloatArena.capacity(for: [(2, stride)]))
        tiles = arena.matrix(rows: 2, cols: stride).base
    }
}

/// Work for the core team that `backward` runs in one job: an input gradient's strips, or a
/// layer's update tiles.
private enum TeamWork {
    case strips(PanelProducts.InputGradientParts)
    case tiles(WeightTiles, Adam.Step)

    var count: Int {
        switch self {
        case .strips(let s): s.count
        case .tiles(let t, _): t.count
        }
    }

    func run(_ part: Int, _ worker: Int) {
        switch self {
        case .strips(let s): s.run(part, worker)
        case .tiles(let t, let step): t.update(part, worker: worker, step: step)
        }
    }
}

/// One layer's weight gradient in tiles of whole rows; what each part of a team job needs. Each
/// thread writes only its own scratch tile and its own rows of the parameters.
private struct WeightTiles: @unchecked Sendable {
    let values, firstMoment, secondMoment: UnsafeMutablePointer<Float>  // at the layer's weights
    let delta, input, scratch: UnsafeMutablePointer<Float>
    let units, inputs, batch, deltaStride, rowsPerTile, scratchStride: Int
    /// Tiles 0 ..< headTiles have `rowsPerTile` units, the rest `tailRows` (the last maybe fewer).
    let headTiles, tailRows: Int
    /// Panel layout: tiles are whole pairs of panels (32 units) where they fit, and units
    /// first ..< first + rows are then still the contiguous floats from first · inputs on.
    let isPanelled: Bool

    init(parameters p: ParameterSet, weight w: ParameterSet.Entry, scratch: UpdateScratch, delta: Matrix, input: Matrix) {
        (values, firstMoment, secondMoment) = (p.values + w.offset, p.firstMoment + w.offset, p.secondMoment + w.offset)
        (self.delta, self.input, self.scratch, scratchStride) = (delta.base, input.base, scratch.tiles, scratch.stride)
        (units, inputs, batch, deltaStride) = (w.shape[0], w.shape[1], delta.rows, delta.cols)
        isPanelled = w.isPanelled
        var fitting = max(1, scratch.capacity / inputs)
        // At least two tiles when there are two cores and enough units (G's first layer fits one).
        if CoreTeam.shared != nil, units >= 32 { fitting = min(fitting, (units + 1) / 2) }
        rowsPerTile = isPanelled ? (fitting >= 32 ? fitting & ~31 : 16) : fitting
        // The last two tiles' units go in half tiles: the threads claim tiles as they finish,
        // so one that falls behind leaves the other waiting at most half a tile at the end.
        let whole = (units + rowsPerTile - 1) / rowsPerTile
        let half = (rowsPerTile / 2) / (isPanelled ? 32 : 1) * (isPanelled ? 32 : 1)
        if CoreTeam.shared != nil, half > 0, whole >= 3 {
            (headTiles, tailRows) = (units / rowsPerTile - 2, half)
        } else {
            (headTiles, tailRows) = (whole, rowsPerTile)
        }
    }

    var count: Int { headTiles + (units - min(headTiles * rowsPerTile, units) + tailRows - 1) / tailRows }

    /// Units first ..< first + rows of tile `tile`.
    func units(of tile: Int) -> (first: Int, rows: Int) {
        let first = tile < headTiles ? tile * rowsPerTile : headTiles * rowsPerTile + (tile - headTiles) * tailRows
        return (first, min(tile < headTiles ? rowsPerTile : tailRows, units - first))
    }

    func update(_ tile: Int, worker: Int, step: Adam.Step) {
        let (first, rows) = units(of: tile)
        let dW = scratch + worker * scratchStride
        if isPanelled {
            PanelProducts.weightGradient(delta, deltaStride, input, rows: batch, inputs: inputs,
                                         panels: first / 16 ..< (first + rows) / 16, into: dW, accumulate: false)
        } else {
            BLAS.raw(true, false, rows, inputs, batch, 1, delta + first, deltaStride, input, inputs, 0, dW, inputs)
        }
        let at = first * inputs
        step.apply(values: values + at, grads: dW, m: firstMoment + at, v: secondMoment + at, count: rows * inputs)
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
