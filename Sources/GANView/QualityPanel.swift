/// The quality meter's latest reading, as the panel draws it.
public struct QualityData: Sendable, Hashable {
    /// MNIST score (Inception Score with gantop's digit classifier): 1 worst, 10 best.
    public var score: Float
    /// Samples the classifier put in each digit 0–9.
    public var classHistogram: [Int]
    /// Mean max-probability of the classifier, 0…1.
    public var confidence: Float
    /// Earlier scores, oldest first (the sparkline shows the most recent that fit).
    public var scoreHistory: [Float]
    /// Shown in the warning style when set ("mode collapse? digit 7 is under 2% of samples").
    public var collapseWarning: String?
    /// Fréchet distance to the test set, when one was computed (at save time).
    public var frechetDistance: Float?

    public init(score: Float, classHistogram: [Int], confidence: Float, scoreHistory: [Float] = [],
                collapseWarning: String? = nil, frechetDistance: Float? = nil) {
        self.score = score
        self.classHistogram = classHistogram
        self.confidence = confidence
        self.scoreHistory = scoreHistory
        self.collapseWarning = collapseWarning
        self.frechetDistance = frechetDistance
    }
}

/// A boxed panel: ten class bars (0–9) with their share of the samples, the score and its
/// history as a sparkline, and the mode-collapse warning.
///
/// Full layout needs `preferredHeight` rows (10 bars + sparkline + status line + frame); with
/// fewer rows (down to `minimumHeight`) the bars become one row of ten vertical bars.
/// Digits under 2 % are drawn in the warning style in both layouts, so a missing class is
/// visible even before one reads the warning line.
public enum QualityPanel {
    public static let preferredWidth = 40
    public static let preferredHeight = 14
    public static let minimumHeight = 6
    public static let sparkGlyphs: [Unicode.Scalar] = Array("▁▂▃▄▅▆▇█".unicodeScalars)
    /// Partial blocks for bar ends, 1/8 … 8/8 of a cell.
    static let eighths: [Unicode.Scalar] = Array("▏▎▍▌▋▊▉█".unicodeScalars)
    /// The share below which a digit counts as missing (as `ModeCollapse.minimumShare`).
    public static let missingShare = 0.02

    /// One glyph per value, the latest `width` values, on a fixed 1…10 scale so that the same
    /// height means the same score at any time. Non-finite values are blank.
    public static func sparkline(_ values: [Float], width: Int, range: ClosedRange<Float> = 1 ... 10) -> String {
        guard width > 0 else { return "" }
        var s = String.UnicodeScalarView()
        for v in values.suffix(width) {
            guard v.isFinite else {
                s.append(" ")
                continue
            }
            let t = (min(max(v, range.lowerBound), range.upperBound) - range.lowerBound) / (range.upperBound - range.lowerBound)
            s.append(sparkGlyphs[min(Int(t * Float(sparkGlyphs.count - 1) + 0.5), sparkGlyphs.count - 1)])
        }
        return String(s)
    }

    /// A horizontal bar of `fraction` (0…1) of `width` cells, in eighths, padded with spaces.
    public static func bar(_ fraction: Double, width: Int) -> String {
        guard width > 0 else { return "" }
        let eighthsTotal = Int((min(max(fraction.isFinite ? fraction : 0, 0), 1) * Double(width * 8)).rounded())
        var s = String(repeating: "█", count: eighthsTotal / 8)
        if eighthsTotal % 8 > 0 { s.unicodeScalars.append(eighths[eighthsTotal % 8 - 1]) }
        return s + String(repeating: " ", count: width - s.unicodeScalars.count)
    }

    /// Each digit's share of the samples (zeros when there are none).
    public static func shares(_ histogram: [Int]) -> [Double] {
        let total = Double(histogram.reduce(0, +))
        return (0 ..< 10).map { d in d < histogram.count && total > 0 ? Double(histogram[d]) / total : 0 }
    }

    /// The share a full-width bar stands for: the largest share, but at least 20 %, so ten equal
    /// digits fill half the width and a collapsed digit fills all of it.
    static func barScale(_ shares: [Double]) -> Double { max(shares.max() ?? 0, 0.2) }

    public static func render(_ data: QualityData?, into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        guard let data else {
            let inner = Box.draw(into: &buffer, rect: rect, title: [Span("quality", theme[.title])], theme: theme)
            Box.centered("waiting for the first reading", in: inner, into: &buffer, style: theme[.hint])
            return
        }
        let title = [Span("MNIST score ", theme[.label]), Span(Fmt.fixed(data.score, 2), theme[.value])]
        let legend = [Span("conf ", theme[.label]), Span(Fmt.fixed(data.confidence, 2), theme[.value])]
        let inner = Box.draw(into: &buffer, rect: rect, title: title, legend: legend, theme: theme)
        guard inner.height >= 1, inner.width >= 1 else { return }
        if inner.height >= 12 {
            renderFull(data, into: &buffer, inner: inner, theme: theme)
        } else {
            renderCompact(data, into: &buffer, inner: inner, theme: theme)
        }
    }

