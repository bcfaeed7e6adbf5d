/// The elementwise passes of the training step, eight lanes at a time.
///
/// Written with `SIMD8` because the plain loops did not vectorise: LeakyReLU's backward was a
/// branch per element and tanh a libm `expf` call per element. Each kernel has a plain twin in
/// `Activation` semantics, and the tests hold them equal.
public enum ElementwiseKernels {
    public typealias V = SIMD8<Float>

    @inlinable
    static func load(_ p: UnsafeMutablePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inlinable
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    /// row[c] = leaky(row[c] + bias[c]) for one row.
    @inlinable
    public static func biasLeakyReLU(_ row: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>, count: Int, slope: Float) {
        let s = V(repeating: slope)
        var c = 0
        while c + 8 <= count {
            let v = load(row + c) + load(bias + c)
            store(v.replacing(with: v * s, where: v .<= 0), row + c)
            c += 8
        }
        while c < count {
            let v = row[c] + bias[c]
            row[c] = v > 0 ? v : v * slope
            c += 1
        }
    }

    /// row[c] = tanh(row[c] + bias[c]) for one row.
    @inlinable
    public static func biasTanh(_ row: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>, count: Int) {
        var c = 0
        while c + 8 <= count {
            store(rationalTanh(load(row + c) + load(bias + c)), row + c)
            c += 8
        }
        while c < count {
            row[c] = fastTanh(row[c] + bias[c])
            c += 1
        }
    }

    /// g *= (y > 0 ? 1 : slope): LeakyReLU's backward through its outputs.
    @inlinable
    public static func leakyReLUBackward(outputs y: UnsafeMutablePointer<Float>, grad g: UnsafeMutablePointer<Float>, count: Int, slope: Float) {
        let s = V(repeating: slope), one = V(repeating: 1)
        var i = 0
        while i + 8 <= count {
            let factor = one.replacing(with: s, where: load(y + i) .<= 0)
            store(load(g + i) * factor, g + i)
            i += 8
        }
        while i < count {
            if y[i] <= 0 { g[i] *= slope }
            i += 1
        }
    }

    /// g *= 1 − y²: tanh's backward through its outputs.
    @inlinable
    public static func tanhBackward(outputs y: UnsafeMutablePointer<Float>, grad g: UnsafeMutablePointer<Float>, count: Int) {
        let one = V(repeating: 1)
        var i = 0
        while i + 8 <= count {
            let yv = load(y + i)
            store(load(g + i) * (one - yv * yv), g + i)
            i += 8
        }
        while i < count {
            g[i] *= 1 - y[i] * y[i]
            i += 1
        }
    }

    /// out[c] (+)= Σ_r m[r, c]: the bias gradient.
    @inlinable
    public static func sumRows(_ m: Matrix, into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        if !accumulate { out.update(repeating: 0, count: m.cols) }
        for r in 0 ..< m.rows {
            let row = m.base + r * m.cols
            var c = 0
            while c + 8 <= m.cols {
                store(load(out + c) + load(row + c), out + c)
                c += 8
            }
            while c < m.cols {
                out[c] += row[c]
                c += 1
            }
        }
    }

    /// tanh as a 13/6 rational function of x (Eigen's float approximation, clamped at ±7.9053 where
    /// tanh rounds to ±1): a handful of multiply–adds instead of an `expf` call.
    @inlinable
    public static func rationalTanh(_ x: V) -> V {
        // Clamped by two selects: `clamped(lowerBound:upperBound:)` compiled to calls to the
        // generic pointwiseMin/Max, not inlined (perf: a third of the tanh pass).
        let clamp = V(repeating: 7.90531110763549805)
        var xc = x.replacing(with: clamp, where: x .> clamp)
        xc.replace(with: -clamp, where: xc .< -clamp)
        let x2 = xc * xc
        var p = V(repeating: -2.76076847742355e-16)
        p = p * x2 + 2.00018790482477e-13
        p = p * x2 + -8.60467152213735e-11
        p = p * x2 + 5.12229709037114e-08
        p = p * x2 + 1.48572235717979e-05
        p = p * x2 + 6.37261928875436e-04
        p = p * x2 + 4.89352455891786e-03
        p = xc * p
        var q = V(repeating: 1.19825839466702e-06)
        q = q * x2 + 1.18534705686654e-04
        q = q * x2 + 2.26843463243900e-03
        q = q * x2 + 4.89352518554385e-03
        return p / q
    }
}

/// Scalar tanh with the same rational approximation as the SIMD kernel (so the tail of a row
/// matches its body exactly).
@inlinable
public func fastTanh(_ x: Float) -> Float {
    ElementwiseKernels.rationalTanh(SIMD8(repeating: x))[0]
}
