import Foundation
import NeuralNet

/// How the digit classifier is trained. The defaults are what produced the shipped
/// `assets/classifier.safetensors` (see `gantop classifier train`).
public struct ClassifierTrainingConfiguration: Sendable, Equatable {
    public var epochs = 20
    public var batchSize = 128
    /// Adam's rate at the start; it follows a cosine down to `finalLearningRate` by the last step,
    /// so late epochs fine-tune instead of bouncing around the minimum.
    public var learningRate: Float = 1e-3
    public var finalLearningRate: Float = 1e-5
    /// Random translations of up to ±maxShift pixels in x and y: the cheapest augmentation that
    /// helps an MLP, which has no translation invariance of its own.
    public var maxShift = 2
    /// Dropout on the penultimate features, to keep the classifier from memorising the 60k images.
    public var dropout: Float = 0.25
    public var hiddenSizes = MNISTClassifier.defaultHiddenSizes

    public init() {}
}

/// What one epoch of classifier training reports.
public struct ClassifierEpochStats: Sendable {
    public var epoch: Int
    public var loss: Float
    /// Accuracy on the (augmented) training batches of the epoch.
    public var trainAccuracy: Double
    public var learningRate: Float
    public var seconds: Double
}

/// Trains an `MNISTClassifier` with Adam and softmax cross-entropy, one epoch at a time.
public final class ClassifierTrainer {
    public let configuration: ClassifierTrainingConfiguration
    public let classifier: MNISTClassifier
    public let images: MNISTImages
    private let labels: [UInt8]
    private var sampler: EpochSampler
    private var rng: RandomGenerator
    private var adamBody: Adam
    private var adamHead: Adam
    private let arena: FloatArena
    private let input: Matrix
    private let mask: Matrix
    private let totalSteps: Int
    /// Training sees (x − mean)/std with the data's global pixel statistics: centred inputs train
    /// much faster than [-1, 1] pixels that are mostly −1. `trainedClassifier()` folds the affine
    /// map into the first layer, so the saved classifier takes the GAN's [-1, 1] pixels directly.
    public let inputMean: Float
    public let inputStd: Float
    public private(set) var step = 0
    public private(set) var epoch = 0

    public init(configuration: ClassifierTrainingConfiguration = ClassifierTrainingConfiguration(),
                images: MNISTImages, seed: UInt64) throws {
        guard let labels = images.labels else { throw DataError("training the classifier needs the labels file") }
        precondition(configuration.batchSize > 0 && configuration.epochs > 0 && images.count > 0)
        self.configuration = configuration
        self.images = images
        self.labels = labels
        let b = configuration.batchSize
        classifier = MNISTClassifier(hiddenSizes: configuration.hiddenSizes, maxRows: b)
        classifier.initialise(seed: seed)
        sampler = EpochSampler(count: images.count, seed: seed)
        rng = RandomGenerator(seed: seed &+ 0xA11_6E4)
        adamBody = Adam(learningRate: configuration.learningRate)
        adamHead = Adam(learningRate: configuration.learningRate)
        arena = FloatArena(capacity: FloatArena.capacity(for: [(b, MNISTImages.pixelsPerImage), (b, classifier.featureSize)]))
        input = arena.matrix(rows: b, cols: MNISTImages.pixelsPerImage)
        mask = arena.matrix(rows: b, cols: classifier.featureSize)
        totalSteps = configuration.epochs * ((images.count + b - 1) / b)
        var sum = 0.0, squares = 0.0
        for p in images.pixels {
            let x = Double(p) / 127.5 - 1
            sum += x
            squares += x * x
        }
        let n = Double(images.pixels.count), mean = sum / n
        inputMean = Float(mean)
        inputStd = Float(max(squares / n - mean * mean, 1e-4).squareRoot())
    }

    /// A classifier for [-1, 1] inputs with the current weights: W' = W/std, b' = b − W'·(mean·1).
    public func trainedClassifier(maxRows: Int = 1000) -> MNISTClassifier {
        let out = MNISTClassifier(hiddenSizes: configuration.hiddenSizes, maxRows: maxRows)
        for (from, to) in [(classifier.body.parameters, out.body.parameters), (classifier.head.parameters, out.head.parameters)] {
            to.values.update(from: from.values, count: from.count)
        }
        let w = out.body.weight(0), b = out.body.bias(0)
        let scale = 1 / inputStd
        for r in 0 ..< w.rows {
            var rowSum: Float = 0
            for c in 0 ..< w.cols {
                w[r, c] *= scale
                rowSum += w[r, c]
            }
            b[0, r] -= inputMean * rowSum
        }
        return out
    }

