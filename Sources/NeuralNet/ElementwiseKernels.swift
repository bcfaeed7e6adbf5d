import CKernels

/// The elementwise passes of the training step.
///
/// The loops are C (`CKernels/ElementwiseKernels.c`), compiled for AVX-512 and for baseline
/// x86-64 and picked at load time: our Swift builds for baseline x86-64, where `SIMD8` ran at SSE
/// width and the G output's tanh alone took 1.3 % of a step on the one thread. Each kernel has a
/// plain twin in `Activation` semantics, and the tests hold them equal.
public enum ElementwiseKernels {
    public typealias V = SIMD8<Float>

    /// row[c] = leaky(row[c] + bias[c]) for each of `rows` consecutive rows of `count` floats.
    public static func biasLeakyReLU(_ row: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>, count: Int,
                                     rows: Int = 1, slope: Float) {
        ew_bias_leaky_relu(row, count, rows, count, bias, slope)
    }

    /// row[c] = tanh(row[c] + bias[c]) for each of `rows` consecutive rows of `count` floats.
    public static func biasTanh(_ row: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>, count: Int, rows: Int = 1) {
        ew_bias_tanh(row, count, rows, count, bias)
    }

    /// g *= (y > 0 ? 1 : slope): LeakyReLU's backward through its outputs.
    public static func leakyReLUBackward(outputs y: UnsafeMutablePointer<Float>, grad g: UnsafeMutablePointer<Float>, count: Int, slope: Float) {
        ew_leaky_relu_backward(y, count, g, count, 1, count, slope)
    }

    /// g *= 1 − y²: tanh's backward through its outputs.
    public static func tanhBackward(outputs y: UnsafeMutablePointer<Float>, grad g: UnsafeMutablePointer<Float>, count: Int) {
        ew_tanh_backward(y, count, g, count, 1, count)
    }

    /// out[c] (+)= Σ_r m[r, c]: the bias gradient.
    public static func sumRows(_ m: Matrix, into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        ew_sum_rows(m.base, m.cols, m.rows, m.cols, out, accumulate ? 1 : 0)
    }

    /// row[i] = byte[i] · 2/255 − 1: pixels to [-1, 1].
    public static func unitRange(_ bytes: UnsafePointer<UInt8>, into row: UnsafeMutablePointer<Float>, count: Int) {
        ew_unit_range_from_bytes(bytes, row, count)
    }

    /// Asks for `bytes` bytes from `start` to be brought towards the caches (a hint only).
    public static func prefetch(_ start: UnsafeRawPointer, bytes: Int) {
        prefetch_bytes(start, bytes)
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
