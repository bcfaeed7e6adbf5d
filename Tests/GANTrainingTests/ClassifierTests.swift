import XCTest
import Foundation
import GANFormats
import NeuralNet
@testable import GANTraining

/// The shipped classifier and the meter's calibration on real data, noise and collapse.
final class ClassifierTests: XCTestCase {
    static let weights = Fixtures.repositoryRoot.appendingPathComponent(MNISTClassifier.defaultAssetPath)

    /// Loaded once for the whole test process (decompressing and classifying is the slow part).
    nonisolated(unsafe) private static var cached: (MNISTImages, MNISTClassifier, Classification)?
    private static let lock = NSLock()

    /// The test set, the shipped classifier, and its classification (with features) of all 10,000.
    static func testSet() throws -> (images: MNISTImages, classifier: MNISTClassifier, classification: Classification) {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let images = try MNISTLoader.loadTestImages(from: Fixtures.mnistFolder)
        let classifier = try MNISTClassifier.load(from: weights, maxRows: 1000)
        let result = (images, classifier, classifier.classify(images, keepFeatures: true))
        cached = result
        return result
    }

    /// The full 10,000 test images (cheap: the sgemm work is the same in debug builds).
    func testShippedClassifierAccuracy() throws {
        let (images, classifier, c) = try Self.testSet()
        let accuracy = c.accuracy(labels: images.labels!)
        XCTAssertGreaterThanOrEqual(accuracy, 0.985, "shipped classifier: \(accuracy)")
        XCTAssertEqual(classifier.hiddenSizes, [512, 256])
        XCTAssertEqual(classifier.metadata["format"], MNISTClassifier.formatName)
        let bytes = try FileManager.default.attributesOfItem(atPath: Self.weights.path)[.size] as! Int
        XCTAssertLessThan(bytes, 4_000_000)
    }

    func testRealDigitsScoreNearTheTopWithNoWarning() throws {
        let c = try Self.testSet().classification
        let m = QualityMeasurement(c)
        XCTAssertGreaterThanOrEqual(m.score, 9.5)
        XCTAssertEqual(m.coveredClasses, 10)
        XCTAssertNil(m.collapseWarning)
        XCTAssertGreaterThan(m.confidence, 0.95)
    }

    /// Two halves of the test set are the same distribution: their FD is a small fraction of
    /// the FD to noise (what is left is the bias of 5,000-sample estimates in 256 dimensions).
    func testFrechetDistanceOfRealHalvesIsNearZero() throws {
        let (_, classifier, c) = try Self.testSet()
        let d = c.featureSize, half = c.count / 2
        let first = GaussianFit(features: Array(c.features[0 ..< half * d]), count: half, dimension: d)
        let second = GaussianFit(features: Array(c.features[half * d ..< 2 * half * d]), count: half, dimension: d)
        let reference = FrechetDistance.Reference(first)
        let real = reference.distance(to: second)
        let noise = reference.distance(to: GaussianFit(classifier.classify(images: uniformNoise(2000, seed: 1), count: 2000, keepFeatures: true)))
        XCTAssertLessThan(real, 0.05 * noise, "FD real halves \(real) vs noise \(noise)")
        XCTAssertGreaterThanOrEqual(real, 0)
    }

    func testUniformNoiseScoresLowAndWarns() throws {
        let classifier = try Self.testSet().classifier
        let m = QualityMeasurement(classifier.classify(images: uniformNoise(1000, seed: 2), count: 1000))
        XCTAssertLessThan(m.score, 3, "noise scored \(m.score)")
        XCTAssertNotNil(m.collapseWarning)
    }

    func testOneRepeatedDigitScoresLowAndWarns() throws {
        let (images, classifier, _) = try Self.testSet()
        var row = [Float](repeating: 0, count: MNISTImages.pixelsPerImage)
        row.withUnsafeMutableBufferPointer { images.copyScaled(0, into: $0.baseAddress!) }
        let repeated = Array([[Float]](repeating: row, count: 500).joined())
        let m = QualityMeasurement(classifier.classify(images: repeated, count: 500))
        XCTAssertLessThan(m.score, 1.1)
        XCTAssertEqual(m.classHistogram[Int(images.labels![0])], 500)
        XCTAssertEqual(m.collapseWarning?.hasPrefix("mode collapse?"), true)
    }

