import Foundation
import NeuralNet

/// The numbers behind the paper-figure panel, computed on the model side at the resolution the
/// UI asks for: G's sample histogram as a density, the exact data density and D(x), all on the
/// same bins, the z → x mapping, and the KS and JS distances.
public struct Gan1DFigure: Sendable {
    public static let sampleCount = 10_000
    public static let mappingCount = 16
    /// JS is measured on a fixed binning (not the terminal's), so it does not change with the window.
    public static let distanceBins = 100

    public var target: Target1D
    public var xMin: Float
    public var xMax: Float
    public var generatedDensity: [Float]
    public var dataDensity: [Float]
    public var discriminator: [Float]
    public var mapping: [(z: Float, x: Float)]
    /// Where G's update moves each mapping sample: −dL_G/dx (positive: to the right).
    public var push: [Float]
    public var ks: Float
    public var js: Float

    /// - Parameters:
    ///   - bins: columns the panel draws (one value each).
    ///   - samplingSeed: the z of the 10,000 samples; a fixed stream keeps the histogram from
    ///     flickering between frames when G has not changed.
    public static func compute(_ gan: Gan1D, bins: Int, samplingSeed: UInt64 = 99) -> Gan1DFigure {
        let bins = max(bins, 1)
        var rng = RandomGenerator(seed: samplingSeed)
        let zs = (0 ..< sampleCount).map { _ in rng.uniform(-1, 1) }
        var xs = gan.generate(zs)
        xs.sort()
        let finite = xs.filter(\.isFinite)
        // The data's 0.1–99.9 % range with margin, widened to hold G's samples (within reason).
        // Widened towards G's outermost samples, but by at most one span on each side.
        let display = gan.target.displayRange, span = display.upperBound - display.lowerBound
        var range = display
        if let lo = finite.first, let hi = finite.last {
            range = min(display.lowerBound, max(Double(lo), display.lowerBound - span))
                ... max(display.upperBound, min(Double(hi), display.upperBound + span))
        }
        let xMin = range.lowerBound, width = (range.upperBound - range.lowerBound) / Double(bins)
        var counts = [Float](repeating: 0, count: bins)
        for x in finite {
            let i = Int((Double(x) - xMin) / width)
            if i >= 0 && i < bins { counts[i] += 1 }
        }
        let densityScale = Float(1 / (Double(sampleCount) * width))
        let centres = (0 ..< bins).map { xMin + (Double($0) + 0.5) * width }
        let mean = finite.reduce(0, +) / Float(max(finite.count, 1))
        let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(max(finite.count, 1))
        let sd = variance.squareRoot() / gan.scale  // in D's units
        let mappingZ = (0 ..< mappingCount).map { -1 + 2 * Float($0) / Float(mappingCount - 1) }
        let mappingX = gan.generate(mappingZ)
        return Gan1DFigure(
            target: gan.target, xMin: Float(xMin), xMax: Float(range.upperBound),
            generatedDensity: counts.map { $0 * densityScale },
            dataDensity: centres.map { Float(gan.target.density($0)) },
            discriminator: gan.discriminatorProbability(at: centres.map(Float.init), batchStd: sd),
            mapping: zip(mappingZ, mappingX).map { ($0, $1) },
            push: gan.generatorLossGradient(at: mappingX, batchStd: sd).map { -$0 },
            ks: Float(DistributionDistance.ks(sortedSample: xs, cdf: gan.target.cdf)),
            js: Float(jensenShannon(sortedSample: finite, target: gan.target)))
    }

    /// JS (bits) between the exact bin probabilities of the target and G's sample fractions, on
    /// `distanceBins` equal bins over the display range plus an underflow and an overflow bin.
    public static func jensenShannon(sortedSample xs: [Float], target: Target1D) -> Double {
        let range = target.displayRange
        let width = (range.upperBound - range.lowerBound) / Double(distanceBins)
        let edges = (0 ... distanceBins).map { range.lowerBound + Double($0) * width }
        var p = [target.cdf(edges[0])]
        for i in 1 ... distanceBins { p.append(target.cdf(edges[i]) - target.cdf(edges[i - 1])) }
        p.append(1 - target.cdf(edges[distanceBins]))
        var q = [Double](repeating: 0, count: distanceBins + 2)
        for x in xs {
            let v = Double(x)
            let index = v < edges[0] ? 0 : (v >= edges[distanceBins] ? distanceBins + 1 : 1 + min(Int((v - edges[0]) / width), distanceBins - 1))
            q[index] += 1
        }
        return DistributionDistance.jensenShannon(p, q)
    }
}
