/// The 1-D GAN figure of Goodfellow et al. (2014), Fig. 1:
/// the generated histogram as green block-element bars (one bar per cell column), the data
/// density as a braille curve in the default foreground, D(x) as a dashed blue braille curve
/// (on its own [0, 1] scale, labelled on the right), an x axis with embedded labels, and below
/// it a strip of braille lines joining each z (on the bottom z line, z ∈ [-1, 1] spanning the
/// full width) to its G(z) on the x axis.
///
/// Bins: one per plot cell column — `binCount(forWidth:)`. Other bin counts are resampled
/// (area-averaged for the histogram, linearly interpolated per braille dot column for curves).
public enum Gan1DPanel {
    /// Columns left of the plot: 4 label characters + the axis.
    public static let leftWidth = 5
    /// Columns right of the plot: the D(x) axis + 3 label characters.
    public static let rightWidth = 4

    /// Bins the panel draws exactly when its box is `width` cells wide (one per plot column).
    public static func binCount(forWidth width: Int) -> Int {
        max(0, width - 2 - leftWidth - rightWidth)
    }

    /// Braille rows of the z→x mapping strip for a box interior `height` rows tall.
    static func stripRows(forInnerHeight height: Int) -> Int {
        height >= 12 ? 3 : (height >= 8 ? 2 : 1)
    }

    /// " · step 1,200 (history)" after a panel's title while it shows a recorded step; nothing when live.
    public static func historyTag(_ step: Int?, theme: Theme) -> [Span] {
        step.map { [Span(" · step \(Fmt.grouped($0)) (history)", theme[.warning])] } ?? []
    }

