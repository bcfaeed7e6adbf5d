/// An exponential moving average of a network's weights, the copy a GAN samples from:
/// the average of G's recent iterates is smoother and usually better than the last one
/// (Yazıcı et al. 2019, "The Unusual Effectiveness of Averaging in GAN Training").
public enum WeightAverage {
    /// average ← d·average + (1−d)·values, with d = min(decay, (1+t)/(warmup+t)) so that the
    /// average follows closely at first instead of lingering at the random initialisation: until
    /// `decay` caps it, the average spans about the last t/(warmup−1) updates.
    public static func update(_ average: ParameterSet, toward source: ParameterSet, decay: Float, updates t: Int,
                              warmup: Float = 10) {
        precondition(average.count == source.count)
        let d = min(decay, Float(1 + t) / (warmup + Float(t)))
        let streams = DisjointPointers(average.values, source.values)
        ParallelLoop.forEachChunk(of: source.count) { start, n in
            kernel(average: streams.pointers[0] + start, source: streams.pointers[1] + start, count: n, decay: d)
        }
    }

    @inlinable
    public static func kernel(average a: UnsafeMutablePointer<Float>, source s: UnsafeMutablePointer<Float>,
                              count: Int, decay d: Float) {
        typealias V = SIMD8<Float>
        let dv = V(repeating: d), ov = V(repeating: 1 - d)
        let vectorEnd = count & ~7
        var i = 0
        while i < vectorEnd {
            let ai = UnsafeRawPointer(a + i).loadUnaligned(as: V.self)
            let si = UnsafeRawPointer(s + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(a + i).storeBytes(of: dv * ai + ov * si, as: V.self)
            i += 8
        }
        while i < count { a[i] = d * a[i] + (1 - d) * s[i]; i += 1 }
    }
}
