/// Boxed panels: a light box-drawing frame with a title on the top edge and an optional
/// right-aligned legend on the same edge.
public enum Box {
    /// Draws the frame of `rect` (no-op below 2×2) and returns its interior.
    /// Title and legend are clipped; the legend is dropped if it would touch the title.
    @discardableResult
    public static func draw(into buffer: inout CellBuffer, rect: Rect, title: [Span] = [],
                            legend: [Span] = [], theme: Theme) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return .zero }
        let border = theme[.border]
        let x0 = rect.x, x1 = rect.maxX - 1, y0 = rect.y, y1 = rect.maxY - 1
        for x in x0 + 1..<x1 {
            buffer.set("─", x: x, y: y0, style: border)
            buffer.set("─", x: x, y: y1, style: border)
        }
        for y in y0 + 1..<y1 {
            buffer.set("│", x: x0, y: y, style: border)
            buffer.set("│", x: x1, y: y, style: border)
        }
        buffer.set("┌", x: x0, y: y0, style: border)
        buffer.set("┐", x: x1, y: y0, style: border)
        buffer.set("└", x: x0, y: y1, style: border)
        buffer.set("┘", x: x1, y: y1, style: border)

        var titleEnd = x0 + 1
        if !title.isEmpty, rect.width >= 6 {
            buffer.set(" ", x: x0 + 1, y: y0, style: border)
            titleEnd = buffer.put(title, x: x0 + 2, y: y0, maxX: x1 - 1)
            buffer.set(" ", x: titleEnd, y: y0, style: border)
            titleEnd += 1
        }
        let legendWidth = legend.width
        if legendWidth > 0 {
            let start = x1 - 2 - legendWidth
            if start > titleEnd + 1 {
                buffer.set(" ", x: start - 1, y: y0, style: border)
                buffer.put(legend, x: start, y: y0, maxX: x1 - 1)
                buffer.set(" ", x: x1 - 2, y: y0, style: border)
            }
        }
        return rect.inset(1)
    }

    /// Writes `text` centred in `rect` (vertically in the middle row), clipped.
    public static func centered(_ text: String, in rect: Rect, into buffer: inout CellBuffer,
                                style: CellStyle = .plain) {
        guard !rect.isEmpty else { return }
        let w = text.unicodeScalars.count
        let x = rect.x + max(0, (rect.width - w) / 2)
        buffer.put(text, x: x, y: rect.y + (rect.height - 1) / 2, style: style, maxX: rect.maxX)
    }
}
