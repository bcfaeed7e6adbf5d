import Foundation
import GANFormats
import NeuralNet

/// gantop's own MNIST digit classifier: the judge of the quality meter.
///
/// An MLP 784 → 512 → 256 → 10 (ReLU) built from the project's NN core, split in two networks,
/// a *body* (784 → 512 → 256) and a *head* (256 → 10 logits), because the metrics need the body's
/// output: the 256 penultimate features are what the Fréchet distance compares, and 256 keeps
/// its d × d eigendecompositions cheap. The split also lets training apply dropout between them.
///
/// Inputs are 784 pixels scaled to [-1, 1] exactly like the GAN's (`x/127.5 − 1`), so G's
/// tanh outputs are classified as they are. Weights are stored as safetensors in PyTorch's
/// naming (`clf.fc1.weight` [512, 784] … `clf.fc3.bias` [10]); F32 keeps the file at 2.1 MB.
public final class MNISTClassifier {
    public static let classCount = 10
    public static let defaultHiddenSizes = [512, 256]
    public static let formatName = "gantop-classifier"
    public static let formatVersion = "1"
    /// Where `gantop classifier train` writes by default and where the meter looks first.
    public static let defaultAssetPath = "assets/classifier.safetensors"

    public let hiddenSizes: [Int]
    public let maxRows: Int
    /// 784 → … → features (all ReLU).
    public let body: MLP
    /// features → 10 logits.
    public let head: MLP
    /// The file's metadata when loaded (accuracy, how it was trained), else empty.
    public private(set) var metadata: [String: String] = [:]

    public var featureSize: Int { hiddenSizes.last! }