    /// The cosine schedule at `step`.
    public func learningRate(at step: Int) -> Float {
        let c = configuration
        let t = Double(min(step, totalSteps)) / Double(max(totalSteps, 1))
        return c.finalLearningRate + (c.learningRate - c.finalLearningRate) * Float(0.5 * (1 + cos(Double.pi * t)))
    }

    /// One pass over the training images (the last batch may be smaller).
    public func trainEpoch() -> ClassifierEpochStats {
        let start = Date()
        let b = configuration.batchSize
        var lossSum = 0.0, correct = 0, seen = 0
        var batchLabels = [Int](repeating: 0, count: b)
        var remaining = images.count
        while remaining > 0 {
            let n = min(b, remaining)
            remaining -= n
            let x = input.prefix(rows: n)
            for r in 0 ..< n {
                let index = sampler.next()
                batchLabels[r] = Int(labels[index])
                fillShifted(index, into: x.base + r * x.cols)
            }
            let (loss, hits) = trainBatch(x, labels: batchLabels)
            lossSum += Double(loss) * Double(n)
            correct += hits
            seen += n
        }
        epoch += 1
        return ClassifierEpochStats(epoch: epoch, loss: Float(lossSum / Double(seen)),
                                    trainAccuracy: Double(correct) / Double(seen),
                                    learningRate: learningRate(at: step), seconds: Date().timeIntervalSince(start))
    }

    /// Forward, loss, backward through head and body (with the dropout mask), Adam.
    private func trainBatch(_ x: Matrix, labels: [Int]) -> (loss: Float, correct: Int) {
        let n = x.rows, net = classifier
        let features = net.body.forward(x)
        let keep = 1 - configuration.dropout
        let m = mask.prefix(rows: n)
        if configuration.dropout > 0 {
            // Inverted dropout: kept units scaled by 1/keep, so inference needs no rescaling.
            let scale = 1 / keep
            for i in 0 ..< m.count {
                let v: Float = rng.nextUnitFloat() < keep ? scale : 0
                m.base[i] = v
                features.base[i] *= v
            }
        }
        let logits = net.head.forward(features)
        let result = SoftmaxCrossEntropy.meanLossAndGradient(logits: logits, labels: { labels[$0] },
                                                             gradient: net.head.outputGradient(rows: n))
        let featureGradient = net.body.outputGradient(rows: n)
        net.head.backward(input: features, inputGradient: true, into: featureGradient)
        if configuration.dropout > 0 {
            // ReLU's backward then zeroes the dropped units too (their outputs are now 0).
            for i in 0 ..< m.count { featureGradient.base[i] *= m.base[i] }
        }
        net.body.backward(input: x)
        let lr = learningRate(at: step)
        adamBody.learningRate = lr
        adamHead.learningRate = lr
        adamBody.update(net.body.parameters)
        adamHead.update(net.head.parameters)
        step += 1
        return result
    }

    /// Image `index` standardised and translated by a random (dx, dy) in ±maxShift; pixels
    /// shifted in from outside are background.
    private func fillShifted(_ index: Int, into row: UnsafeMutablePointer<Float>) {
        let s = configuration.maxShift, side = MNISTImages.side
        let dx = s > 0 ? rng.nextInt(below: 2 * s + 1) - s : 0, dy = s > 0 ? rng.nextInt(below: 2 * s + 1) - s : 0
        let a = 2 / (255 * inputStd), c = (-1 - inputMean) / inputStd
        row.update(repeating: c, count: MNISTImages.pixelsPerImage)
        images.pixels.withUnsafeBufferPointer { p in
            let src = p.baseAddress! + index * MNISTImages.pixelsPerImage
            for y in max(0, dy) ..< min(side, side + dy) {
                let from = src + (y - dy) * side, to = row + y * side
                for x in max(0, dx) ..< min(side, side + dx) { to[x] = Float(from[x - dx]) * a + c }
            }
        }
    }
}
