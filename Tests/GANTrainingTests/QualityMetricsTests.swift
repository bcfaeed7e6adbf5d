import XCTest
import NeuralNet
@testable import GANTraining

/// The metrics on synthetic inputs whose answers are known exactly.
final class QualityMetricsTests: XCTestCase {
    /// `n` one-hot rows, row i certain of class `classOf(i)`.
    func oneHot(_ n: Int, _ classOf: (Int) -> Int) -> [Float] {
        var p = [Float](repeating: 0, count: n * 10)
        for i in 0 ..< n { p[i * 10 + classOf(i)] = 1 }
        return p
    }

    func testScoreExtremes() {
        // Certain and evenly spread over the ten digits: KL = log 10 per sample, score 10.
        XCTAssertEqual(QualityMetrics.mnistScore(probabilities: oneHot(100) { $0 % 10 }, count: 100), 10, accuracy: 1e-9)
        // Certain but always the same digit: p(y|x) = p(y), score 1.
        XCTAssertEqual(QualityMetrics.mnistScore(probabilities: oneHot(100) { _ in 3 }, count: 100), 1, accuracy: 1e-12)
        // Maximally unsure (uniform p(y|x)): score 1 too.
        XCTAssertEqual(QualityMetrics.mnistScore(probabilities: [Float](repeating: 0.1, count: 1000), count: 100), 1, accuracy: 1e-6)
        // Certain, two digits equally often: score 2 (the score counts "effective" classes).
        XCTAssertEqual(QualityMetrics.mnistScore(probabilities: oneHot(10) { $0 % 2 }, count: 10), 2, accuracy: 1e-9)
    }

    /// Hand-checked with two samples: p1 = (½, ½, 0…), p2 = (0, 1, 0…). p(y) = (¼, ¾).
    ///   KL1 = ½ ln(½/¼) + ½ ln(½/¾) = ½ ln 2 + ½ ln ⅔;  KL2 = ln(1/¾) = ln 4/3.
    ///   score = exp((KL1 + KL2)/2) = exp(½(½ ln(4/3) + ln(4/3))) = (4/3)^{3/4}.
    func testScoreByHand() {
        var p = [Float](repeating: 0, count: 20)
        p[0] = 0.5; p[1] = 0.5; p[11] = 1
        XCTAssertEqual(QualityMetrics.mnistScore(probabilities: p, count: 2), pow(4.0 / 3, 0.75), accuracy: 1e-6)
        XCTAssertEqual(QualityMetrics.meanConfidence(probabilities: p, count: 2), 0.75, accuracy: 1e-9)
    }

