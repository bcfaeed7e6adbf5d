/// One plotted point of the loss history. For downsampled points `step` is the first step of
/// the bucket and `d`/`g` are the means of the finite values in it.
public struct LossPoint: Sendable, Hashable {
    public var step: Int
    public var d: Float
    public var g: Float
    public init(step: Int, d: Float, g: Float) {
        self.step = step
        self.d = d
        self.g = g
    }
}

/// A bounded-memory record of (step, D loss, G loss) for a whole run.
///
/// Scheme: the newest `capacity/2` points are kept at full resolution (`recent`). Older points
/// move, one at a time, into `coarse`, a list of buckets that all hold the same number of raw
/// points (`bucketSpan`, a power of two). When `coarse` is full its neighbours are averaged
/// pairwise and `bucketSpan` doubles. So the old part of the run is always covered uniformly by
/// `capacity/4 … capacity/2` buckets (ideal for a linear x axis) and the newest part is exact.
/// At most `capacity - 1` points are stored; `append` is amortised O(1) (one halving of
/// `capacity/2` buckets per `capacity/4 · bucketSpan` appends). Non-finite losses (divergence)
/// are kept as such, but a bucket mixing finite and non-finite values keeps the finite mean.
/// Steps should be appended in non-decreasing order.
public struct LossHistory: Sendable, Equatable {
    public let capacity: Int
    /// How many raw points have been appended in total.
    public private(set) var totalAppended = 0
    /// How many raw points each coarse bucket stands for.
    public private(set) var bucketSpan = 1

    private var coarse: [LossPoint] = []
    private let coarseLimit: Int
    private var pending = Accumulator()
    private var recent: [LossPoint] = []
    private var recentStart = 0
    private let recentLimit: Int

    public init(capacity: Int = 4096) {
        precondition(capacity >= 16, "LossHistory capacity must be at least 16")
        self.capacity = capacity
        recentLimit = capacity / 2
        coarseLimit = (capacity - capacity / 2 - 2) / 2 * 2
        coarse.reserveCapacity(coarseLimit)
        recent.reserveCapacity(recentLimit * 2)
    }

    /// Number of stored (plottable) points, always < `capacity`.
    public var count: Int {
        coarse.count + (pending.count > 0 ? 1 : 0) + recent.count - recentStart
    }

    public var isEmpty: Bool { totalAppended == 0 }

    /// The first step ever appended (kept exactly through all downsampling).
    public var firstStep: Int? {
        if let c = coarse.first { return c.step }
        if pending.count > 0 { return pending.step }
        return recentStart < recent.count ? recent[recentStart].step : nil
    }

    /// The newest step appended.
    public var lastStep: Int? { recentStart < recent.count ? recent[recent.count - 1].step : nil }

    public mutating func append(step: Int, d: Float, g: Float) {
        recent.append(LossPoint(step: step, d: d, g: g))
        totalAppended += 1
        if recent.count - recentStart > recentLimit {
            migrate(recent[recentStart])
            recentStart += 1
        }
        if recentStart >= recentLimit {
            recent.removeFirst(recentStart)
            recentStart = 0
        }
    }

    /// All stored points, oldest first.
    public var points: [LossPoint] {
        var out: [LossPoint] = []
        out.reserveCapacity(count)
        forEachPoint { p, _ in out.append(p) }
        return out
    }

    /// The stored points whose step lies in `range`, oldest first (binary searched).
    public func points(in range: ClosedRange<Int>) -> [LossPoint] {
        let all = points
        let lo = Self.lowerBound(all, range.lowerBound)
        var hi = lo
        while hi < all.count, all[hi].step <= range.upperBound { hi += 1 }
        return Array(all[lo..<hi])
    }

    /// Exponential moving average of all stored points, oldest first. `alpha` is the weight of
    /// one raw step; a bucket of `k` raw points gets `1 - (1 - alpha)^k`. Non-finite inputs give
    /// non-finite outputs (a gap in the chart) and leave the average unchanged.
    public func smoothed(alpha: Float = 0.02) -> [LossPoint] {
        var out: [LossPoint] = []
        out.reserveCapacity(count)
        var sd: Float? = nil
        var sg: Float? = nil
        let keep = 1 - min(max(alpha, 0), 1)
        forEachPoint { p, span in
            let a = 1 - Self.power(keep, span)
            sd = Self.ema(sd, p.d, a)
            sg = Self.ema(sg, p.g, a)
            out.append(LossPoint(step: p.step,
                                 d: p.d.isFinite ? sd ?? .nan : .nan,
                                 g: p.g.isFinite ? sg ?? .nan : .nan))
        }
        return out
    }

    // MARK: - Internals

    private struct Accumulator: Sendable, Equatable {
        var step = 0, count = 0
        var sumD = 0.0, nD = 0, sumG = 0.0, nG = 0
        var point: LossPoint {
            LossPoint(step: step, d: nD > 0 ? Float(sumD / Double(nD)) : .nan,
                      g: nG > 0 ? Float(sumG / Double(nG)) : .nan)
        }
        mutating func add(_ p: LossPoint) {
            if count == 0 { step = p.step }
            count += 1
            if p.d.isFinite { sumD += Double(p.d); nD += 1 }
            if p.g.isFinite { sumG += Double(p.g); nG += 1 }
        }
    }

    private func forEachPoint(_ body: (LossPoint, Int) -> Void) {
        for p in coarse { body(p, bucketSpan) }
        if pending.count > 0 { body(pending.point, pending.count) }
        for i in recentStart..<recent.count { body(recent[i], 1) }
    }

    private mutating func migrate(_ p: LossPoint) {
        pending.add(p)
        guard pending.count >= bucketSpan else { return }
        coarse.append(pending.point)
        pending = Accumulator()
        if coarse.count >= coarseLimit { halveCoarse() }
    }

    private mutating func halveCoarse() {
        var j = 0
        var i = 0
        while i + 1 < coarse.count {
            let a = coarse[i], b = coarse[i + 1]
            coarse[j] = LossPoint(step: a.step, d: Self.mean(a.d, b.d), g: Self.mean(a.g, b.g))
            j += 1
            i += 2
        }
        if i < coarse.count { coarse[j] = coarse[i]; j += 1 }
        coarse.removeLast(coarse.count - j)
        bucketSpan *= 2
    }

    private static func mean(_ a: Float, _ b: Float) -> Float {
        a.isFinite ? (b.isFinite ? (a + b) / 2 : a) : b
    }

    private static func ema(_ s: Float?, _ v: Float, _ a: Float) -> Float? {
        guard v.isFinite else { return s }
        guard let s else { return v }
        return s + a * (v - s)
    }

    /// `base^n` for n ≥ 0 by repeated squaring (no libm needed).
    static func power(_ base: Float, _ n: Int) -> Float {
        var result: Float = 1, b = base, e = n
        while e > 0 {
            if e & 1 == 1 { result *= b }
            b *= b
            e >>= 1
        }
        return result
    }

    static func lowerBound(_ points: [LossPoint], _ step: Int) -> Int {
        var lo = 0, hi = points.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if points[mid].step < step { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
