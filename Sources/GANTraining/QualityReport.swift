import Foundation

/// The quality meter's numbers as text, for `gantop sample … --score` and scripts.
public enum QualityReport {
    /// Classifies `count` images (`count × 784` values in [-1, 1]) and describes them: MNIST
    /// score, class coverage and histogram, confidence, a collapse warning, and the Fréchet
    /// distance of their classifier features to those of the 10,000 MNIST test digits.
    ///
    /// - Parameters:
    ///   - classifierPath: the weights (default: `MNISTClassifier.locateWeights`).
    ///   - dataDirectory: the MNIST folder, for the test set (default: `MNISTLocator`).
    /// - Returns: a few lines, no trailing newline.
    public static func describe(images: [Float], count: Int, classifierPath: String? = nil,
                                dataDirectory: String? = nil) throws -> String {
        let classifier = try MNISTClassifier.load(from: MNISTClassifier.locateWeights(explicit: classifierPath), maxRows: 1000)
        let samples = classifier.classify(images: images, count: count, keepFeatures: count >= 2)
        let test = try MNISTLoader.loadTestImages(from: MNISTLocator.locate(explicit: dataDirectory))
        let reference = FrechetDistance.Reference(GaussianFit(classifier.classify(test, keepFeatures: true)))
        let fd = count >= 2 ? reference.distance(to: GaussianFit(samples)) : nil
        return lines(QualityMeasurement(samples), frechetDistance: fd, referenceCount: test.count).joined(separator: "\n")
    }

    /// The report's lines for a measurement (pure; what `describe` prints).
    public static func lines(_ m: QualityMeasurement, frechetDistance: Double?, referenceCount: Int) -> [String] {
        let n = max(m.sampleCount, 1)
        var out = [
            "MNIST score \(String(format: "%.2f", m.score)) (1 worst, 10 best) on \(m.sampleCount) samples;"
                + " confidence \(String(format: "%.3f", m.confidence)); \(m.coveredClasses)/10 digits at ≥ 2 %;"
                + " class entropy \(String(format: "%.2f", m.classEntropy)) bits (of 3.32)",
            "digit  " + (0 ..< m.classHistogram.count).map { pad(String($0), 6) }.joined(),
            "share  " + m.classHistogram.map { pad(String(format: "%.1f%%", 100 * Double($0) / Double(n)), 6) }.joined(),
        ]
        if let fd = frechetDistance {
            out.append("Fréchet distance \(String(format: "%.2f", fd)) to the \(referenceCount) test digits"
                       + " (classifier features; fewer samples read higher)")
        }
        if let warning = m.collapseWarning { out.append("warning: \(warning)") }
        return out
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s
    }
}
