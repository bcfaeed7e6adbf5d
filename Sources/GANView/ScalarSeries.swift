/// One plotted point of a scalar series. For merged points `step` is the first step of the
/// bucket and `value` the mean of its finite values.
public struct ScalarPoint: Sendable, Hashable {
    public var step: Int
    public var value: Float
    public init(step: Int, value: Float) {
        self.step = step
        self.value = value
    }
}

/// A bounded-memory record of one scalar over a whole run (a watched run's `Loss/D`, say).
///
/// Buckets of `bucketSpan` raw values each (a power of two); when `capacity` buckets are held,
/// neighbours are averaged pairwise and the span doubles, so any run stays drawable at
/// `capacity/2 … capacity` evenly spread points. The newest raw value is kept exactly
/// (`last`) for the status line. `purge(fromStep:)` drops what a restarted writer is about to
/// log again, as TensorBoard does when steps go backwards.
public struct ScalarSeries: Sendable, Equatable {
    public let capacity: Int
    public private(set) var bucketSpan = 1
    /// How many raw values were appended (minus those purged, counted by bucket).
    public private(set) var totalAppended = 0
    /// The newest raw value appended.
    public private(set) var last: ScalarPoint?

    private var buckets: [ScalarPoint] = []
    private var pending = Mean()

    public init(capacity: Int = 2048) {
        precondition(capacity >= 4 && capacity % 2 == 0, "ScalarSeries capacity must be even and at least 4")
        self.capacity = capacity
    }

    public var isEmpty: Bool { last == nil }

    /// Stored points (< capacity + 1), oldest first; the bucket still filling is the last.
    public var points: [ScalarPoint] {
        pending.count > 0 ? buckets + [pending.point] : buckets
    }

    public var count: Int { buckets.count + (pending.count > 0 ? 1 : 0) }

    public mutating func append(step: Int, value: Float) {
        last = ScalarPoint(step: step, value: value)
        totalAppended += 1
        pending.add(step: step, value: value)
        guard pending.count >= bucketSpan else { return }
        buckets.append(pending.point)
        pending = Mean()
        if buckets.count >= capacity { halve() }
    }

    /// Forgets every point at `step` or later (a bucket starting earlier keeps its mean).
    public mutating func purge(fromStep step: Int) {
        if pending.count > 0, pending.step >= step {
            totalAppended -= pending.count
            pending = Mean()
        }
        while let b = buckets.last, b.step >= step {
            buckets.removeLast()
            totalAppended -= bucketSpan
        }
        totalAppended = max(totalAppended, 0)
        last = pending.count > 0 ? pending.lastPoint : buckets.last
    }

    /// Exponential moving average, `alpha` per raw value (a bucket of k values weighs
    /// 1 − (1 − alpha)^k); non-finite values leave the average unchanged and plot as gaps.
    public func smoothed(alpha: Float) -> [ScalarPoint] {
        var out: [ScalarPoint] = []
        out.reserveCapacity(count)
        var average: Float? = nil
        let keep = 1 - min(max(alpha, 0), 1)
        let all = points
        for (i, p) in all.enumerated() {
            let span = i < buckets.count ? bucketSpan : pending.count
            if p.value.isFinite {
                let a = 1 - LossHistory.power(keep, span)
                average = average.map { $0 + a * (p.value - $0) } ?? p.value
            }
            out.append(ScalarPoint(step: p.step, value: p.value.isFinite ? average ?? .nan : .nan))
        }
        return out
    }

    private mutating func halve() {
        var merged: [ScalarPoint] = []
        merged.reserveCapacity(capacity / 2)
        var i = 0
        while i + 1 < buckets.count {
            let a = buckets[i], b = buckets[i + 1]
            let value = a.value.isFinite ? (b.value.isFinite ? (a.value + b.value) / 2 : a.value) : b.value
            merged.append(ScalarPoint(step: a.step, value: value))
            i += 2
        }
        if i < buckets.count { merged.append(buckets[i]) }
        buckets = merged
        bucketSpan *= 2
    }

    private struct Mean: Sendable, Equatable {
        var step = 0, count = 0, finite = 0, sum = 0.0
        var lastStep = 0, lastValue: Float = .nan
        var point: ScalarPoint { ScalarPoint(step: step, value: finite > 0 ? Float(sum / Double(finite)) : .nan) }
        var lastPoint: ScalarPoint { ScalarPoint(step: lastStep, value: lastValue) }
        mutating func add(step s: Int, value: Float) {
            if count == 0 { step = s }
            count += 1
            lastStep = s
            lastValue = value
            if value.isFinite { sum += Double(value); finite += 1 }
        }
    }
}