    /// The meter on an untrained G: it runs, its history grows, and G's noise is not a digit.
    func testMeterOnAnUntrainedGenerator() throws {
        let classifier = try Self.testSet().classifier
        let g = MLP(layers: GANConfiguration().generatorLayers, maxRows: 8, namePrefix: "g.")
        var rng = RandomGenerator(seed: 1)
        g.initialiseGlorotUniform(rng: &rng)
        let meter = QualityMeter(generator: g, classifier: classifier, sampleCount: 200, seed: 1)
        let first = meter.measure(step: 100)
        meter.measure(step: 200)
        XCTAssertEqual(meter.history.map(\.step), [100, 200])
        XCTAssertEqual(meter.scoreHistory.count, 2)
        XCTAssertEqual(first.sampleCount, 200)
        XCTAssertEqual(first.classHistogram.reduce(0, +), 200)
        XCTAssertNotEqual(meter.history[0].measurement, meter.history[1].measurement, "fresh latents each time")
        XCTAssertLessThan(first.score, 5)
    }

    /// Weights survive a save/load round trip bit for bit, under the PyTorch-style names.
    func testSaveLoadRoundTrip() throws {
        let a = MNISTClassifier(hiddenSizes: [16, 8], maxRows: 4)
        a.initialise(seed: 3)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clf-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.save(to: url, metadata: ["note": "test"])
        let file = try SafeTensors.read(from: url)
        XCTAssertEqual(Set(file.tensors.keys), ["clf.fc1.weight", "clf.fc1.bias", "clf.fc2.weight", "clf.fc2.bias",
                                                "clf.fc3.weight", "clf.fc3.bias"])
        XCTAssertEqual(file.tensors["clf.fc3.weight"]?.shape, [10, 8])
        let b = try MNISTClassifier.load(from: url, maxRows: 2)
        XCTAssertEqual(b.hiddenSizes, [16, 8])
        XCTAssertEqual(b.metadata["note"], "test")
        for (x, y) in [(a.body, b.body), (a.head, b.head)] {
            XCTAssertEqual(x.parameters.arrays(of: .values).map(\.data), y.parameters.arrays(of: .values).map(\.data))
        }
        try Data("not a classifier".utf8).write(to: url)
        XCTAssertThrowsError(try MNISTClassifier.load(from: url, maxRows: 2))
    }

    /// 126 steps on 2,000 images learn something (≈ 80 % on held-out digits; chance is 10 %), and the folded export computes on
    /// [-1, 1] pixels what the trained network computes on its standardised inputs. (Small on
    /// purpose: Adam's SIMD kernel is slow in debug builds.)
    func testTrainerLearnsAndExportFoldsTheInputScaling() throws {
        let (images, _, _) = try Self.testSet()
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = 2
        configuration.batchSize = 32
        configuration.hiddenSizes = [32, 16]
        configuration.dropout = 0
        configuration.maxShift = 0
        let trainer = try ClassifierTrainer(configuration: configuration, images: images.prefix(2000), seed: 1)
        let first = trainer.trainEpoch(), second = trainer.trainEpoch()
        XCTAssertLessThan(second.loss, first.loss)
        let exported = trainer.trainedClassifier(maxRows: 1000)
        let accuracy = try exported.accuracy(on: images, range: 5000 ..< 6000)
        XCTAssertGreaterThan(accuracy, 0.7, "2 epochs on 2,000 images: \(accuracy)")
        // Same logits: export on raw pixels vs the trained network on standardised pixels.
        let raw = matrix(1, MNISTImages.pixelsPerImage), standard = matrix(1, MNISTImages.pixelsPerImage)
        images.copyScaled(7, into: raw.base)
        for i in 0 ..< raw.count { standard.base[i] = (raw.base[i] - trainer.inputMean) / trainer.inputStd }
        let expected = trainer.classifier.forward(standard).toArray()
        let got = exported.forward(raw).toArray()
        for (x, y) in zip(got, expected) { XCTAssertEqual(x, y, accuracy: 1e-3 * max(1, abs(y))) }
    }

    // MARK: - Helpers

    private var arenas: [FloatArena] = []

    func matrix(_ rows: Int, _ cols: Int) -> Matrix {
        let arena = FloatArena(capacity: rows * cols)
        arenas.append(arena)
        return arena.matrix(rows: rows, cols: cols)
    }

    func uniformNoise(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0 ..< count * MNISTImages.pixelsPerImage).map { _ in rng.uniform(-1, 1) }
    }
}
