import XCTest
import NeuralNet

/// Adam and SGD against numbers worked out by hand (derivations in the comments).
final class OptimiserTests: NeuralNetTestCase {
    /// Entries "w" (2×2, offset 0) and "b" (1, offset 16: after 12 floats of padding).
    private func makeParameters(values: [Float]) -> ParameterSet {
        let ps = keep(ParameterSet(shapes: [("w", [2, 2]), ("b", [1])]))
        ps.load(Array(values[0 ..< 4]), into: ps.entries[0], block: .values)
        ps.load([values[4]], into: ps.entries[1], block: .values)
        return ps
    }

    private func setGrads(_ ps: ParameterSet, _ g: [Float]) {
        ps.load(Array(g[0 ..< 4]), into: ps.entries[0], block: .grads)
        ps.load([g[4]], into: ps.entries[1], block: .grads)
    }

    private func flat(_ ps: ParameterSet, _ block: ParameterSet.Block) -> [Float] {
        ps.arrays(of: block).flatMap(\.data)
    }

    private func assertClose(_ got: [Float], _ want: [Double], _ accuracy: Double, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, file: file, line: line)
        for (i, (g, w)) in zip(got, want).enumerated() {
            XCTAssertEqual(Double(g), w, accuracy: accuracy, "\(what)[\(i)]", file: file, line: line)
        }
    }

    func testAdamDefaults() {
        let adam = Adam(learningRate: 2e-4)
        XCTAssertEqual(adam.learningRate, 2e-4)
        XCTAssertEqual(adam.beta1, 0.9)
        XCTAssertEqual(adam.beta2, 0.999)
        XCTAssertEqual(adam.epsilon, 1e-8)
        XCTAssertEqual(adam.step, 0)
    }

    /// lr 0.1, β1 0.5, β2 0.999, ε 1e-8; parameters p0 = [1, −2, 0.5, 3 | 0.25].
    ///
    /// PyTorch's rule: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², p ← p − lr·m̂/(√v̂ + ε),
    /// m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
    func testAdamThreeStepsByHand() {
        let ps = makeParameters(values: [1, -2, 0.5, 3, 0.25])
        var adam = Adam(learningRate: 0.1, beta1: 0.5, beta2: 0.999, epsilon: 1e-8)

        // Step 1, g1 = [0.5, −0.25, 0, 2e-3 | −4].
        //   m = 0.5·g, v = 0.001·g², so m̂ = g and v̂ = g²: every parameter moves by −lr·g/(|g| + ε)
        //   ≈ −lr·sign(g) = ∓0.1, whatever |g| (the g = 2e-3 one by 0.1·(1 − 5e-6));
        //   the g = 0 one stays put (m = 0).
        setGrads(ps, [0.5, -0.25, 0, 2e-3, -4])
        adam.update(ps)
        XCTAssertEqual(adam.step, 1)
        assertClose(flat(ps, .values), [0.9, -1.9, 0.5, 3 - 0.1 / (1 + 5e-6), 0.35], 1e-6, "p after step 1")
        assertClose(flat(ps, .firstMoment), [0.25, -0.125, 0, 1e-3, -2], 1e-7, "m after step 1")
        // (1 − β2 is 1 − Float(0.999) = 0.00099998713 in Float: a relative 1.3e-5 off 0.001.)
        assertClose(flat(ps, .secondMoment), [2.5e-4, 6.25e-5, 0, 4e-9, 0.016], 0.016 * 2e-5, "v after step 1")
        for (got, g) in zip(flat(ps, .secondMoment), [0.5, -0.25, 0, 2e-3, -4] as [Double]) {
            XCTAssertEqual(Double(got), 1e-3 * g * g, accuracy: 2e-5 * 1e-3 * g * g, "v relative")
        }

        // Step 2, g2 = [−0.5, −0.25, 1, 2e-3 | −4]; 1−β1² = 0.75, 1−β2² = 0.001999.
        //   Same g twice: m = 0.75·g → m̂ = g; v = 0.001999·g² → v̂ = g²: another −lr·sign(g).
        //   p[0] (g flips 0.5 → −0.5): m = 0.125 − 0.25 = −0.125, m̂ = −1/6; v̂ = 0.25, √ = 0.5;
        //        Δ = −lr·(−1/6)/0.5 = +lr/3 → 0.9 + 0.0333… = 0.93333.
        //   p[2] (g 0 → 1): m = 0.5, m̂ = 2/3; v = 0.001, v̂ = 1/1.999;
        //        Δ = −lr·(2/3)·√1.999 = −0.0942573 → 0.4057427.
        setGrads(ps, [-0.5, -0.25, 1, 2e-3, -4])
        adam.update(ps)
        XCTAssertEqual(adam.step, 2)
        assertClose(flat(ps, .values), [0.9 + 0.1 / 3, -1.8, 0.5 - 0.1 * (2.0 / 3) * 1.999.squareRoot(),
                                        2.800001, 0.45], 2e-6, "p after step 2")

        // Step 3, g3 = 0: momentum alone. 1−β1³ = 0.875, 1−β2³ = 0.002997001.
        //   m ← m/2, so m̂ = (m₂/2)/0.875 = (4/7)·m₂;  v ← 0.999·v₂.
        //   Let r = √(0.999·0.001999/0.002997001) ≈ 0.8162926 (how √v̂ shrinks for a |g| seen twice).
        //   Same g twice (m₂ = 0.75·g, √v̂ = |g|·r): Δ = −lr·(3/7)/r·sign(g) = ∓0.0525022.
        //   p[0]: m₂ = −0.125 → m̂ = −1/14; √v̂ = 0.5·r: Δ = +lr·(1/7)/r = +0.0175007.
        //   p[2]: m₂ = 0.5 → m̂ = 2/7; v̂ = 0.000999/0.002997001 ≈ 1/3: Δ = −lr·(2/7)·√3 ≈ −0.0494872.
        setGrads(ps, [0, 0, 0, 0, 0])
        adam.update(ps)
        XCTAssertEqual(adam.step, 3)
        let r = (0.999 * 0.001999 / 0.002997001).squareRoot()
        let sameTwice = 0.1 * (3.0 / 7) / r
        assertClose(flat(ps, .values), [0.9 + 0.1 / 3 + 0.1 / 7 / r,
                                        -1.8 + sameTwice,
                                        0.5 - 0.1 * (2.0 / 3) * 1.999.squareRoot()
                                            - 0.1 * (2.0 / 7) / (0.000999 / 0.002997001).squareRoot(),
                                        2.800001 - sameTwice,
                                        0.45 + sameTwice], 2e-6, "p after step 3")
        XCTAssertEqual(sameTwice, 0.0525022, accuracy: 1e-7)
        XCTAssertTrue(ps.allFinite(), "padding stays finite (0/(0 + ε̂) = 0)")
    }

    /// A large ε = 0.1 must sit where PyTorch puts it, next to √v̂ (bias-corrected):
    /// with a constant g, m̂ = g and v̂ = g² at every step, so each step is exactly
    /// Δ = −lr·g/(|g| + ε):  g = 0.5 → −0.1·0.5/0.6 = −1/12;  g = −0.25 → +0.1·0.25/0.35 = +1/14;
    /// g = 0.1 → −0.1·0.1/0.2 = −0.05.  (ε added to the uncorrected √v would give a different,
    /// step-dependent result.)
    func testAdamNonDefaultEpsilon() {
        let ps = keep(ParameterSet(shapes: [("p", [3])]))
        ps.load([1, -1, 2], into: ps.entries[0], block: .values)
        ps.load([0.5, -0.25, 0.1], into: ps.entries[0], block: .grads)
        var adam = Adam(learningRate: 0.1, beta1: 0.5, beta2: 0.999, epsilon: 0.1)
        adam.update(ps)
        assertClose(flat(ps, .values), [1 - 1.0 / 12, -1 + 1.0 / 14, 2 - 0.05], 1e-6, "p after step 1")
        adam.update(ps)
        assertClose(flat(ps, .values), [1 - 2.0 / 12, -1 + 2.0 / 14, 2 - 0.1], 1e-6, "p after step 2")
        XCTAssertEqual(adam.step, 2)
    }

    /// The step counter is what the bias correction uses: a restored optimiser with the same
    /// step and moments continues exactly like the uninterrupted one.
    func testAdamResumeFromStepAndMomentsIsExact() {
        let a = makeParameters(values: [1, -2, 0.5, 3, 0.25])
        let b = makeParameters(values: [1, -2, 0.5, 3, 0.25])
        var adamA = Adam(learningRate: 0.01, beta1: 0.5, beta2: 0.999)
        setGrads(a, [0.3, -0.1, 0.7, 2, -1])
        adamA.update(a)
        adamA.update(a)
        // "Checkpoint" a into b.
        for block in ParameterSet.Block.allCases {
            for (e, data) in a.arrays(of: block) { b.load(data, into: e, block: block) }
        }
        var adamB = Adam(learningRate: 0.01, beta1: 0.5, beta2: 0.999)
        adamB.step = adamA.step
        adamA.update(a)
        adamB.update(b)
        XCTAssertEqual(flat(a, .values).map(\.bits), flat(b, .values).map(\.bits))
        XCTAssertEqual(adamA, adamB)
    }

    /// p ← p − lr·g; lr 0.2.  Step 1, g = [0.5, −0.25, 0, 1 | 2]: [1, −2, 0.5, 3 | 0.25] →
    /// [0.9, −1.95, 0.5, 2.8 | −0.15].  Step 2, g = [1, 0, −1, 0 | 0]: [0.7, −1.95, 0.7, 2.8 | −0.15].
    func testSGDTwoStepsByHand() {
        let ps = makeParameters(values: [1, -2, 0.5, 3, 0.25])
        let sgd = SGD(learningRate: 0.2)
        setGrads(ps, [0.5, -0.25, 0, 1, 2])
        sgd.update(ps)
        assertClose(flat(ps, .values), [0.9, -1.95, 0.5, 2.8, -0.15], 1e-6, "p after SGD step 1")
        setGrads(ps, [1, 0, -1, 0, 0])
        sgd.update(ps)
        assertClose(flat(ps, .values), [0.7, -1.95, 0.7, 2.8, -0.15], 1e-6, "p after SGD step 2")
        XCTAssertEqual(flat(ps, .firstMoment), [0, 0, 0, 0, 0], "SGD keeps no moments")
        XCTAssertEqual(flat(ps, .secondMoment), [0, 0, 0, 0, 0])
    }
}
