import Layers
import NeuralNet

/// The live quality meter: every so often, G draws fresh samples and the digit classifier says
/// what they are.
///
/// Cost of one `measure()` with 1,000 samples: G forward (1.48 M multiply–adds per sample) plus
/// the classifier forward (0.54 M), 4.0 GFLOP in all, the work of 4 training steps of the
/// reference GAN at B = 64 (1.01 GFLOP each); measured 0.10–0.12 s on the busy 2-core dev
/// machine, where a step took 40 ms. Measuring every 500 steps costs under 1 % of training.
/// A Fréchet distance on 10,000 samples costs ten times the sampling (≈ 1.2 s) plus ≈ 0.1 s of
/// fitting and linear algebra, so it belongs with saves; the test set's reference fit costs
/// ≈ 1.3 s once per run (classifying 10,000 images and a Jacobi eigendecomposition).
///
/// Not thread-safe: it reads G's weights, so call it from the thread that trains, between steps.
public final class QualityMeter {
    public static let defaultSampleCount = 1000
    /// Readings kept for the sparkline and the entropy comparison.
    public static let historyLimit = 512
    /// How many recent readings the entropy-drop check looks back over.
    public static let entropyWindow = 5

    public let classifier: MNISTClassifier
    public let sampleCount: Int
    private let generator: any LatentImageGenerator
    private let arena: FloatArena
    private let latents: Matrix
    private var rng: RandomGenerator
    /// Readings so far, oldest first (at most `historyLimit`).
    public private(set) var history: [(step: Int, measurement: QualityMeasurement)] = []

    /// - Parameters:
    ///   - generator: G; the meter samples through its own workspace over the same weights.
    ///   - classifier: any instance; the meter makes its own copy sized for its chunk.
    ///   - seed: of the meter's own latents, so measuring never changes the training's noise stream.
    public convenience init(generator: MLP, classifier: MNISTClassifier, sampleCount: Int = defaultSampleCount, seed: UInt64) {
        self.init(images: MLPImageGenerator(generator, maxRows: min(sampleCount, 1000)), classifier: classifier,
                  sampleCount: sampleCount, seed: seed)
    }

    /// The meter of a model's displayed G (the DCGAN's is sampled 100 rows at a time: its
    /// activations are 64 K floats a row).
    public convenience init(model: any GANModel, classifier: MNISTClassifier, sampleCount: Int = defaultSampleCount, seed: UInt64) {
        let rows = model.kind == .mlp ? min(sampleCount, 1000) : min(sampleCount, 100)
        self.init(images: model.makeImageGenerator(maxRows: rows), classifier: classifier, sampleCount: sampleCount, seed: seed)
    }

    /// - Parameter images: G as a function of latents (its weights are refreshed at each reading).
    public init(images generator: any LatentImageGenerator, classifier: MNISTClassifier, sampleCount: Int = defaultSampleCount,
                seed: UInt64) {
        precondition(sampleCount >= 2)
        self.sampleCount = sampleCount
        let chunk = min(sampleCount, 1000)
        self.generator = generator
        self.classifier = classifier.sharingParameters(maxRows: chunk)
        arena = FloatArena(capacity: FloatArena.capacity(for: [(chunk, generator.latentSize)]))
        latents = arena.matrix(rows: chunk, cols: generator.latentSize)
        rng = RandomGenerator(seed: seed ^ 0x0A11_7E57)
    }

    /// Classifies `count` fresh samples of G (latents drawn as the training noise is).
    public func classifySamples(count: Int, keepFeatures: Bool) -> Classification {
        generator.refresh()
        return classifier.classify(count: count, keepFeatures: keepFeatures) { _, rows in
            let z = latents.prefix(rows: rows.rows)
            generator.latentLayout.fill(z, rng: &rng)
            generator.generate(z, into: rows)
        }
    }

    /// One reading on `sampleCount` fresh samples, recorded in the history, with the collapse
    /// warning judged against the recent readings.
    @discardableResult
    public func measure(step: Int) -> QualityMeasurement {
        var m = QualityMeasurement(classifySamples(count: sampleCount, keepFeatures: false))
        let recent = history.suffix(Self.entropyWindow).map(\.measurement.classEntropy)
        m.collapseWarning = ModeCollapse.warning(histogram: m.classHistogram, entropy: m.classEntropy, recentEntropies: recent)
        history.append((step, m))
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
        return m
    }

    /// The scores so far, oldest first, for the sparkline.
    public var scoreHistory: [Float] { history.map { Float($0.measurement.score) } }

    /// Fréchet distance between the features of `count` fresh samples and `reference`
    /// (the test set's fit: `QualityMeter.testSetReference`).
    public func frechetDistance(to reference: FrechetDistance.Reference, count: Int = 10_000) -> Double {
        reference.distance(to: GaussianFit(classifySamples(count: count, keepFeatures: true)))
    }

    /// Where the real images for the Fréchet distance at save time come from (the MNIST test
    /// set, loaded and fitted on first use, so runs that never save never pay for it).
    public var referenceImages: (() throws -> MNISTImages)?
    private var testSetReference: FrechetDistance.Reference?

    /// Fréchet distance of 10,000 fresh samples to the test set (about 0.4 s), or nil when
    /// there is no test set to compare with.
    public func frechetDistanceToTestSet(count: Int = 10_000) throws -> Double? {
        if testSetReference == nil, let load = referenceImages {
            testSetReference = Self.reference(classifier: classifier, images: try load())
        }
        guard let reference = testSetReference else { return nil }
        return frechetDistance(to: reference, count: count)
    }

    /// The Gaussian fit of the classifier's features on real images (the MNIST test set),
    /// computed once per run.
    public static func reference(classifier: MNISTClassifier, images: MNISTImages) -> FrechetDistance.Reference {
        FrechetDistance.Reference(GaussianFit(classifier.classify(images, keepFeatures: true)))
    }
}