    /// `historyStep`: the data is a recorded frame of that step (scrubbing), and the title says so.
    public static func render(_ data: Gan1DPanelData?, into buffer: inout CellBuffer, rect: Rect, theme: Theme,
                              historyStep: Int? = nil) {
        let tag = historyTag(historyStep, theme: theme)
        guard let data else {
            let inner = Box.draw(into: &buffer, rect: rect, title: [Span("1-D GAN", theme[.title])] + tag, theme: theme)
            Box.centered("no 1-D data", in: inner, into: &buffer, style: theme[.hint])
            return
        }
        let stats = [Span("  KS ", theme[.label]), Span(Fmt.fixed(data.ks, 3), theme[.value]),
                     Span("  JS ", theme[.label]), Span(Fmt.fixed(data.js, 3), theme[.value])]
        let name = Span(data.targetName, theme[.title])
        let title = [[Span("1-D GAN · ", theme[.title]), name] + tag + stats, [name] + tag + stats,
                     [name] + tag + stats.prefix(2), [name] + tag, [name]]
            .first { $0.width <= rect.width - 6 } ?? [name]
        var legend = [Span("█", theme[.generated]), Span(" G(z)  ", theme[.label]),
                      Span("─", theme[.data]), Span(" data  ", theme[.label]),
                      Span("╌", theme[.discriminator]), Span(" D(x)", theme[.label])]
        if data.previousDiscriminator != nil { legend += [Span("  ┄", theme[.hint]), Span(" D before", theme[.label])] }
        if rect.width >= 110, data.mapping.contains(where: { $0.push != 0 }) {
            legend += [Span("  →", theme[.push]), Span(" G's push", theme[.label])]
        }
        let inner = Box.draw(into: &buffer, rect: rect, title: title, legend: legend, theme: theme)
        let pw = inner.width - leftWidth - rightWidth
        let strip = stripRows(forInnerHeight: inner.height)
        let rows = inner.height - strip - 2
        let xMin = Double(data.xMin), xMax = Double(data.xMax)
        guard pw >= 8, rows >= 2, xMax > xMin else { return }
        let px = inner.x + leftWidth, top = inner.y

        // Shared density scale.
        let gen = resampleArea(data.generatedDensity, to: pw)
        let dens = resampleLinear(data.dataDensity, to: 2 * pw)
        let disc = resampleLinear(data.discriminator, to: 2 * pw)
        var peak: Float = 0
        for v in gen where v.isFinite { peak = max(peak, v) }
        for v in dens where v.isFinite { peak = max(peak, v) }
        if peak <= 0 { peak = 1 }
        let (ticks, tickStep) = Axis.niceTicks(0, Double(peak), maxCount: min(max(rows / 3 + 1, 3), 5))
        let yTop = Float(ticks[ticks.count - 1])

        // Histogram bars.
        let levels = barLevels(gen, yMax: yTop, rows: rows)
        let bar = theme[.generated]
        for c in 0..<pw {
            for r in 0..<rows {
                if let g = barGlyph(fill: levels[c] - 8 * (rows - 1 - r)) {
                    buffer.set(g, x: px + c, y: top + r, style: bar)
                }
            }
        }

        // Curves: data density solid (layer 0, wins shared cells), D(x) dashed (layer 1).
        var canvas = BrailleCanvas(width: pw, height: rows)
        let dotsH = rows * 4
        func dotY(_ v: Float, _ scale: Float) -> Int {
            dotsH - 1 - Axis.position(Double(v / scale), 0, 1, dotsH)
        }
        canvas.polyline(dens.enumerated().map { $1.isFinite ? ($0, dotY($1, yTop)) : nil }, layer: 0)
        canvas.polyline(disc.enumerated().map { $1.isFinite ? ($0, dotY($1, 1)) : nil }, layer: 1,
                        dash: DashPattern(on: 4, off: 3))
        if let before = data.previousDiscriminator {
            let previous = resampleLinear(before, to: 2 * pw)
            canvas.polyline(previous.enumerated().map { $1.isFinite ? ($0, dotY($1, 1)) : nil }, layer: 2,
                            dash: DashPattern(on: 1, off: 2))
        }
        let under = theme.mode == .none ? TermColor.default : theme[.generatedUnder].bg
        let dataStyle = theme[.data], discStyle = theme[.discriminator], beforeStyle = theme[.hint]
        canvas.forEachCell { cx, cy, glyph, layers in
            var style = layers & 1 != 0 ? dataStyle : (layers & 2 != 0 ? discStyle : beforeStyle)
            if levels[cx] - 8 * (rows - 1 - cy) >= 4 { style = style.with(bg: under) }
            buffer.set(glyph, x: px + cx, y: top + cy, style: style)
        }

        // Left density axis, right D(x) axis.
        let axis = theme[.axis]
        for r in 0..<rows {
            buffer.set("│", x: px - 1, y: top + r, style: axis)
            buffer.set("│", x: px + pw, y: top + r, style: axis)
        }
        for (t, label) in zip(ticks, Axis.labels(ticks, step: tickStep)) {
            let r = dotY(Float(t), yTop) / 4
            buffer.set("┤", x: px - 1, y: top + r, style: axis)
            let text = String(label.prefix(leftWidth - 1))
            buffer.put(text, x: px - 1 - text.count, y: top + r, style: theme[.label])
        }
        for (v, label) in (rows >= 3 ? [(1, "1.0"), (0.5, "0.5"), (0, "0.0")] : [(1, "1.0"), (0, "0.0")]) {
            let r = dotY(Float(v), 1) / 4
            buffer.set("├", x: px + pw, y: top + r, style: axis)
            buffer.put(label, x: px + pw + 1, y: top + r, style: discStyle, maxX: inner.maxX)
        }

        // x axis with embedded labels, the z→G(z) strip, and the z line.
        let axisRow = top + rows
        let (xt, xStep) = Axis.niceTicks(xMin, xMax, maxCount: max(5, pw / 10))
        let inRange = xt.filter { $0 >= xMin - 1e-9 && $0 <= xMax + 1e-9 }
        let xCols = inRange.map { min(max(Int(($0 - xMin) / (xMax - xMin) * Double(pw)), 0), pw - 1) }
        drawAxisLine(row: axisRow, px: px, pw: pw, name: "x", corners: ("└", "┘"),
                     labels: Array(zip(xCols, Axis.labels(inRange, step: xStep))), into: &buffer, theme: theme)
        var lines = BrailleCanvas(width: pw, height: strip)
        var zCols: [Int] = []
        for p in data.mapping where p.x.isFinite && p.z.isFinite {
            let xd = min(max(Int((Double(p.x) - xMin) / (xMax - xMin) * Double(2 * pw)), 0), 2 * pw - 1)
            let zd = Axis.position(Double(p.z), -1, 1, 2 * pw)
            lines.line(xd, 0, zd, strip * 4 - 1)
            zCols.append(zd / 2)
        }
        let mapStyle = theme[.mapping]
        lines.forEachCell { cx, cy, glyph, _ in buffer.set(glyph, x: px + cx, y: axisRow + 1 + cy, style: mapStyle) }
        drawPushArrows(data.mapping, row: axisRow + 1, px: px, pw: pw, xMin: xMin, xMax: xMax, into: &buffer, theme: theme)
        let zRow = axisRow + 1 + strip
        drawAxisLine(row: zRow, px: px, pw: pw, name: "z", corners: (" ", " "),
                     labels: [(0, "-1"), (pw / 2, "0"), (pw - 1, "1")], into: &buffer, theme: theme)
        for c in zCols where buffer[px + c, zRow].glyph == "─" { buffer.set("┴", x: px + c, y: zRow, style: mapStyle) }
    }

