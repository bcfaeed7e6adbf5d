/// Layers applied in order, as `nn.Sequential`: tensors are named "<index>.<name>" with the
/// layer's index in the sequence, so a PyTorch `nn.Sequential` of the same layers has the same
/// state-dict keys. Every activation, gradient and workspace is carved out once for `maxBatch`.
public final class Sequential {
    public let layers: [any Layer]
    public let maxBatch: Int
    /// Trainable tensors (what Adam updates) and the saved-but-untrained ones (running statistics).
    public let parameters: ParameterSet
    public let buffers: ParameterSet
    private let arena: FloatArena
    private let workspace: UnsafeMutablePointer<Float>
    /// outputs[i]: layer i's output; gradients[i]: the loss gradient w.r.t. layer i's *input*.
    private let outputs: [Matrix]
    private let gradients: [Matrix]
    private var input: Matrix?
    /// The layer whose output buffer holds layer i's input (−1: the sequence's input), past the
    /// layers that pass their input through.
    private let producer: [Int]

    public init(_ layers: [any Layer], maxBatch: Int) {
        precondition(!layers.isEmpty && maxBatch >= 1)
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(a.outputSize == b.inputSize, "layer sizes do not chain: \(a.outputSize) → \(b.inputSize)")
        }
        self.layers = layers
        self.maxBatch = maxBatch
        var last = -1
        producer = layers.indices.map { i in
            defer { if !layers[i].passesInputThrough { last = i } }
            return last
        }
        func named(_ shapes: (any Layer) -> [(name: String, shape: [Int])]) -> [(name: String, shape: [Int])] {
            layers.enumerated().flatMap { i, layer in shapes(layer).map { ("\(i).\($0.name)", $0.shape) } }
        }
        parameters = ParameterSet(shapes: named { $0.parameterShapes })
        buffers = ParameterSet(shapes: named { $0.bufferShapes })
        var shapes = layers.flatMap { [(maxBatch, $0.outputSize), (maxBatch, $0.inputSize)] }
        let scratch = layers.map { ($0.workspaceFloats(maxBatch: maxBatch) + 15) & ~15 }
        shapes.append((1, max(scratch.reduce(0, +), 1)))
        let arena = FloatArena(capacity: FloatArena.capacity(for: shapes))
        self.arena = arena
        outputs = layers.map { arena.matrix(rows: maxBatch, cols: $0.outputSize) }
        gradients = layers.map { arena.matrix(rows: maxBatch, cols: $0.inputSize) }
        workspace = arena.matrix(rows: 1, cols: max(scratch.reduce(0, +), 1)).base
        var offset = 0
        for (i, layer) in layers.enumerated() {
            layer.bind(parameters: parameters, buffers: buffers, prefix: "\(i).")
            layer.bind(workspace: workspace + offset, maxBatch: maxBatch)
            offset += scratch[i]
        }
    }

    public var inputSize: Int { layers[0].inputSize }
    public var outputSize: Int { layers[layers.count - 1].outputSize }

    /// The network's output for `x`. `x` is read again by `backward`: keep it unchanged until then.
    @discardableResult
    public func forward(_ x: Matrix, training: Bool) -> Matrix {
        precondition(x.rows <= maxBatch && x.cols == inputSize, "batch \(x.rows)×\(x.cols) does not fit")
        input = x
        var current = x
        for (layer, out) in zip(layers, outputs) where !layer.passesInputThrough {
            let y = out.prefix(rows: x.rows)
            layer.forward(current, into: y, training: training)
            current = y
        }
        return current
    }

    /// Backpropagates `dy` (the loss gradient w.r.t. the last output, one row per sample of the
    /// last forward). Parameter gradients are *added* (zero them first with `parameters.zeroGrads()`).
    /// Returns the gradient w.r.t. the input when `inputGradient`.
    @discardableResult
    public func backward(_ dy: Matrix, inputGradient: Bool, parameterGradients: Bool) -> Matrix? {
        backward(dy, adding: nil, inputGradient: inputGradient, parameterGradients: parameterGradients)
    }

    /// Layer `index`'s output in the last forward (its rows of that batch): what a second head
    /// reads (InfoGAN's Q on D's hidden features).
    public func output(ofLayer index: Int) -> Matrix {
        guard let x = input else { preconditionFailure("no forward yet") }
        precondition(layers.indices.contains(index) && !layers[index].passesInputThrough,
                     "layer \(index) keeps no output of its own")
        return outputs[index].prefix(rows: x.rows)
    }

    /// `backward`, with `extra.gradient` added to the loss gradient w.r.t. layer `extra.layer`'s
    /// output before the layers below it see it: the gradient of a second head on that output
    /// (its loss is part of the same objective). The layer above `extra.layer` must compute.
    @discardableResult
    public func backward(_ dy: Matrix, adding extra: (gradient: Matrix, layer: Int)?,
                         inputGradient: Bool, parameterGradients: Bool) -> Matrix? {
        guard let x = input else { preconditionFailure("backward before forward") }
        let rows = x.rows
        precondition(dy.rows == rows && dy.cols == outputSize, "output gradient does not match the last forward")
        if let extra {
            precondition(extra.layer + 1 < layers.count && !layers[extra.layer].passesInputThrough
                         && !layers[extra.layer + 1].passesInputThrough
                         && extra.gradient.rows == rows && extra.gradient.cols == layers[extra.layer].outputSize,
                         "no gradient can be added after layer \(extra.layer)")
        }
        var upstream = dy
        for i in stride(from: layers.count - 1, through: 0, by: -1) where !layers[i].passesInputThrough {
            if let extra, i == extra.layer {
                // `upstream` is layer i + 1's input gradient: this network's own buffer.
                for k in 0 ..< upstream.count { upstream.base[k] += extra.gradient.base[k] }
            }
            let layerInput = producer[i] < 0 ? x : outputs[producer[i]].prefix(rows: rows)
            let wanted = i > 0 || inputGradient
            let dx = wanted ? gradients[i].prefix(rows: rows) : nil
            layers[i].backward(input: layerInput, output: outputs[i].prefix(rows: rows), outputGradient: upstream,
                               inputGradient: dx, parameterGradients: parameterGradients)
            if let dx { upstream = dx }
        }
        return inputGradient ? upstream : nil
    }
}
