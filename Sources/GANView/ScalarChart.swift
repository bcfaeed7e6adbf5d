/// One line on a `ScalarChart`.
public struct ChartSeries: Sendable, Equatable {
    /// The legend's words, e.g. "D Loss/D" or "gan-a G".
    public var label: String
    public var points: [ScalarPoint]
    /// Which of the theme's series colours (0: D's, 1: G's, then others).
    public var colour: Int
    /// Dashed: a second run overlaid on the first keeps its colours but not its solid line.
    public var dashed: Bool

    public init(label: String, points: [ScalarPoint], colour: Int, dashed: Bool = false) {
        self.label = label
        self.points = points
        self.colour = colour
        self.dashed = dashed
    }
}

/// Any number of scalar series (up to 8 drawn) against step as braille lines: the loss chart of a
/// watched run. Scales, axes and averaging are `LossChart`'s; the legend names every series
/// (the tags the loss curves were picked from), on the top edge when it fits, else inside.
public enum ScalarChart {
    public static let maxSeries = 8

    public static func render(_ series: [ChartSeries], title: [Span], placeholder: String,
                              into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        let shown = Array(series.prefix(maxSeries))
        let legend = legendSpans(shown, theme: theme)
        let fitsOnEdge = legend.width + title.width + 8 <= rect.width
        var inner = Box.draw(into: &buffer, rect: rect, title: title, legend: fitsOnEdge ? legend : [], theme: theme)
        guard inner.width >= 12, inner.height >= 4 else { return }
        if !fitsOnEdge && !legend.isEmpty {
            // Too long for the top edge: its own row(s) inside, as many as it needs up to two.
            let rowsUsed = putWrapped(legendEntries(shown, theme: theme), in: inner, into: &buffer, maxRows: 2)
            inner = Rect(x: inner.x, y: inner.y + rowsUsed, width: inner.width, height: inner.height - rowsUsed)
            guard inner.height >= 4 else { return }
        }
        let drawn = shown.filter { !$0.points.isEmpty }
        guard !drawn.isEmpty else {
            Box.centered(placeholder, in: inner, into: &buffer, style: theme[.hint])
            return
        }
        var lo = Float.infinity, hi = -Float.infinity
        var first = Int.max, last = Int.min
        for s in drawn {
            for p in s.points where p.value.isFinite {
                lo = min(lo, p.value)
                hi = max(hi, p.value)
            }
            first = min(first, s.points[0].step)
            last = max(last, s.points[s.points.count - 1].step)
        }
        if lo > hi { lo = 0; hi = 1 }
        guard let plot = LossChart.drawAxes(lo: lo, hi: hi, firstStep: first, lastStep: last, inner: inner,
                                            into: &buffer, theme: theme) else { return }
        let (plotX, plotWidth, rows, yLo, yHi, x0, x1) = (plot.x, plot.width, plot.rows, plot.yLo, plot.yHi, plot.x0, plot.x1)
        let dotsW = plot.dotsW, dotsH = plot.dotsH

        var canvas = BrailleCanvas(width: plotWidth, height: rows)
        for (layer, s) in drawn.enumerated() {
            var sum = [Float](repeating: 0, count: dotsW), n = [Int32](repeating: 0, count: dotsW)
            for p in s.points where p.value.isFinite {
                let c = Axis.position(Double(p.step), x0, x1, dotsW)
                sum[c] += p.value
                n[c] += 1
            }
            var line: [(x: Int, y: Int)?] = []
            for c in 0..<dotsW where n[c] > 0 {
                line.append((c, dotsH - 1 - Axis.position(Double(sum[c] / Float(n[c])), yLo, yHi, dotsH)))
            }
            canvas.polyline(line, layer: layer, dash: s.dashed ? DashPattern(on: 2, off: 2) : .solid)
        }
        let styles = drawn.map { theme.series($0.colour) }
        canvas.forEachCell { cx, cy, glyph, layers in
            // A cell one series owns takes its colour; a shared one the "both" colour.
            let style = layers.nonzeroBitCount == 1 ? styles[layers.trailingZeroBitCount] : theme[.bothLosses]
            buffer.set(glyph, x: plotX + cx, y: inner.y + cy, style: style)
        }
    }

    /// "━ D Loss/D  ━ G Loss/G": a swatch in the series' colour (dashed: "╍"), then the label.
    public static func legendSpans(_ series: [ChartSeries], theme: Theme) -> [Span] {
        var out: [Span] = []
        for (i, entry) in legendEntries(series, theme: theme).enumerated() {
            if i > 0 { out.append(Span("  ", theme[.label])) }
            out += entry
        }
        return out
    }

    static func legendEntries(_ series: [ChartSeries], theme: Theme) -> [[Span]] {
        series.map { [Span($0.dashed ? "╍" : "━", theme.series($0.colour)), Span(" " + $0.label, theme[.label])] }
    }

    /// Writes legend entries over up to `maxRows` rows, breaking only between entries; returns rows used.
    static func putWrapped(_ entries: [[Span]], in rect: Rect, into buffer: inout CellBuffer, maxRows: Int) -> Int {
        var row = 0, x = rect.x
        for entry in entries {
            if x > rect.x && x + 2 + entry.width > rect.maxX {
                row += 1
                x = rect.x
                if row >= maxRows { return maxRows }
            }
            if x > rect.x { x += 2 }
            x = buffer.put(entry, x: x, y: rect.y + row, maxX: rect.maxX)
        }
        return row + 1
    }
}
