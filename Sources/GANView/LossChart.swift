/// D and G loss against step as two braille lines, auto-scaled to nice round numbers.
///
/// Layout inside the box: y labels | axis | plot; below the plot an x axis with ticks and a row
/// of step labels (0 … 12.3k). The whole run is shown: points are averaged per braille dot
/// column and consecutive columns are joined by Bresenham lines. Cells where both series put
/// dots use the `bothLosses` colour.
public enum LossChart {
    /// EMA weight per raw step used when smoothing is on.
    public static let smoothingAlpha: Float = 0.02

    public static func render(_ history: LossHistory, smoothing: Bool, into buffer: inout CellBuffer,
                              rect: Rect, theme: Theme) {
        var legend: [Span] = [Span("━", theme[.dLoss]), Span(" D loss  ", theme[.label]),
                              Span("━", theme[.gLoss]), Span(" G loss", theme[.label])]
        if smoothing { legend.append(Span("  EMA", theme[.hint])) }
        let inner = Box.draw(into: &buffer, rect: rect, title: [Span("Losses", theme[.title])],
                             legend: legend, theme: theme)
        guard inner.width >= 12, inner.height >= 4 else { return }
        let points = smoothing ? history.smoothed(alpha: smoothingAlpha) : history.points
        guard let first = points.first, let last = points.last else {
            Box.centered("waiting for the first step…", in: inner, into: &buffer, style: theme[.hint])
            return
        }

        // Y scale over all finite values of both series.
        var lo = Float.infinity, hi = -Float.infinity
        for p in points {
            if p.d.isFinite { lo = min(lo, p.d); hi = max(hi, p.d) }
            if p.g.isFinite { lo = min(lo, p.g); hi = max(hi, p.g) }
        }
        if lo > hi { lo = 0; hi = 1 }
        guard let plot = drawAxes(lo: lo, hi: hi, firstStep: first.step, lastStep: last.step, inner: inner,
                                  into: &buffer, theme: theme) else { return }
        let (plotX, plotWidth, rows, yLo, yHi, x0, x1) = (plot.x, plot.width, plot.rows, plot.yLo, plot.yHi, plot.x0, plot.x1)
        let dotsW = plot.dotsW, dotsH = plot.dotsH

        // Average per dot column, then join the columns.
        var sumD = [Float](repeating: 0, count: dotsW), nD = [Int32](repeating: 0, count: dotsW)
        var sumG = sumD, nG = nD
        for p in points {
            let c = Axis.position(Double(p.step), x0, x1, dotsW)
            if p.d.isFinite { sumD[c] += p.d; nD[c] += 1 }
            if p.g.isFinite { sumG[c] += p.g; nG[c] += 1 }
        }
        var canvas = BrailleCanvas(width: plotWidth, height: rows)
        for (layer, (sum, n)) in [(sumD, nD), (sumG, nG)].enumerated() {
            var line: [(x: Int, y: Int)?] = []
            line.reserveCapacity(dotsW)
            for c in 0..<dotsW where n[c] > 0 {
                let v = Double(sum[c] / Float(n[c]))
                line.append((c, dotsH - 1 - Axis.position(v, yLo, yHi, dotsH)))
            }
            canvas.polyline(line, layer: layer)
        }
        let dStyle = theme[.dLoss], gStyle = theme[.gLoss], both = theme[.bothLosses]
        canvas.forEachCell { cx, cy, glyph, layers in
            let style = layers == 1 ? dStyle : (layers == 2 ? gStyle : both)
            buffer.set(glyph, x: plotX + cx, y: inner.y + cy, style: style)
        }
    }

    /// The x axis runs from the first step to a round number just past the last (at most a third),
    /// not to the last step itself: so the axis stays put while the curves grow into it, and a
    /// frame changes only the cells at the curves' tips, not every cell of a rescaled plot
    /// (which cost the terminal ~20 KB a frame).
    /// Where a chart plots, once its axes are drawn: y labels, `│` and ticks on the left of
    /// `inner`, the x axis and its step labels on its last two rows.
    struct PlotArea {
        let x, width, rows: Int
        let yLo, yHi, x0, x1: Double
        var dotsW: Int { width * 2 }
        var dotsH: Int { rows * 4 }
    }

