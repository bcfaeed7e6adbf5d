import NeuralNet

/// What the classifier says about a set of images: p(y|x) per image and, optionally, the
/// penultimate features the Fréchet distance needs.
public struct Classification: Sendable {
    public let count: Int
    /// `count × 10`, each row a probability distribution over the digits.
    public let probabilities: [Float]
    /// `count × featureSize`, or empty when features were not requested.
    public let features: [Float]
    public let featureSize: Int

    /// The arg-max class of each image.
    public var predictions: [Int] {
        let k = MNISTClassifier.classCount
        return (0 ..< count).map { i in
            var best = 0
            for c in 1 ..< k where probabilities[i * k + c] > probabilities[i * k + best] { best = c }
            return best
        }
    }

    /// Fraction of images whose prediction is `labels[i]`.
    public func accuracy(labels: [UInt8]) -> Double {
        precondition(labels.count >= count)
        guard count > 0 else { return 0 }
        let hits = zip(predictions, labels).reduce(0) { $0 + ($1.0 == Int($1.1) ? 1 : 0) }
        return Double(hits) / Double(count)
    }
}

extension MNISTClassifier {
    /// Classifies `count` images in chunks of `maxRows`; `fill(start, rows)` writes images
    /// `start ..< start + rows.rows` (784 values each, in [-1, 1]) into `rows`.
    public func classify(count: Int, keepFeatures: Bool, fill: (Int, Matrix) -> Void) -> Classification {
        let k = Self.classCount, f = featureSize, pixels = MNISTImages.pixelsPerImage
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(maxRows, pixels), (maxRows, k)]))
        let input = arena.matrix(rows: maxRows, cols: pixels)
        let probabilities = arena.matrix(rows: maxRows, cols: k)
        var outP = [Float](), outF = [Float]()
        outP.reserveCapacity(count * k)
        if keepFeatures { outF.reserveCapacity(count * f) }
        var start = 0
        while start < count {
            let n = min(maxRows, count - start)
            let rows = input.prefix(rows: n)
            fill(start, rows)
            let logits = forward(rows)
            let p = probabilities.prefix(rows: n)
            SoftmaxCrossEntropy.softmax(logits: logits, into: p)
            outP += p.buffer
            if keepFeatures { outF += features(rows: n).buffer }
            start += n
        }
        return Classification(count: count, probabilities: outP, features: outF, featureSize: keepFeatures ? f : 0)
    }

    /// Classifies images given as `count × 784` values in [-1, 1] (G's outputs, exported samples).
    public func classify(images: [Float], count: Int, keepFeatures: Bool = false) -> Classification {
        let pixels = MNISTImages.pixelsPerImage
        precondition(images.count >= count * pixels, "classify: \(images.count) values for \(count) images")
        return images.withUnsafeBufferPointer { src in
            classify(count: count, keepFeatures: keepFeatures) { start, rows in
                rows.base.update(from: src.baseAddress! + start * pixels, count: rows.count)
            }
        }
    }

    /// Classifies MNIST images `range` (all by default), scaled exactly as the GAN sees them.
    public func classify(_ images: MNISTImages, range: Range<Int>? = nil, keepFeatures: Bool = false) -> Classification {
        let r = range ?? 0 ..< images.count
        precondition(r.lowerBound >= 0 && r.upperBound <= images.count)
        return classify(count: r.count, keepFeatures: keepFeatures) { start, rows in
            for i in 0 ..< rows.rows {
                images.copyScaled(r.lowerBound + start + i, into: rows.base + i * rows.cols)
            }
        }
    }

    /// Test-set accuracy (the images must carry labels).
    public func accuracy(on images: MNISTImages, range: Range<Int>? = nil) throws -> Double {
        guard let labels = images.labels else { throw DataError("accuracy needs labelled images (the labels file is missing)") }
        let r = range ?? 0 ..< images.count
        return classify(images, range: r).accuracy(labels: Array(labels[r]))
    }
}
