import Foundation

/// Sample-quality numbers computed from the classifier's p(y|x), as pure functions.
public enum QualityMetrics {
    /// The **MNIST score**: the Inception Score formula with gantop's digit classifier,
    ///   exp( E_x KL( p(y|x) ‖ p(y) ) ),  p(y) = E_x p(y|x).
    /// High when each sample is confidently one digit (sharp p(y|x)) *and* the digits are
    /// varied (flat p(y)): 10 at best (ten equally frequent, certain classes), 1 at worst
    /// (every sample looks the same to the classifier, or none looks like anything).
    public static func mnistScore(probabilities p: [Float], count n: Int, classes k: Int = MNISTClassifier.classCount) -> Double {
        precondition(p.count >= n * k)
        guard n > 0 else { return 1 }
        var marginal = [Double](repeating: 0, count: k)
        for i in 0 ..< n { for c in 0 ..< k { marginal[c] += Double(p[i * k + c]) } }
        for c in 0 ..< k { marginal[c] /= Double(n) }
        var kl = 0.0
        for i in 0 ..< n {
            for c in 0 ..< k {
                let q = Double(p[i * k + c])
                if q > 0 { kl += q * (log(q) - log(marginal[c])) }  // 0 · log 0 = 0
            }
        }
        return exp(max(kl / Double(n), 0))
    }

    /// How many samples the classifier assigns to each digit (arg-max), ten bins.
    public static func classHistogram(predictions: [Int], classes k: Int = MNISTClassifier.classCount) -> [Int] {
        var histogram = [Int](repeating: 0, count: k)
        for c in predictions where c >= 0 && c < k { histogram[c] += 1 }
        return histogram
    }

    /// Mean of max_y p(y|x): how sure the classifier is that the samples are digits at all.
    public static func meanConfidence(probabilities p: [Float], count n: Int, classes k: Int = MNISTClassifier.classCount) -> Double {
        guard n > 0 else { return 0 }
        var total = 0.0
        for i in 0 ..< n {
            var best: Float = 0
            for c in 0 ..< k { best = max(best, p[i * k + c]) }
            total += Double(best)
        }
        return total / Double(n)
    }

    /// Entropy of the class histogram in bits: log2(10) ≈ 3.32 when all ten digits are equally
    /// frequent, 0 when every sample is the same digit.
    public static func classEntropy(histogram: [Int]) -> Double {
        let total = Double(histogram.reduce(0, +))
        guard total > 0 else { return 0 }
        return histogram.reduce(0.0) { h, count in
            guard count > 0 else { return h }
            let q = Double(count) / total
            return h - q * log2(q)
        }
    }
}

/// The meter's reading on one set of samples.
public struct QualityMeasurement: Sendable, Equatable {
    public var sampleCount: Int
    public var score: Double
    public var classHistogram: [Int]
    public var confidence: Double
    /// Bits, see `QualityMetrics.classEntropy`.
    public var classEntropy: Double
    /// Set by whoever knows the history (`QualityMeter`, `ModeCollapse.warning`).
    public var collapseWarning: String?

    public init(_ c: Classification) {
        sampleCount = c.count
        score = QualityMetrics.mnistScore(probabilities: c.probabilities, count: c.count)
        classHistogram = QualityMetrics.classHistogram(predictions: c.predictions)
        confidence = QualityMetrics.meanConfidence(probabilities: c.probabilities, count: c.count)
        classEntropy = QualityMetrics.classEntropy(histogram: classHistogram)
        collapseWarning = ModeCollapse.warning(histogram: classHistogram, entropy: classEntropy, recentEntropies: [])
    }

    /// Digits holding at least `ModeCollapse.minimumShare` of the samples.
    public var coveredClasses: Int {
        classHistogram.filter { Double($0) >= ModeCollapse.minimumShare * Double(max(sampleCount, 1)) }.count
    }

    /// `"mnist_score":8.71,"class_hist":[…],"confidence":0.93` for headless JSON lines.
    public var jsonFields: String {
        let score = self.score.isFinite ? String(format: "%.4f", self.score) : "null"
        return "\"mnist_score\":\(score),\"class_hist\":[\(classHistogram.map(String.init).joined(separator: ","))],"
            + "\"confidence\":\(String(format: "%.4f", confidence))"
    }
}

/// Mode-collapse detection: G producing only some of the digits.
public enum ModeCollapse {
    /// A digit under 2 % of the samples (a fair share is 10 %) is treated as missing.
    public static let minimumShare = 0.02
    /// A fall of the class entropy by this many bits below its recent best is "sharp": e.g.
    /// from ten equal classes (3.32 bits) to about seven (2.8 bits) between two readings.
    public static let entropyDrop = 0.5

    /// A one-line warning, or nil when all ten digits are present and the class entropy holds.
    /// - Parameter recentEntropies: class entropies of the last few readings (oldest first).
    public static func warning(histogram: [Int], entropy: Double, recentEntropies: [Double]) -> String? {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return nil }
        let missing = histogram.indices.filter { Double(histogram[$0]) < minimumShare * Double(total) }
        if !missing.isEmpty {
            let shown = missing.prefix(5).map(String.init).joined(separator: ",") + (missing.count > 5 ? ",…" : "")
            let digits = missing.count == 1 ? "digit \(shown) is" : "digits \(shown) are"
            return "mode collapse? \(digits) under \(Int(minimumShare * 100))% of samples"
        }
        if let best = recentEntropies.max(), best - entropy >= entropyDrop {
            return "mode collapse? class entropy fell \(String(format: "%.2f", best)) → \(String(format: "%.2f", entropy)) bits"
        }
        return nil
    }
}
