import XCTest
import NeuralNet

final class RandomGeneratorTests: XCTestCase {
    /// Pins the stream (checkpoints store the state and must resume it): SplitMix64 seeding,
    /// whose first output for seed 0 is the well-known 0xE220A8397B1DCDAF, then xoshiro256**.
    /// The later values come from a transcription of Blackman & Vigna's reference C code.
    func testKnownAnswers() {
        var rng = RandomGenerator(seed: 0)
        XCTAssertEqual(rng.stateWords, [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4,
                                        0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC])
        XCTAssertEqual((0 ..< 4).map { _ in rng.next() },
                       [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0, 0x6AA5_94F1_262D_2D2C])
    }

    func testSameSeedSameStream() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        XCTAssertEqual(a, b)
        for _ in 0 ..< 1000 { XCTAssertEqual(a.next(), b.next()) }
        XCTAssertEqual(a.normal(), b.normal())
        XCTAssertEqual(a.nextUnitFloat(), b.nextUnitFloat())
        XCTAssertEqual(a.nextInt(below: 1000), b.nextInt(below: 1000))
    }

    func testDifferentSeedsDiffer() {
        for (s1, s2) in [(UInt64(0), UInt64(1)), (1, 2), (42, 43), (0, .max)] {
            var a = RandomGenerator(seed: s1), b = RandomGenerator(seed: s2)
            XCTAssertNotEqual(a, b)
            let same = (0 ..< 100).filter { _ in a.next() == b.next() }.count
            XCTAssertEqual(same, 0, "seeds \(s1) and \(s2) share outputs")
        }
    }

    func testStateWordsRoundTripContinuesTheStream() {
        var original = RandomGenerator(seed: 7)
        for _ in 0 ..< 37 { _ = original.next() }
        _ = original.normal()
        guard var restored = RandomGenerator(stateWords: original.stateWords) else {
            return XCTFail("valid state rejected")
        }
        XCTAssertEqual(restored, original)
        for _ in 0 ..< 1000 { XCTAssertEqual(restored.next(), original.next()) }
        XCTAssertEqual(restored.uniform(-3, 5), original.uniform(-3, 5))

        XCTAssertNil(RandomGenerator(stateWords: [0, 0, 0, 0]), "all-zero state is a fixed point")
        XCTAssertNil(RandomGenerator(stateWords: [1, 2, 3]))
        XCTAssertNil(RandomGenerator(stateWords: [1, 2, 3, 4, 5]))
        XCTAssertNotNil(RandomGenerator(stateWords: [0, 0, 0, 1]))
    }

    func testNextUnitFloatInHalfOpenUnitIntervalOn24BitGrid() {
        var rng = RandomGenerator(seed: 3)
        var lo: Float = 1, hi: Float = 0
        for _ in 0 ..< 100_000 {
            let u = rng.nextUnitFloat()
            XCTAssertTrue(u >= 0 && u < 1, "\(u)")
            XCTAssertEqual(u * 0x1p24, (u * 0x1p24).rounded(), "24-bit grid")
            lo = min(lo, u)
            hi = max(hi, u)
        }
        XCTAssertLessThan(lo, 1e-3)
        XCTAssertGreaterThan(hi, 1 - 1e-3)
    }

    /// 1e6 draws of U(−1, 1): mean 0 ± 5σ (σ = √(1/3)/1000 ≈ 5.8e-4) and variance
    /// 1/3 ± 5σ (σ = √(4/45)/1000 ≈ 3e-4); the largest value is below 1.
    func testFillUniformMoments() {
        let n = 1_000_000
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        defer { buffer.deallocate() }
        var rng = RandomGenerator(seed: 2024)
        rng.fillUniform(buffer, -1, 1)
        var sum = 0.0, sumSq = 0.0
        var lo: Float = 1, hi: Float = -1
        for x in buffer {
            sum += Double(x)
            sumSq += Double(x) * Double(x)
            lo = min(lo, x)
            hi = max(hi, x)
        }
        let mean = sum / Double(n)
        let variance = sumSq / Double(n) - mean * mean
        XCTAssertEqual(mean, 0, accuracy: 3e-3)
        XCTAssertEqual(variance, 1.0 / 3, accuracy: 1.5e-3)
        XCTAssertGreaterThanOrEqual(lo, -1)
        XCTAssertLessThan(hi, 1)
        XCTAssertGreaterThan(hi, 0.999)
        XCTAssertLessThan(lo, -0.999)

        // Other ranges are affine images of the same grid: [2, 6) never reaches 6.
        let small = UnsafeMutableBufferPointer<Float>.allocate(capacity: 10_000)
        defer { small.deallocate() }
        rng.fillUniform(small, 2, 6)
        XCTAssertTrue(small.allSatisfy { $0 >= 2 && $0 < 6 })
    }

    /// A generator whose next output is `output`: xoshiro256**'s output depends on s1 alone,
    /// output = rotl(s1·5, 7)·9, which inverts (5 and 9 are odd, hence invertible mod 2⁶⁴).
    private func generator(nextOutput output: UInt64) -> RandomGenerator {
        func inverse(_ a: UInt64) -> UInt64 {  // Newton's iteration for a⁻¹ mod 2⁶⁴
            var x = a
            for _ in 0 ..< 6 { x = x &* (2 &- a &* x) }
            return x
        }
        let rotated = output &* inverse(9)
        let s1 = ((rotated >> 7) | (rotated << 57)) &* inverse(5)
        return RandomGenerator(stateWords: [0x1234, s1, 0x5678, 0x9ABC])!
    }

    /// The top of the 24-bit grid (all bits set) stays below `high`: [low, high) is half-open.
    func testLargestDrawStaysBelowHigh() {
        var probe = generator(nextOutput: 0xDEAD_BEEF_0123_4567)
        XCTAssertEqual(probe.next(), 0xDEAD_BEEF_0123_4567, "construction of the probe state")

        var rng = generator(nextOutput: .max)
        XCTAssertEqual(rng.nextUnitFloat(), 1 - 0x1p-24)
        rng = generator(nextOutput: .max)
        var one: Float = 0
        withUnsafeMutablePointer(to: &one) { rng.fillUniform(UnsafeMutableBufferPointer(start: $0, count: 1), -1, 1) }
        XCTAssertEqual(one, 1 - 0x1p-23)
        for (low, high) in [(Float(-1), Float(1)), (0, 1), (-0.3, 0.3), (2, 6), (-0.0866, 0.0866)] {
            rng = generator(nextOutput: .max)
            var x: Float = 0
            withUnsafeMutablePointer(to: &x) { rng.fillUniform(UnsafeMutableBufferPointer(start: $0, count: 1), low, high) }
            XCTAssertLessThan(x, high, "fillUniform(\(low), \(high))")
            rng = generator(nextOutput: .max)
            XCTAssertLessThan(rng.uniform(low, high), high, "uniform(\(low), \(high))")
        }
        // And the bottom of the grid is exactly low.
        rng = generator(nextOutput: 0)
        XCTAssertEqual(rng.uniform(-0.3, 0.3), -0.3)
    }

    /// Box–Muller: 1e5 draws, mean 0 ± 0.02, std 1 ± 0.02, P(|x| < 1) ≈ 0.6827 ± 0.01.
    func testNormalMoments() {
        var rng = RandomGenerator(seed: 11)
        let n = 100_000
        var sum = 0.0, sumSq = 0.0, inside = 0
        for _ in 0 ..< n {
            let x = Double(rng.normal())
            XCTAssertTrue(x.isFinite)
            sum += x
            sumSq += x * x
            if abs(x) < 1 { inside += 1 }
        }
        let mean = sum / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual((sumSq / Double(n) - mean * mean).squareRoot(), 1, accuracy: 0.02)
        XCTAssertEqual(Double(inside) / Double(n), 0.6827, accuracy: 0.01)
    }

    /// In range, and uniform: χ² over 10 bins with 9 degrees of freedom (mean 9, sd 4.2) < 40.
    func testNextIntBelowIsInRangeAndUniform() {
        var rng = RandomGenerator(seed: 5)
        let bins = 10, n = 100_000
        var counts = [Int](repeating: 0, count: bins)
        for _ in 0 ..< n {
            let k = rng.nextInt(below: bins)
            XCTAssertTrue((0 ..< bins).contains(k))
            counts[k] += 1
        }
        let expected = Double(n) / Double(bins)
        let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        XCTAssertLessThan(chiSquare, 40, "counts \(counts)")

        for _ in 0 ..< 100 { XCTAssertEqual(rng.nextInt(below: 1), 0) }
        for bound in [2, 3, 7, 1000, 1 << 40, Int.max] {
            for _ in 0 ..< 200 { XCTAssertTrue((0 ..< bound).contains(rng.nextInt(below: bound))) }
        }
        // Unbiased for huge bounds too: with b = 1.5·2⁶² one has 2⁶⁴ = 2b + (2/3)·b, so a plain
        // `next() % b` would make [0, 2b/3) twice as likely as the rest: P(k < 2b/3) = 0.8,
        // not 2/3. 4000 draws: sd ≈ 0.0075, so ±0.04 separates the two by > 10 sd.
        let big = 3 << 61
        var lowerPart = 0
        for _ in 0 ..< 4000 {
            let k = rng.nextInt(below: big)
            XCTAssertTrue((0 ..< big).contains(k))
            if k < big / 3 * 2 { lowerPart += 1 }
        }
        XCTAssertEqual(Double(lowerPart) / 4000, 2.0 / 3, accuracy: 0.04)
    }

    func testShuffleIsAPermutation() {
        var rng = RandomGenerator(seed: 9)
        var a = Array(0 ..< 100)
        rng.shuffle(&a)
        XCTAssertEqual(a.sorted(), Array(0 ..< 100))
        XCTAssertNotEqual(a, Array(0 ..< 100))
        var again = Array(0 ..< 100)
        var rng2 = RandomGenerator(seed: 9)
        rng2.shuffle(&again)
        XCTAssertEqual(a, again, "same seed, same shuffle")

        var empty: [Int] = [], one = [5]
        rng.shuffle(&empty)
        rng.shuffle(&one)
        XCTAssertEqual(one, [5])
    }

    /// All 24 orders of 4 elements are equally likely (Sattolo's off-by-one, which only makes
    /// cycles, or a biased swap would fail): χ² with 23 degrees of freedom (sd 6.8) < 60.
    func testShuffleIsUniformOverPermutations() {
        var rng = RandomGenerator(seed: 10)
        var counts: [[Int]: Int] = [:]
        let n = 24_000
        for _ in 0 ..< n {
            var a = [0, 1, 2, 3]
            rng.shuffle(&a)
            counts[a, default: 0] += 1
        }
        XCTAssertEqual(counts.count, 24)
        let expected = Double(n) / 24
        let chiSquare = counts.values.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        XCTAssertLessThan(chiSquare, 60)
    }
}
