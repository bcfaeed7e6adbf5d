import NeuralNet
import Foundation

/// The 1-D data distributions of the paper-figure panel, each with its exact density, CDF and
/// sampler (so KS is computed against the truth, not against another sample).
public enum Target1D: String, Sendable, CaseIterable, CustomStringConvertible {
    case normal, bimodal, uniform, lognormal

    public var description: String {
        switch self {
        case .normal: "normal N(4, 0.5)"
        case .bimodal: "bimodal ½N(−2, 0.5)+½N(2, 0.5)"
        case .uniform: "uniform U(1, 3)"
        case .lognormal: "lognormal (μ 0, σ 0.5)"
        }
    }

    /// The next target in the UI's `t` cycle.
    public var next: Target1D {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    public func density(_ x: Double) -> Double {
        switch self {
        case .normal: Self.normalPDF(x, mean: 4, sd: 0.5)
        case .bimodal: 0.5 * Self.normalPDF(x, mean: -2, sd: 0.5) + 0.5 * Self.normalPDF(x, mean: 2, sd: 0.5)
        case .uniform: (1 ... 3).contains(x) ? 0.5 : 0
        case .lognormal: x > 0 ? Self.normalPDF(log(x), mean: 0, sd: 0.5) / x : 0
        }
    }

    public func cdf(_ x: Double) -> Double {
        switch self {
        case .normal: Self.normalCDF(x, mean: 4, sd: 0.5)
        case .bimodal: 0.5 * Self.normalCDF(x, mean: -2, sd: 0.5) + 0.5 * Self.normalCDF(x, mean: 2, sd: 0.5)
        case .uniform: min(max((x - 1) / 2, 0), 1)
        case .lognormal: x > 0 ? Self.normalCDF(log(x), mean: 0, sd: 0.5) : 0
        }
    }

    public func sample(_ rng: inout RandomGenerator) -> Float {
        switch self {
        case .normal: return 4 + 0.5 * rng.normal()
        case .bimodal:
            let centre: Float = rng.next() & 1 == 0 ? -2 : 2
            return centre + 0.5 * rng.normal()
        case .uniform: return rng.uniform(1, 3)
        case .lognormal: return Foundation.exp(0.5 * rng.normal())
        }
    }

    /// The range the 1-D GAN's fixed affine maps use (G's output and D's input units):
    /// mean ± 3σ, the outer modes ± 3σ, the support, exp(μ ± 3σ). Constants of the target.
    public var knownRange: ClosedRange<Double> {
        switch self {
        case .normal: 2.5 ... 5.5
        case .bimodal: -3.5 ... 3.5
        case .uniform: 1 ... 3
        case .lognormal: Foundation.exp(-1.5) ... Foundation.exp(1.5)
        }
    }

    /// The panel's fixed x-range: the 0.1 % and 99.9 % quantiles with a 15 % margin each side.
    public var displayRange: ClosedRange<Double> {
        let lo = quantile(0.001), hi = quantile(0.999)
        let margin = 0.15 * (hi - lo)
        return (lo - margin) ... (hi + margin)
    }

    /// Inverse CDF by bisection (only used to set up ranges, never per step).
    public func quantile(_ p: Double) -> Double {
        var lo = -50.0, hi = 50.0
        for _ in 0 ..< 100 {
            let mid = (lo + hi) / 2
            if cdf(mid) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    static func normalPDF(_ x: Double, mean: Double, sd: Double) -> Double {
        let u = (x - mean) / sd
        return Foundation.exp(-0.5 * u * u) / (sd * (2 * Double.pi).squareRoot())
    }

    static func normalCDF(_ x: Double, mean: Double, sd: Double) -> Double {
        0.5 * erfc(-(x - mean) / (sd * 2.0.squareRoot()))
    }
}

/// Distances between a sample and a target distribution.
public enum DistributionDistance {
    /// Kolmogorov–Smirnov: sup |F_n(x) − F(x)| over the sorted sample, against the exact CDF.
    public static func ks(sortedSample xs: [Float], cdf: (Double) -> Double) -> Double {
        let n = Double(xs.count)
        guard n > 0 else { return 1 }
        var worst = 0.0
        for (i, x) in xs.enumerated() {
            let f = cdf(Double(x))
            worst = max(worst, abs(Double(i + 1) / n - f), abs(f - Double(i) / n))
        }
        return worst
    }

    /// Jensen–Shannon divergence in bits (0 … 1) of two histograms over the same bins
    /// (each normalised to sum 1 here; empty bins contribute nothing).
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count)
        let sp = p.reduce(0, +), sq = q.reduce(0, +)
        guard sp > 0, sq > 0 else { return 1 }
        var total = 0.0
        for (a, b) in zip(p, q) {
            let pa = a / sp, qb = b / sq, m = (pa + qb) / 2
            if pa > 0 { total += 0.5 * pa * log2(pa / m) }
            if qb > 0 { total += 0.5 * qb * log2(qb / m) }
        }
        return max(0, total)
    }
}
