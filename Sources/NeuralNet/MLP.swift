/// A multilayer perceptron as a sequence of `Dense` layers (each a fully-connected layer with its
/// activation, its forward and backward side by side), with the activations, gradients and the
/// backward's schedule of the whole sequence.
///
/// A sequence of its own rather than a `Sequential` of the same layers, for what its backward
/// does across neighbouring layers: each layer's Adam update is fused into the backward pass and
/// made a tile at a time while layer i's gradient is in cache, and those tiles share one team job
/// with the next layer down's input gradient (see `backward`). It also lets G write its output
/// straight into D's input batch and keeps the names and layout of the checkpoints.
///
/// Weights are [out, in] like PyTorch's `nn.Linear` (so checkpoints need no transposing) and
/// live in one `ParameterSet`, row-major or, when asked for and the CPU allows, in panels for
/// `PanelProducts` (checkpoints still see [out, in]); activations and gradients live in one
/// `FloatArena` sized for `maxRows`, so calls with any batch up to `maxRows` allocate nothing.
public final class MLP {
    /// One layer's specification: what `Dense` is built from.
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
    /// The sequence: `sequence[i]` is layer i, its tensors named `<prefix>fc<i + 1>.weight|bias`.
    public let sequence: [Dense]
    public let maxRows: Int
    public let parameters: ParameterSet
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
        let sequence = layers.map { Dense($0.inputs, $0.outputs, $0.activation) }
        self.sequence = sequence
        let prefixes = layers.indices.map { "\(namePrefix)fc\($0 + 1)." }
        let shapes = zip(sequence, prefixes).flatMap { layer, prefix in
            layer.parameterShapes.map { (name: prefix + $0.name, shape: $0.shape) }
        }
        let panelledNames = panelled ? Set(layers.indices.compactMap { i in
            PanelProducts.canPanel(outputs: layers[i].outputs, inputs: layers[i].inputs) ? prefixes[i] + "weight" : nil
        }) : []
        let params = shared ?? ParameterSet(shapes: shapes, panelled: panelledNames)
        precondition(params.entries.map(\.shape) == shapes.map(\.shape), "shared parameters do not fit these layers")
        parameters = params
        // By position, not name: a shared set keeps its own names (`sharingParameters` has no prefix).
        for (i, layer) in sequence.enumerated() {
            layer.bind(weight: params.entries[2 * i], bias: params.entries[2 * i + 1], in: params)
        }
        isPanelled = sequence.map(\.isPanelled)

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
        for layer in sequence {
            let limit = (6 / Float(layer.inputSize + layer.outputSize)).squareRoot()
            // Drawn in [out, in] order whatever the storage, so a seed gives the same network.
            parameters.load((0 ..< layer.weight.count).map { _ in rng.uniform(-limit, limit) }, into: layer.weight, block: .values)
        }
        for layer in sequence { (parameters.values + layer.bias.offset).update(repeating: 0, count: layer.bias.count) }
    }

    /// Layer `layer`'s weights as an [out, in] matrix view (row-major layers only).
    public func weight(_ layer: Int) -> Matrix {
        precondition(!isPanelled[layer], "weight(_:) of a panelled layer: use parameters.array(_:of:)")
        return parameters.value(sequence[layer].weight)
    }

    public func weightGradient(_ layer: Int) -> Matrix {
        precondition(!isPanelled[layer], "weightGradient(_:) of a panelled layer: use parameters.array(_:of:)")
        return parameters.grad(sequence[layer].weight)
    }

    /// Layer `layer`'s weight entry (its values row-major through `parameters.array(_:of:)`).
    public func weightEntry(_ layer: Int) -> ParameterSet.Entry { sequence[layer].weight }

    /// Layer `layer`'s outputs from the last forward pass (its first `rows` rows).
    public func layerOutput(_ layer: Int, rows: Int) -> Matrix { outputs[layer].prefix(rows: rows) }
    public func bias(_ layer: Int) -> Matrix { parameters.value(sequence[layer].bias) }

    /// The last forward pass's output for the first `rows` rows.
    public func output(rows: Int) -> Matrix { outputs[outputs.count - 1].prefix(rows: rows) }

    /// Where the caller writes dLoss/dOutput before `backward` (no copy needed).
    public func outputGradient(rows: Int) -> Matrix { deltas[deltas.count - 1].prefix(rows: rows) }

    /// Forward: each layer in turn, Y = act(X · Wᵀ + b). Returns the output view (`n × outputs`).
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
        droppedLayers = p > 0 && rng != nil ? layers.count - 1 : 0
        var x = input
        for (i, layer) in sequence.enumerated() {
            let y = outputs[i].prefix(rows: n)
            layer.forward(x, into: y, training: true)
            if i < droppedLayers { layer.dropOut(y, keepProbability: 1 - p, rng: &rng!, maxRows: maxRows) }
            x = y
        }
        return x
    }

    /// Hidden layers whose outputs the last forward pass dropped out (0: none).
    private var droppedLayers = 0

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
        sequence[last].deltaFromOutputGradient(deltas[last].prefix(rows: n), output: outputs[last].prefix(rows: n), dropout: false)
        // A layer's update tiles run in the same team job as the next layer down's input gradient:
        // independent work (other weights), so one join where the faster thread waits, not two.
        var pendingTiles: TeamWork?
        for i in stride(from: last, through: 0, by: -1) {
            let layer = sequence[i]
            let delta = deltas[i].prefix(rows: n)
            let x = i == 0 ? input : outputs[i - 1].prefix(rows: n)
            if weightGradients, update == nil { layer.weightGradient(delta: delta, input: x, accumulate: accumulate) }
            var tiles = update.map { TeamWork.tiles(layer.updateTiles(delta: delta, input: x, step: $0, scratch: updateScratch), $0) }
            if i > 0 {
                let below = deltas[i - 1].prefix(rows: n)
                run(layer.inputGradient(delta: delta, into: below, strips: stripScratch), pendingTiles)
                sequence[i - 1].deltaFromOutputGradient(below, output: outputs[i - 1].prefix(rows: n), dropout: i - 1 < droppedLayers)
            } else if wantInput {
                let target = (inputTarget ?? inputGradient).prefix(rows: n)
                run(layer.inputGradient(delta: delta, into: target, strips: stripScratch), pendingTiles)
            } else {
                run(pendingTiles, tiles)
                tiles = nil
            }
            pendingTiles = tiles
        }
        run(pendingTiles, nil)
    }

    /// Runs both pieces of work in one team job, `a`'s parts first (claimed in order: the larger
    /// input-gradient strips before the tiles, whose last ones are the smallest).
    private func run(_ a: TeamWork?, _ b: TeamWork?) {
        let countA = a?.count ?? 0, total = countA + (b?.count ?? 0)
        ParallelLoop.runWithWorker(total) { part, worker in
            part < countA ? a!.run(part, worker) : b!.run(part - countA, worker)
        }
    }

    /// Two threads' strips for the panelled input gradients, made at the first backward.
    private lazy var stripScratch: UnsafeMutablePointer<Float> = {
        let perThread = PanelProducts.scratchFloats(outputs: layers.map(\.outputs).max()!)
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(2, perThread)]))
        stripArena = arena
        return arena.matrix(rows: 2, cols: perThread).base
    }()
    private var stripArena: FloatArena?

    /// Floats of one thread's weight-gradient tile: small enough to stay in a core's L2 cache
    /// while Adam reads it back. Measured with `scripts/ab-speed` at B = 64 (panel kernels, Adam
    /// in C): 32 K floats 1.005×, 128 K 0.94× of 64 K. Pulling the tile's weights and moments
    /// into L2 (software prefetch) while its gradient is computed gave 0.99×: not kept.
    nonisolated(unsafe) public static var tileCapacity = 65_536

    /// Two tiles, one per thread of the core team, made at the first fused update.
    private lazy var updateScratch = UpdateScratch(capacity: Self.tileCapacity, widestRow: layers.map(\.inputs).max()!)
}
