// A deterministic synthetic snapshot for previews, golden tests and a `--demo` mode.
// Plain arithmetic only (own exp/sin/log), so it renders identically on every platform.

extension FrameSnapshot {
    /// A plausible mid-training frame: `step` loss points, 16 hand-drawn digits (0–9, jittered
    /// by `seed`), and a 1-D GAN on a two-Gaussian mixture sampled on `gan1DBins` bins.
    public static func demo(step: Int = 12_345, seed: UInt64 = 42, gan1DBins: Int = 149,
                            state: TrainerState = .running) -> FrameSnapshot {
        var rng = SplitMix64(seed: seed)
        var history = LossHistory()
        for i in 0..<step {
            let t = Double(i)
            let d = 0.62 + 0.55 * DemoMath.exp(-t / 900) + 0.05 * DemoMath.sin(t / 240) + 0.06 * rng.signed()
            let g = 0.95 + 1.6 * DemoMath.exp(-t / 700) * DemoMath.sin(t / 500 + 1.2).magnitude
                + 0.12 * DemoMath.sin(t / 310) + 0.1 * rng.signed()
            history.append(step: i + 1, d: Float(d), g: Float(g))
        }
        let last = history.points.last ?? LossPoint(step: 0, d: .nan, g: .nan)
        let digits = (0..<16).map { DemoDigits.image(digit: ($0 * 7 + 3) % 10, rng: &rng) }
        return FrameSnapshot(
            state: state, epoch: step / 469 + 1, step: step, stepsPerSecond: 187.4,
            dLoss: last.d, gLoss: last.g, dReal: 0.61, dFake: 0.38, seed: seed,
            message: "saved runs/demo/checkpoint-step\(step / 500 * 500).safetensors",
            history: history, digits: digits, gan1d: demo1D(bins: gan1DBins, rng: &rng))
    }

    static func demo1D(bins: Int, rng: inout SplitMix64) -> Gan1DPanelData {
        let n = max(bins, 1), lo = -4.0, hi = 4.0, w = (hi - lo) / Double(n)
        func gauss(_ x: Double, _ mu: Double, _ s: Double) -> Double {
            DemoMath.exp(-(x - mu) * (x - mu) / (2 * s * s)) / (s * 2.5066282746310002)
        }
        func pData(_ x: Double) -> Double { 0.5 * gauss(x, -1.5, 0.5) + 0.5 * gauss(x, 1.5, 0.6) }
        func pGen(_ x: Double) -> Double { 0.45 * gauss(x, -1.3, 0.62) + 0.55 * gauss(x, 1.6, 0.75) }
        // A histogram of 20 000 samples from the generator's mixture (sum of 4 uniforms ≈ normal).
        var counts = [Double](repeating: 0, count: n)
        let samples = 20_000
        for _ in 0..<samples {
            let pick = rng.unit() < 0.45
            let z = (rng.unit() + rng.unit() + rng.unit() + rng.unit() - 2) * 1.7320508075688772
            let x = pick ? -1.3 + 0.62 * z : 1.6 + 0.75 * z
            let b = Int(((x - lo) / w).rounded(.down))
            if b >= 0 && b < n { counts[b] += 1 }
        }
        let centres = (0..<n).map { lo + (Double($0) + 0.5) * w }
        let gen = counts.map { Float($0 / (Double(samples) * w)) }
        let data = centres.map { Float(pData($0)) }
        let disc = centres.map { x -> Float in
            let a = pData(x), b = pGen(x)
            return a + b > 1e-12 ? Float(a / (a + b)) : 0.5
        }
        let mapping = (0..<16).map { i -> MappingPoint in
            let z = -1 + 2 * Double(i) / 15
            let x = 1.5 * z / (z * z + 0.04).squareRoot() + 0.9 * z
            return MappingPoint(z: Float(z), x: Float(x))
        }
        var ks = 0.0, js = 0.0, cg = 0.0, cd = 0.0
        for i in 0..<n {
            let g = Double(gen[i]) * w, d = Double(data[i]) * w
            cg += g
            cd += d
            ks = max(ks, abs(cg - cd))
            let m = (g + d) / 2
            if g > 0 { js += 0.5 * g * DemoMath.log(g / m) }
            if d > 0 { js += 0.5 * d * DemoMath.log(d / m) }
        }
        return Gan1DPanelData(targetName: "mixture of 2 gaussians", xMin: Float(lo), xMax: Float(hi),
                              generatedDensity: gen, dataDensity: data, discriminator: disc,
                              mapping: mapping, ks: Float(ks), js: Float(js))
    }
}

