/// Number formatting in plain Swift (no Foundation, no locale): fast and deterministic.
public enum Fmt {
    /// `value` rounded to `decimals` places: fixed(3.14159, 2) == "3.14", fixed(-0.5, 0) == "-1".
    /// Non-finite values give "nan", "inf", "-inf".
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let d = min(max(decimals, 0), 9)
        var scale = 1.0
        for _ in 0..<d { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e15 else { return value < 0 ? "-big" : "big" }
        let n = Int64(scaled)
        let sign = value < 0 && n != 0 ? "-" : ""
        guard d > 0 else { return sign + String(n) }
        let p = Int64(scale)
        var frac = String(n % p)
        while frac.count < d { frac = "0" + frac }
        return sign + String(n / p) + "." + frac
    }

    public static func fixed(_ value: Float, _ decimals: Int) -> String {
        fixed(Double(value), decimals)
    }

    /// Thousands separated with commas: 1234567 → "1,234,567".
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// Compact count for axis labels: 0, 500, 1.25k, 12.3k, 120k, 1.2M, 3.4G
    /// (three significant digits at most, trailing zeros dropped).
    public static func compact(_ value: Double) -> String {
        let a = abs(value)
        if a < 1000 {
            return value == value.rounded() ? fixed(value, 0) : trimmed(fixed(value, 1))
        }
        let units: [(Double, String)] = [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, unit) in units where a >= scale * 0.9995 {
            let v = abs(value) / scale
            let d = v < 9.995 ? 2 : (v < 99.95 ? 1 : 0)
            return (value < 0 ? "-" : "") + trimmed(fixed(v, d)) + unit
        }
        return fixed(value, 0)
    }

    /// Drops trailing fractional zeros and a bare point: "2.50" → "2.5", "2.00" → "2".
    static func trimmed(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = Substring(s)
        while t.hasSuffix("0") { t = t.dropLast() }
        if t.hasSuffix(".") { t = t.dropLast() }
        return String(t)
    }
}

/// "Nice" axis ticks: multiples of 1, 2 or 5 × 10^k.
public enum Axis {
    /// Ticks covering [lo, hi] (rounded outwards to whole steps), at most `maxCount` of them
    /// (at least 2). The step is the smallest 1/2/5 × 10^k that keeps within `maxCount`.
    public static func niceTicks(_ lo: Double, _ hi: Double, maxCount: Int) -> (ticks: [Double], step: Double) {
        var lo = lo, hi = hi
        if !lo.isFinite || !hi.isFinite { lo = 0; hi = 1 }
        if lo > hi { swap(&lo, &hi) }
        if hi - lo < 1e-9 * max(1, abs(hi)) {
            let pad = abs(hi) > 1e-9 ? abs(hi) * 0.1 : 0.5
            lo -= pad
            hi += pad
        }
        let count = max(2, maxCount)
        let raw = (hi - lo) / Double(count - 1)
        var magnitude = 1.0
        while magnitude > raw { magnitude /= 10 }
        while magnitude * 10 <= raw { magnitude *= 10 }
        for _ in 0..<40 {
            for m in [1.0, 2.0, 5.0] {
                let step = m * magnitude
                let first = (lo / step + 1e-9).rounded(.down)
                let last = (hi / step - 1e-9).rounded(.up)
                if Int(last - first) + 1 <= count {
                    let ticks = (0...Int(last - first)).map { (first + Double($0)) * step }
                    return (ticks.map { abs($0) < step * 1e-9 ? 0 : $0 }, step)
                }
            }
            magnitude *= 10
        }
        return ([lo, hi], hi - lo)
    }

    /// Labels for ticks with a common number of decimals, just enough for `step`:
    /// step 0.5 → ["0.0", "0.5", …], step 2 → ["0", "2", …].
    public static func labels(_ ticks: [Double], step: Double) -> [String] {
        let d = decimals(for: step)
        return ticks.map { Fmt.fixed($0, d) }
    }

    /// Decimals needed to show multiples of `step` exactly (0 for steps ≥ 1).
    public static func decimals(for step: Double) -> Int {
        var d = 0
        var s = step
        while d < 6 && abs(s - s.rounded()) > 1e-6 * max(1, abs(s)) {
            s *= 10
            d += 1
        }
        return d
    }

    /// Maps `value` in [lo, hi] to a position in 0…(n - 1), rounded; clamped.
    @inline(__always)
    static func position(_ value: Double, _ lo: Double, _ hi: Double, _ n: Int) -> Int {
        guard hi > lo, n > 1 else { return 0 }
        let t = (value - lo) / (hi - lo) * Double(n - 1)
        return min(max(Int(t.rounded()), 0), n - 1)
    }
}
