/// One step of a network that maps a batch of samples (one row each, NCHW order within a row,
/// as PyTorch flattens) to a batch of outputs, with its forward and its backward side by side.
///
/// Backward always *adds* to the parameter gradients (so D on real then on fake accumulates into
/// one update; the caller zeroes them), and may read what the last `forward` kept: every backward
/// must follow the forward of the same batch.
public protocol Layer: AnyObject {
    /// Floats per sample in and out.
    var inputSize: Int { get }
    var outputSize: Int { get }
    /// Trainable tensors under their PyTorch names ("weight", "bias") and layouts.
    var parameterShapes: [(name: String, shape: [Int])] { get }
    /// State that is saved but not trained (BatchNorm's running statistics).
    var bufferShapes: [(name: String, shape: [Int])] { get }
    /// Points the layer at its tensors in the network's sets (`prefix` is e.g. "3.").
    func bind(parameters: ParameterSet, buffers: ParameterSet, prefix: String)
    /// Scratch floats the layer needs for batches up to `maxBatch` (carved out once).
    func workspaceFloats(maxBatch: Int) -> Int
    func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int)
    func forward(_ x: Matrix, into y: Matrix, training: Bool)
    /// dx (when asked for) from dy; parameter gradients added when `parameterGradients`.
    func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix,
                  inputGradient dx: Matrix?, parameterGradients: Bool)
    /// Whether the output is the input unchanged (a reshape of NCHW-flat rows): `Sequential` then
    /// hands the input on as the output, and the gradient back, without calling the layer.
    var passesInputThrough: Bool { get }
}

extension Layer {
    public var parameterShapes: [(name: String, shape: [Int])] { [] }
    public var bufferShapes: [(name: String, shape: [Int])] { [] }
    public func bind(parameters: ParameterSet, buffers: ParameterSet, prefix: String) {}
    public func workspaceFloats(maxBatch: Int) -> Int { 0 }
    public func bind(workspace: UnsafeMutablePointer<Float>, maxBatch: Int) {}
    public var passesInputThrough: Bool { false }
}

extension ParameterSet {
    /// The entry a layer asked for; its absence is a programming error in `Sequential`.
    /// (`package`: the layers in `Layers` bind through these too.)
    package func required(_ name: String) -> Entry {
        guard let e = entry(named: name) else { preconditionFailure("no tensor \(name)") }
        return e
    }
    package func valuePointer(_ name: String) -> UnsafeMutablePointer<Float> { values + required(name).offset }
    package func gradPointer(_ name: String) -> UnsafeMutablePointer<Float> { grads + required(name).offset }
}