    public init(hiddenSizes: [Int] = defaultHiddenSizes, maxRows: Int) {
        precondition(!hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 > 0 } && maxRows > 0)
        self.hiddenSizes = hiddenSizes
        self.maxRows = maxRows
        let sizes = [MNISTImages.pixelsPerImage] + hiddenSizes
        body = MLP(layers: zip(sizes, sizes.dropFirst()).map { MLP.Layer($0, $1, .relu) },
                   maxRows: maxRows, namePrefix: "clf.")
        head = MLP(layers: [MLP.Layer(hiddenSizes.last!, Self.classCount, .identity)], maxRows: maxRows,
                   namePrefix: "clf.head.")
    }

    private init(body: MLP, head: MLP, hiddenSizes: [Int], metadata: [String: String]) {
        self.body = body
        self.head = head
        self.hiddenSizes = hiddenSizes
        self.maxRows = body.maxRows
        self.metadata = metadata
    }

    /// A second classifier over the same weights with its own workspace (e.g. 1,000 rows for
    /// the meter while a 128-row copy trains).
    public func sharingParameters(maxRows: Int) -> MNISTClassifier {
        MNISTClassifier(body: body.sharingParameters(maxRows: maxRows), head: head.sharingParameters(maxRows: maxRows),
                        hiddenSizes: hiddenSizes, metadata: metadata)
    }

    /// He-uniform weights (suited to ReLU: keeps activations' variance through the layers),
    /// zero biases.
    public func initialise(seed: UInt64) {
        var rng = RandomGenerator(seed: seed ^ 0xC1A5_5F1E)
        for net in [body, head] {
            for (i, layer) in net.layers.enumerated() {
                let limit = (6 / Float(layer.inputs)).squareRoot()
                rng.fillUniform(net.weight(i).buffer, -limit, limit)
                net.bias(i).fill(0)
            }
        }
    }

    /// Forward pass: logits (`n × 10`); the features stay readable through `features(rows:)`.
    @discardableResult
    public func forward(_ input: Matrix) -> Matrix {
        head.forward(body.forward(input))
    }

    /// The penultimate features of the last forward pass.
    public func features(rows: Int) -> Matrix { body.output(rows: rows) }

    // MARK: - Weights on disk

    /// File names ↔ networks: the body's `clf.fc1…` as they are, the head as the next `clf.fcN`.
    private var namedEntries: [(fileName: String, network: MLP, entry: ParameterSet.Entry)] {
        var out = body.parameters.entries.map { (fileName: $0.name, network: body, entry: $0) }
        let n = hiddenSizes.count + 1
        for e in head.parameters.entries {
            out.append((e.name.replacingOccurrences(of: "clf.head.fc1.", with: "clf.fc\(n)."), head, e))
        }
        return out
    }

    public func safeTensors(metadata extra: [String: String] = [:]) -> SafeTensors {
        var tensors: [String: Tensor] = [:]
        for (name, network, entry) in namedEntries {
            let data = Array(UnsafeBufferPointer(start: network.parameters.values + entry.offset, count: entry.count))
            tensors[name] = Tensor(shape: entry.shape, floats: data)
        }
        var meta = extra
        meta["format"] = Self.formatName
        meta["format_version"] = Self.formatVersion
        meta["architecture"] = "mlp " + ([MNISTImages.pixelsPerImage] + hiddenSizes + [Self.classCount]).map(String.init).joined(separator: "-") + " relu"
        meta["input_scale"] = "x/127.5-1"
        return SafeTensors(metadata: meta, tensors: tensors)
    }

    /// Writes the weights atomically (a half-written judge would mis-score silently).
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try safeTensors(metadata: metadata).write(to: url)
    }

    /// Reads a classifier file: the hidden sizes come from the tensor shapes, every tensor is
    /// checked for dtype, shape and finiteness before use.
    public static func load(from url: URL, maxRows: Int) throws -> MNISTClassifier {
        let name = url.lastPathComponent
        let file = try SafeTensors.read(from: url)
        guard file.metadata["format"] == formatName else {
            throw FormatError(file: name, "not a gantop classifier (metadata format is \(file.metadata["format"].map { "'\($0)'" } ?? "missing"))")
        }
        var hidden: [Int] = []
        var inputs = MNISTImages.pixelsPerImage
        while let w = file.tensors["clf.fc\(hidden.count + 1).weight"], w.shape.count == 2, w.shape[1] == inputs {
            hidden.append(w.shape[0])
            inputs = w.shape[0]
        }
        guard hidden.count >= 2, hidden.last == classCount else {
            throw FormatError(file: name, "tensors clf.fc1… do not chain from 784 inputs to \(classCount) classes")
        }
        hidden.removeLast()
        let classifier = MNISTClassifier(hiddenSizes: hidden, maxRows: maxRows)
        for (fileName, network, entry) in classifier.namedEntries {
            let values = try Checkpoint.floats(file, fileName, shape: entry.shape, fileName: name)
            network.parameters.load(values, into: entry, block: .values)
        }
        classifier.metadata = file.metadata
        return classifier
    }

    /// Finds the shipped weights the way `MNISTLocator` finds the data: an explicit path, else
    /// `$GANTOP_CLASSIFIER`, else `assets/classifier.safetensors` under the working directory or
    /// next to the executable (walking up from `.build/release/gantop` to the checkout).
    public static func locateWeights(explicit: String?,
                                     environment: [String: String] = ProcessInfo.processInfo.environment,
                                     currentDirectory: String = FileManager.default.currentDirectoryPath,
                                     executablePath: String = CommandLine.arguments.first ?? "") throws -> URL {
        let fm = FileManager.default
        let cwd = URL(fileURLWithPath: currentDirectory)
        if let explicit {
            let url = URL(fileURLWithPath: explicit, relativeTo: cwd)
            guard fm.fileExists(atPath: url.path) else { throw DataError("--weights \(explicit): no such file") }
            return url
        }
        if let env = environment["GANTOP_CLASSIFIER"], !env.isEmpty {
            let url = URL(fileURLWithPath: env, relativeTo: cwd)
            guard fm.fileExists(atPath: url.path) else { throw DataError("GANTOP_CLASSIFIER=\(env): no such file") }
            return url
        }
        var candidates = [cwd.appendingPathComponent(defaultAssetPath)]
        var dir = URL(fileURLWithPath: executablePath, relativeTo: cwd).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0 ..< 5 {
            candidates.append(dir.appendingPathComponent(defaultAssetPath))
            candidates.append(dir.appendingPathComponent("share/gantop/classifier.safetensors"))
            dir = dir.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { fm.fileExists(atPath: $0.path) }) { return found.standardizedFileURL }
        throw DataError("cannot find the digit classifier: pass --weights FILE, set GANTOP_CLASSIFIER, "
                        + "or train one with `gantop classifier train` (looked for ./\(defaultAssetPath))")
    }
}
