import GANFormats
import Layers
import NeuralNet

/// The GANs gantop trains (`--model`).
public enum GANModelKind: String, CaseIterable, Sendable {
    /// The reference MLP GAN (`MNISTGAN`).
    case mlp
    /// The reference DCGAN of issue #19 (`DCGANModel`).
    case dcgan

    /// How the status bar and the first line of a run name it.
    public var displayName: String { self == .mlp ? "MLP" : "DCGAN" }

    /// Multiply–adds ×2 of one reference step at batch `b`.
    public func flopsPerStep(batch b: Int) -> Double {
        switch self {
        case .mlp:
            var c = GANConfiguration()
            c.batchSize = b
            return c.flopsPerStep
        case .dcgan:
            return DCGANModel.flopsPerStep(batch: b)
        }
    }

    /// A fresh model of this kind.
    public func make(configuration: GANConfiguration, images: MNISTImages, seed: UInt64, batchCapacity: Int? = nil) -> any GANModel {
        switch self {
        case .mlp: MNISTGAN(configuration: configuration, images: images, seed: seed, batchCapacity: batchCapacity)
        case .dcgan: DCGANModel(configuration: configuration, images: images, seed: seed, batchCapacity: batchCapacity)
        }
    }

    /// Why this model cannot train `configuration`, in one line, or nil.
    public func refusal(_ configuration: GANConfiguration) -> String? {
        self == .dcgan ? DCGANModel.refusal(configuration) : nil
    }
}

/// What the session, the headless run, the checkpoints, the quality meter and the benchmark
/// need of a GAN, whichever its networks. `MNISTGAN` and `DCGANModel` conform.
public protocol GANModel: AnyObject {
    var kind: GANModelKind { get }
    /// The recipe and the live settings (loss, optimizer, real label, batch size ≤ `batchCapacity`).
    var configuration: GANConfiguration { get set }
    var batchCapacity: Int { get }
    var images: MNISTImages { get }
    var seed: UInt64 { get }
    /// The noise stream (and dropout masks); saved in checkpoints.
    var rng: RandomGenerator { get set }
    var sampler: EpochSampler { get }
    /// Whole steps (G updates of whole steps) so far.
    var step: Int { get }
    /// Every G update in this process, lone ones too: a cheap "has G changed" for caches.
    var generatorUpdates: Int { get }
    var adamG: Adam { get set }
    var adamD: Adam { get set }
    /// G's and D's trainable tensors (what Adam updates).
    var generatorParameters: ParameterSet { get }
    var discriminatorParameters: ParameterSet { get }
    var dStepsPerGStep: Int { get set }
    /// Updates absorbed by G's weight average (its warm-up depends on it).
    var averageUpdates: Int { get set }
    var phaseTimer: PhaseTimer? { get set }
    /// Weights, optimiser state (and running statistics) all finite.
    var stateIsFinite: Bool { get }
    /// The phases of one whole step with the current k.
    var phasesPerStep: [TrainingPhase] { get }

    @discardableResult func trainStep() -> StepStats
    /// Phases 1+2 alone (key `d`); the step counter stays.
    @discardableResult func trainDiscriminatorStep() -> StepStats
    /// Phases 1+3 alone (key `g`); the step counter stays.
    @discardableResult func trainGeneratorStep() -> StepStats
    /// One phase; `phasesPerStep` in order is bit-identical to `trainStep()`.
    @discardableResult func run(_ phase: TrainingPhase) -> StepStats
    func restore(step: Int, rng: RandomGenerator, sampler: EpochSampler)

    /// Images from latents with the G a user sees (the weight average when kept), outside the
    /// training buffers, sampled as the recipe says.
    func makeImageGenerator(maxRows: Int) -> any LatentImageGenerator
    /// The networks' tensors for a checkpoint (weights, Adam's moments, running statistics, the average).
    func checkpointTensors() -> [String: Tensor]
    /// The inverse of `checkpointTensors` (after `Checkpoint.read` checked the file); sets `averageUpdates`.
    func restoreTensors(from file: SafeTensors, header: Checkpoint.Header, fileName: String) throws
}

/// G as a function from latents to images, for the screen's digits, the quality meter and exports.
public protocol LatentImageGenerator: AnyObject {
    var latentSize: Int { get }
    /// How its latents are drawn (uniform noise, and the DCGAN's code when it has one).
    var latentLayout: LatentLayout { get }
    /// Brings the weights up to date with the model's (a no-op when they are shared).
    func refresh()
    /// G(z) for every row of `z` (any number of rows), one 784-float image per row of `images`.
    func generate(_ z: Matrix, into images: Matrix)
}