    /// 10 bar rows, then the sparkline row, then the warning (or coverage) row.
    static func renderFull(_ data: QualityData, into buffer: inout CellBuffer, inner: Rect, theme: Theme) {
        let shares = shares(data.classHistogram), scale = barScale(shares)
        let showCounts = inner.width >= 30
        let numbersWidth = showCounts ? 13 : 7  // " 1,234  12.3%" or "  12.3%"
        let barWidth = max(inner.width - 2 - numbersWidth, 0)
        for d in 0 ..< 10 {
            let y = inner.y + d
            let missing = shares[d] < missingShare
            let barStyle = missing ? theme[.warning] : theme[.generated]
            var x = buffer.put("\(d) ", x: inner.x, y: y, style: missing ? theme[.warning] : theme[.label], maxX: inner.maxX)
            x = buffer.put(bar(shares[d] / scale, width: barWidth), x: x, y: y, style: barStyle, maxX: inner.maxX)
            var numbers = pad(Fmt.fixed(100 * shares[d], 1) + "%", 7)
            if showCounts { numbers = pad(Fmt.grouped(d < data.classHistogram.count ? data.classHistogram[d] : 0), 6) + numbers }
            buffer.put(numbers, x: x, y: y, style: missing ? theme[.warning] : theme[.value], maxX: inner.maxX)
        }
        renderHistoryAndStatus(data, into: &buffer, x: inner.x, y: inner.y + 10, width: inner.width, rows: inner.height - 10, theme: theme)
    }

    /// One row of ten vertical bars over the digits 0–9, then history and status if room.
    static func renderCompact(_ data: QualityData, into buffer: inout CellBuffer, inner: Rect, theme: Theme) {
        let shares = shares(data.classHistogram), scale = barScale(shares)
        let hasBars = inner.height >= 2
        for d in 0 ..< 10 {
            let x = inner.x + 2 * d
            let missing = shares[d] < missingShare
            if hasBars {
                let level = Int((shares[d] / scale * Double(sparkGlyphs.count)).rounded())
                let glyph: Unicode.Scalar = level == 0 ? " " : sparkGlyphs[min(level, sparkGlyphs.count) - 1]
                if x < inner.maxX { buffer.set(glyph, x: x, y: inner.y, style: missing ? theme[.warning] : theme[.generated]) }
            }
            buffer.put(String(d), x: x, y: inner.y + (hasBars ? 1 : 0), style: missing ? theme[.warning] : theme[.label], maxX: inner.maxX)
        }
        let used = hasBars ? 2 : 1
        renderHistoryAndStatus(data, into: &buffer, x: inner.x, y: inner.y + used, width: inner.width, rows: inner.height - used, theme: theme)
    }

    /// "history ▁▂▃▅▆▇" and the warning (or "10/10 digits ≥ 2%  FD 12.3") below it; with one
    /// row only, the warning wins.
    static func renderHistoryAndStatus(_ data: QualityData, into buffer: inout CellBuffer, x: Int, y: Int, width: Int,
                                       rows: Int, theme: Theme) {
        guard rows >= 1, width >= 1 else { return }
        var row = y
        if rows >= 2 || data.collapseWarning == nil {
            let label = "history "
            let sx = buffer.put(label, x: x, y: row, style: theme[.label], maxX: x + width)
            buffer.put(sparkline(data.scoreHistory, width: x + width - sx), x: sx, y: row, style: theme[.value], maxX: x + width)
            row += 1
            guard rows >= 2 else { return }
        }
        if let warning = data.collapseWarning {
            buffer.put(StatusBar.truncate("! " + warning, to: width), x: x, y: row, style: theme[.warning], maxX: x + width)
            return
        }
        let covered = shares(data.classHistogram).filter { $0 >= missingShare }.count
        var spans = [Span("\(covered)/10", theme[.value]), Span(" digits ≥ 2%", theme[.label])]
        if let fd = data.frechetDistance {
            spans += [Span("  FD ", theme[.label]), Span(Fmt.fixed(fd, fd < 100 ? 2 : 0), theme[.value])]
        }
        buffer.put(spans, x: x, y: row, maxX: x + width)
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        let n = s.unicodeScalars.count
        return n >= width ? s : String(repeating: " ", count: width - n) + s
    }
}