/// Digits drawn as thick polylines in a unit box, rasterised at 28×28 in [-1, 1].
enum DemoDigits {
    static func circle(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double) -> [(Double, Double)] {
        (0...16).map { i in
            let a = Double(i) / 16 * 6.283185307179586
            return (cx + rx * DemoMath.sin(a + 1.5707963267948966), cy + ry * DemoMath.sin(a))
        }
    }

    static func strokes(_ digit: Int) -> [[(Double, Double)]] {
        switch digit {
        case 0: return [circle(0.5, 0.5, 0.24, 0.36)]
        case 1: return [[(0.36, 0.26), (0.52, 0.12), (0.52, 0.88)]]
        case 2: return [[(0.27, 0.3), (0.38, 0.14), (0.6, 0.12), (0.72, 0.27), (0.64, 0.47), (0.26, 0.86), (0.76, 0.86)]]
        case 3: return [[(0.28, 0.16), (0.68, 0.15), (0.46, 0.44), (0.68, 0.58), (0.66, 0.8), (0.5, 0.88), (0.28, 0.84)]]
        case 4: return [[(0.62, 0.88), (0.62, 0.12), (0.24, 0.64), (0.78, 0.64)]]
        case 5: return [[(0.7, 0.13), (0.34, 0.13), (0.31, 0.45), (0.6, 0.43), (0.71, 0.64), (0.62, 0.85), (0.28, 0.85)]]
        case 6: return [[(0.66, 0.13), (0.42, 0.33), (0.31, 0.63), (0.4, 0.86), (0.62, 0.85), (0.7, 0.66), (0.56, 0.5), (0.32, 0.6)]]
        case 7: return [[(0.25, 0.14), (0.76, 0.14), (0.46, 0.88)]]
        case 8: return [circle(0.5, 0.3, 0.17, 0.17), circle(0.5, 0.68, 0.21, 0.19)]
        default: return [circle(0.5, 0.33, 0.19, 0.2), [(0.69, 0.35), (0.62, 0.88)]]
        }
    }

    static func image(digit: Int, rng: inout SplitMix64) -> [Float] {
        let side = FrameSnapshot.digitSide
        let (dx, dy, slant) = (rng.signed() * 0.06, rng.signed() * 0.04, rng.signed() * 0.15)
        let lines = strokes(digit).map { line in
            line.map { p in (4 + 20 * (p.0 + dx + slant * (0.5 - p.1)), 4 + 20 * (p.1 + dy)) }
        }
        var out = [Float](repeating: -1, count: side * side)
        for py in 0..<side {
            for px in 0..<side {
                let x = Double(px) + 0.5, y = Double(py) + 0.5
                var best = Double.infinity
                for line in lines {
                    for k in 1..<line.count { best = min(best, distance(x, y, line[k - 1], line[k])) }
                }
                let ink = min(max((2.4 - best) / 1.2, 0), 1)
                out[py * side + px] = Float(2 * ink - 1)
            }
        }
        return out
    }

    static func distance(_ x: Double, _ y: Double, _ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let vx = b.0 - a.0, vy = b.1 - a.1
        let len2 = vx * vx + vy * vy
        let t = len2 > 0 ? min(max(((x - a.0) * vx + (y - a.1) * vy) / len2, 0), 1) : 0
        let ex = a.0 + t * vx - x, ey = a.1 + t * vy - y
        return (ex * ex + ey * ey).squareRoot()
    }
}

/// Deterministic pseudo-random numbers (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / 9_007_199_254_740_992 }
    /// Uniform in [-1, 1).
    mutating func signed() -> Double { 2 * unit() - 1 }
}

/// exp, sin and log from plain arithmetic, identical on every platform.
enum DemoMath {
    static func exp(_ x: Double) -> Double {
        if x < -700 { return 0 }
        let ln2 = 0.6931471805599453
        let k = (x / ln2).rounded()
        let r = x - k * ln2
        var term = 1.0, sum = 1.0
        for i in 1...16 {
            term *= r / Double(i)
            sum += term
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }

    static func sin(_ x: Double) -> Double {
        let twoPi = 6.283185307179586
        var r = x - (x / twoPi).rounded() * twoPi
        if r > 1.5707963267948966 { r = 3.141592653589793 - r }
        if r < -1.5707963267948966 { r = -3.141592653589793 - r }
        var term = r, sum = r
        for i in 1...10 {
            term *= -r * r / Double((2 * i) * (2 * i + 1))
            sum += term
        }
        return sum
    }

    static func log(_ x: Double) -> Double {
        guard x > 0 else { return -.infinity }
        let e = Double(x.exponent), m = x.significand
        let u = (m - 1) / (m + 1), u2 = u * u
        var term = u, sum = 0.0
        for k in 0..<30 {
            sum += term / Double(2 * k + 1)
            term *= u2
        }
        return e * 0.6931471805599453 + 2 * sum
    }
}