    /// Both axes of a chart of values in lo … hi over steps firstStep … lastStep (the loss chart
    /// and the watched-scalar chart); nil when the plot would be narrower than 4 cells.
    static func drawAxes(lo: Float, hi: Float, firstStep: Int, lastStep: Int, inner: Rect,
                         into buffer: inout CellBuffer, theme: Theme) -> PlotArea? {
        let rows = inner.height - 2
        let (yLo, yHi, ticks, labels) = yScale(Double(lo), Double(hi), rows: rows)
        let labelWidth = labels.map { $0.unicodeScalars.count }.max() ?? 1
        let plotX = inner.x + labelWidth + 1
        let plotWidth = inner.maxX - plotX
        guard plotWidth >= 4 else { return nil }
        let dotsH = rows * 4
        let axis = theme[.axis]
        for r in 0..<rows { buffer.set("│", x: plotX - 1, y: inner.y + r, style: axis) }
        for (t, label) in zip(ticks, labels) {
            let row = (dotsH - 1 - Axis.position(t, yLo, yHi, dotsH)) / 4
            buffer.set("┤", x: plotX - 1, y: inner.y + row, style: axis)
            buffer.put(label, x: plotX - 1 - label.unicodeScalars.count, y: inner.y + row, style: theme[.label])
        }
        let (x0, x1) = xRange(first: firstStep, last: lastStep)
        drawXAxis(x0, x1, plotX: plotX, plotWidth: plotWidth, row: inner.y + rows, inner: inner,
                  into: &buffer, theme: theme)
        return PlotArea(x: plotX, width: plotWidth, rows: rows, yLo: yLo, yHi: yHi, x0: x0, x1: x1)
    }

    static func xRange(first: Int, last: Int) -> (Double, Double) {
        let x0 = Double(first), span = Double(max(last - first, 1))
        var decade = 1.0
        while decade * 10 <= span { decade *= 10 }
        let nice = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].first { $0 * decade >= span * (1 - 1e-12) }!
        return (x0, x0 + nice * decade)
    }

    /// The y range is the data range plus 3 % padding (no wasted rows); labels go at the nice
    /// ticks inside it, or at both ends when the range is too narrow for two nice ticks.
    static func yScale(_ lo: Double, _ hi: Double, rows: Int)
        -> (lo: Double, hi: Double, ticks: [Double], labels: [String]) {
        let span = max(hi - lo, 1e-3 * max(1, abs(hi)))
        let yLo = lo - span * 0.03, yHi = hi + span * 0.03
        let wanted = min(max(rows / 2 + 1, 3), 6)
        // niceTicks rounds outwards; allow two extra ticks since those outside are dropped.
        for m in stride(from: wanted + 2, through: 2, by: -1) {
            let (all, step) = Axis.niceTicks(yLo, yHi, maxCount: m)
            let ticks = all.filter { $0 >= yLo && $0 <= yHi }
            if ticks.count <= wanted {
                if ticks.count >= 2 { return (yLo, yHi, ticks, Axis.labels(ticks, step: step)) }
                break
            }
        }
        let ends = [yLo, yHi]
        return (yLo, yHi, ends, Axis.labels(ends, step: Axis.niceTicks(yLo, yHi, maxCount: 20).step))
    }

    /// The x axis line with "┬" ticks at nice steps and compact labels under it.
    static func drawXAxis(_ x0: Double, _ x1: Double, plotX: Int, plotWidth: Int, row: Int, inner: Rect,
                          into buffer: inout CellBuffer, theme: Theme) {
        let axis = theme[.axis]
        buffer.set("└", x: plotX - 1, y: row, style: axis)
        for x in plotX..<plotX + plotWidth { buffer.set("─", x: x, y: row, style: axis) }
        let (ticks, _) = Axis.niceTicks(x0, x1, maxCount: max(2, plotWidth / 8))
        var labelEnd = Int.min
        for t in ticks where t >= x0 - (x1 - x0) / 100 && t <= x1 + 1e-9 {
            let col = plotX + Axis.position(t, x0, x1, plotWidth * 2) / 2
            buffer.set("┬", x: col, y: row, style: axis)
            let label = Fmt.compact(t)
            let w = label.unicodeScalars.count
            let lx = min(max(col - w / 2, inner.x), inner.maxX - w)
            if lx > labelEnd {
                labelEnd = buffer.put(label, x: lx, y: row + 1, style: theme[.label], maxX: inner.maxX)
            }
        }
    }
}
