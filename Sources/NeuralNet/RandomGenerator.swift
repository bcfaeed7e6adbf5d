/// xoshiro256** (Blackman & Vigna): small, fast, and good enough for ML sampling.
///
/// The whole state is four words, so a checkpoint can store it and a resumed run continues
/// the exact same stream: that is what makes "resume == uninterrupted run" bit-exact.
public struct RandomGenerator: Sendable, Equatable {
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        // SplitMix64 expands one seed into a well-mixed state (never all zero).
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// Restores a saved state (from `stateWords`).
    public init?(stateWords w: [UInt64]) {
        guard w.count == 4, w.contains(where: { $0 != 0 }) else { return nil }
        state = (w[0], w[1], w[2], w[3])
    }

    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    public static func == (a: Self, b: Self) -> Bool { a.stateWords == b.stateWords }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inlinable
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    /// Uniform in [0, 1) with 24 bits: every value exactly representable as Float.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Uniform in [low, high). (`low + (high − low)·u` can round up to `high` for u near 1,
    /// e.g. in [2, 6); the `min` keeps the interval half-open and changes no other value.)
    @inlinable
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        min(low + (high - low) * nextUnitFloat(), high.nextDown)
    }

    /// Standard normal by Box–Muller (one of the pair; simple and stateless).
    public mutating func normal() -> Float {
        let u1 = Double(next() >> 11) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        let r = (-2 * log(max(u1, 0x1p-60))).squareRoot()
        return Float(r * cos(2 * Double.pi * u2))
    }

    /// Uniform integer in 0 ..< bound (Lemire's nearly-divisionless method, unbiased).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Fills a buffer with uniform values in [low, high): one call per batch of noise.
    @inlinable
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, _ low: Float, _ high: Float) {
        let scale = (high - low) * 0x1p-24
        let largest = high.nextDown  // see `uniform`: rounding must not reach `high`
        for i in buffer.indices {
            buffer[i] = min(low + Float(next() >> 40) * scale, largest)
        }
    }

    /// Fisher–Yates shuffle.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, nextInt(below: i + 1))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