    func testHistogramEntropyAndCoverage() {
        XCTAssertEqual(QualityMetrics.classHistogram(predictions: [0, 9, 9, 3, 11, -1]), [1, 0, 0, 1, 0, 0, 0, 0, 0, 2])
        XCTAssertEqual(QualityMetrics.classEntropy(histogram: Array(repeating: 7, count: 10)), log2(10), accuracy: 1e-12)
        XCTAssertEqual(QualityMetrics.classEntropy(histogram: [5, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0)
        XCTAssertEqual(QualityMetrics.classEntropy(histogram: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]), 1, accuracy: 1e-12)
        XCTAssertEqual(QualityMetrics.classEntropy(histogram: Array(repeating: 0, count: 10)), 0)
    }

    func testCollapseWarnings() {
        let fair = Array(repeating: 100, count: 10)
        let fairEntropy = QualityMetrics.classEntropy(histogram: fair)
        XCTAssertNil(ModeCollapse.warning(histogram: fair, entropy: fairEntropy, recentEntropies: [3.3, 3.32]))
        // 19 of 1,000 is under 2 %; 20 is not.
        var thin = fair
        thin[7] = 19
        thin[0] += 81
        XCTAssertEqual(ModeCollapse.warning(histogram: thin, entropy: 3.3, recentEntropies: []),
                       "mode collapse? digit 7 is under 2% of samples")
        thin[7] = 20
        thin[0] -= 1
        XCTAssertNil(ModeCollapse.warning(histogram: thin, entropy: 3.3, recentEntropies: []))
        let single = [0, 0, 0, 0, 1000, 0, 0, 0, 0, 0]
        XCTAssertEqual(ModeCollapse.warning(histogram: single, entropy: 0, recentEntropies: []),
                       "mode collapse? digits 0,1,2,3,5,… are under 2% of samples")
        // All present but the entropy fell sharply from a recent reading.
        XCTAssertEqual(ModeCollapse.warning(histogram: fair, entropy: 2.7, recentEntropies: [3.0, 3.3, 3.1]),
                       "mode collapse? class entropy fell 3.30 → 2.70 bits")
        XCTAssertNil(ModeCollapse.warning(histogram: fair, entropy: 2.9, recentEntropies: [3.3]))
        XCTAssertNil(ModeCollapse.warning(histogram: Array(repeating: 0, count: 10), entropy: 0, recentEntropies: []))
    }

    func testMeasurementAndJSON() {
        let c = Classification(count: 20, probabilities: oneHot(20) { $0 % 10 }, features: [], featureSize: 0)
        let m = QualityMeasurement(c)
        XCTAssertEqual(m.score, 10, accuracy: 1e-9)
        XCTAssertEqual(m.classHistogram, Array(repeating: 2, count: 10))
        XCTAssertEqual(m.coveredClasses, 10)
        XCTAssertNil(m.collapseWarning)
        XCTAssertEqual(m.jsonFields, "\"mnist_score\":10.0000,\"class_hist\":[2,2,2,2,2,2,2,2,2,2],\"confidence\":1.0000")
        let lines = QualityReport.lines(m, frechetDistance: 1.5, referenceCount: 10000)
        XCTAssertTrue(lines[0].hasPrefix("MNIST score 10.00 (1 worst, 10 best) on 20 samples; confidence 1.000; 10/10 digits"))
        XCTAssertEqual(lines[2], "share   10.0%" + String(repeating: " 10.0%", count: 9))
        XCTAssertTrue(lines[3].hasPrefix("Fréchet distance 1.50 to the 10000 test digits"))
    }

    /// Mean and unbiased covariance, checked by hand: points (0,0), (2,0), (1,3).
    ///   μ = (1, 1); deviations (−1,−1), (1,−1), (0,2): Σ xx = 2, Σ yy = 6, Σ xy = 0, over n−1 = 2.
    func testGaussianFitByHand() {
        let fit = GaussianFit(features: [0, 0, 2, 0, 1, 3], count: 3, dimension: 2)
        XCTAssertEqual(fit.mean, [1, 1])
        for (got, want) in zip(fit.covariance, [1.0, 0, 0, 3]) { XCTAssertEqual(got, want, accuracy: 1e-6) }
        XCTAssertEqual(fit.trace, 4, accuracy: 1e-6)
    }

    /// For diagonal covariances FD = |Δμ|² + Σ (σ₁ − σ₂)²; for a rotated one the formula must
    /// not depend on the basis. And FD(a, a) = 0.
    func testFrechetDistanceOfKnownGaussians() {
        let d = 3
        func fit(_ mean: [Double], _ cov: [Double]) -> GaussianFit {
            // Samples ±√(d·σ²) along each axis reproduce the mean and covariance exactly.
            var rows: [Float] = []
            for axis in 0 ..< d {
                for sign in [-1.0, 1.0] {
                    for j in 0 ..< d {
                        let offset = j == axis ? sign * (Double(2 * d - 1) / 2 * cov[j]).squareRoot() : 0
                        rows.append(Float(mean[j] + offset))
                    }
                }
            }
            return GaussianFit(features: rows, count: 2 * d, dimension: d)
        }
        let a = fit([0, 1, 2], [1, 4, 9]), b = fit([1, 1, 0], [4, 4, 1])
        XCTAssertEqual(a.covariance[4], 4, accuracy: 1e-5)
        // |Δμ|² = 1 + 0 + 4 = 5; Σ(σ₁ − σ₂)² = (1−2)² + 0 + (3−1)² = 5.
        XCTAssertEqual(FrechetDistance.distance(a, b), 10, accuracy: 1e-4)
        XCTAssertEqual(FrechetDistance.distance(b, a), 10, accuracy: 1e-4)
        XCTAssertEqual(FrechetDistance.distance(a, a), 0, accuracy: 1e-6)
        // A singular covariance (one dead feature) still works.
        let dead = fit([0, 0, 0], [1, 0, 1])
        XCTAssertEqual(FrechetDistance.distance(dead, fit([0, 0, 0], [1, 1, 1])), 1, accuracy: 1e-4)
        // A diverged G (NaN samples) gives NaN, quickly, not a number that looks like a reading.
        let diverged = GaussianFit(features: [Float](repeating: .nan, count: 6), count: 2, dimension: 3)
        XCTAssertTrue(FrechetDistance.distance(a, diverged).isNaN)
        XCTAssertTrue(FrechetDistance.distance(diverged, a).isNaN)
    }
}