extension LatentImageGenerator {
    public var latentLayout: LatentLayout { LatentLayout(size: latentSize) }
}

/// The MLP's G over the model's own weights (shared, so always current), in its own workspace.
public final class MLPImageGenerator: LatentImageGenerator {
    private let network: MLP

    public init(_ generator: MLP, maxRows: Int) {
        network = generator.sharingParameters(maxRows: maxRows)
    }

    public var latentSize: Int { network.layers[0].inputs }
    public func refresh() {}

    public func generate(_ z: Matrix, into images: Matrix) {
        precondition(z.rows == images.rows)
        var start = 0
        while start < z.rows {
            let n = min(network.maxRows, z.rows - start)
            images.rows(start, count: n).copy(from: network.forward(z.rows(start, count: n)))
            start += n
        }
    }
}

extension MNISTGAN: GANModel {
    public var kind: GANModelKind { .mlp }
    public var generatorParameters: ParameterSet { generator.parameters }
    public var discriminatorParameters: ParameterSet { discriminator.parameters }

    public func makeImageGenerator(maxRows: Int) -> any LatentImageGenerator {
        MLPImageGenerator(samplingGenerator, maxRows: maxRows)
    }

    public func checkpointTensors() -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for network in [generator, discriminator] {
            tensors.merge(network.parameters.checkpointTensors()) { _, new in new }
        }
        if let average = averagedGenerator {
            for e in average.parameters.entries { tensors[e.name] = Tensor(shape: e.shape, floats: average.parameters.array(e, of: .values)) }
        }
        return tensors
    }

    public func restoreTensors(from file: SafeTensors, header: Checkpoint.Header, fileName: String) throws {
        for network in [generator, discriminator] {
            try network.parameters.restore(from: file, fileName: fileName)
        }
        if let average = averagedGenerator {
            if header.configuration.generatorAverageDecay != nil {
                for e in average.parameters.entries {
                    average.parameters.load(try Checkpoint.floats(file, e.name, shape: e.shape, fileName: fileName), into: e, block: .values)
                }
                averageUpdates = Int(header.metadata["g_ema_updates"] ?? "") ?? header.step
            } else {
                // A checkpoint without an average: start it from the weights it has.
                average.parameters.values.update(from: generator.parameters.values, count: generator.parameters.count)
                averageUpdates = header.step
            }
        }
    }
}

/// Turns latent vectors into images with G's current weights, outside the training buffers.
public final class DigitSampler {
    public let latents: Matrix
    private let generator: any LatentImageGenerator
    private let images: Matrix
    private let arena: FloatArena

    /// - Parameter latents: row-major `count × latentSize` values.
    public init(images generator: any LatentImageGenerator, latents: [Float], count: Int) {
        let size = generator.latentSize
        precondition(latents.count == count * size)
        arena = FloatArena(capacity: FloatArena.capacity(for: [(count, size), (count, MNISTImages.pixelsPerImage)]))
        let matrix = arena.matrix(rows: count, cols: size)
        latents.withUnsafeBufferPointer { matrix.base.update(from: $0.baseAddress!, count: latents.count) }
        self.latents = matrix
        images = arena.matrix(rows: count, cols: MNISTImages.pixelsPerImage)
        self.generator = generator
    }

    /// The MLP's G (its weights shared).
    public convenience init(generator: MLP, latents: [Float], count: Int) {
        self.init(images: MLPImageGenerator(generator, maxRows: count), latents: latents, count: count)
    }

    /// The model's displayed G. `recomputeInterval`: the live screen's bound on how often the
    /// DCGAN's `recompute` sampling redoes its statistics (seconds; see `DCGANImageGenerator`).
    public convenience init(model: any GANModel, latents: [Float], count: Int, recomputeInterval: Double = 0) {
        let generator = model.makeImageGenerator(maxRows: min(count, 100))
        (generator as? DCGANImageGenerator)?.recomputeInterval = recomputeInterval
        self.init(images: generator, latents: latents, count: count)
    }

    /// The 16 fixed latents of the screen: uniform like the training noise, from their own seed.
    public static func fixedLatents(count: Int, size: Int, seed: UInt64) -> [Float] {
        LatentLayout(size: size).fixedLatents(count: count, seed: seed)
    }

    /// The fixed latents of a run of `configuration` (its code's categories in turn, if any).
    public static func fixedLatents(count: Int, configuration c: GANConfiguration, seed: UInt64) -> [Float] {
        LatentLayout(size: c.latentSize, categories: c.infoCategories).fixedLatents(count: count, seed: seed)
    }

    /// G(latents), `count × 784` in [-1, 1].
    public func generate() -> [Float] {
        generator.refresh()
        generator.generate(latents, into: images)
        return images.toArray()
    }
}