    /// Arrows beside every other mapping sample, just under the x axis: the way G's gradient
    /// moves that sample (D's push). Pushes under 5 % of the largest are left out as noise.
    static func drawPushArrows(_ mapping: [MappingPoint], row: Int, px: Int, pw: Int, xMin: Double, xMax: Double,
                               into buffer: inout CellBuffer, theme: Theme) {
        let shown = mapping.enumerated().filter { $0.offset % 2 == 0 && $0.element.x.isFinite && $0.element.push.isFinite }.map(\.element)
        let largest = shown.map { abs($0.push) }.max() ?? 0
        guard largest > 0 else { return }
        let style = theme[.push]
        for p in shown where abs(p.push) >= 0.05 * largest {
            let c = Int((Double(p.x) - xMin) / (xMax - xMin) * Double(pw))
            guard (0 ..< pw).contains(c) else { continue }
            let right = p.push > 0
            let col = min(max(c + (right ? 1 : -1), 0), pw - 1)
            buffer.set(right ? "→" : "←", x: px + col, y: row, style: style)
        }
    }

    /// A horizontal axis line across the plot with its name in the left margin and labels
    /// embedded in the line, centred on their columns and kept one cell apart.
    static func drawAxisLine(row: Int, px: Int, pw: Int, name: String, corners: (Unicode.Scalar, Unicode.Scalar),
                             labels: [(Int, String)], into buffer: inout CellBuffer, theme: Theme) {
        let axis = theme[.axis]
        buffer.put(name, x: px - 2, y: row, style: theme[.label])
        buffer.set(corners.0, x: px - 1, y: row, style: axis)
        buffer.set(corners.1, x: px + pw, y: row, style: axis)
        for x in px..<px + pw { buffer.set("─", x: x, y: row, style: axis) }
        var end = px - 1
        for (col, label) in labels {
            let w = label.unicodeScalars.count
            let lx = min(max(px + col - w / 2, px), px + pw - w)
            guard lx > end else { continue }
            end = buffer.put(label, x: lx, y: row, style: theme[.label], maxX: px + pw)
        }
    }

    // MARK: - Bars and resampling

    /// Bar heights in eighths of a cell for densities on a [0, yMax] scale over `rows` rows.
    public static func barLevels(_ values: [Float], yMax: Float, rows: Int) -> [Int] {
        values.map { v in
            guard v.isFinite, yMax > 0 else { return 0 }
            return min(max(Int((v / yMax * Float(rows * 8)).rounded()), 0), rows * 8)
        }
    }

    /// Lower block element for a cell filled `fill` eighths from the bottom (nil when ≤ 0).
    public static func barGlyph(fill: Int) -> Unicode.Scalar? {
        fill <= 0 ? nil : Unicode.Scalar(0x2580 + UInt32(min(fill, 8)))
    }

    /// Histogram bars as text rows, top to bottom (blank cells as spaces).
    public static func histogramRows(_ values: [Float], yMax: Float, rows: Int) -> [String] {
        let levels = barLevels(values, yMax: yMax, rows: rows)
        return (0..<rows).map { r in
            String(String.UnicodeScalarView(levels.map { barGlyph(fill: $0 - 8 * (rows - 1 - r)) ?? " " }))
        }
    }

    /// Area-weighted resampling of bin values to `count` bins over the same range.
    public static func resampleArea(_ values: [Float], to count: Int) -> [Float] {
        guard values.count != count else { return values }
        guard !values.isEmpty else { return Array(repeating: 0, count: count) }
        return DigitGrid.weights(from: values.count, to: count).map { taps in
            taps.reduce(Float(0)) { $0 + $1.weight * values[$1.index] }
        }
    }

    /// Linear interpolation between bin centres, evaluated at `count` evenly spaced centres.
    public static func resampleLinear(_ values: [Float], to count: Int) -> [Float] {
        let n = values.count
        guard n != count else { return values }
        guard n > 1 else { return Array(repeating: values.first ?? .nan, count: count) }
        return (0..<count).map { j in
            let u = min(max((Float(j) + 0.5) / Float(count) * Float(n) - 0.5, 0), Float(n - 1))
            let i = min(Int(u), n - 2)
            let f = u - Float(i)
            return values[i] * (1 - f) + values[i + 1] * f
        }
    }
}
