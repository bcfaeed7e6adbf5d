/// The 16 generated digits in a 4×4 grid, each 28×28 image area-averaged down to the largest
/// size that fits. An image `w` cells wide is `w/2` cells tall (cells are about twice as tall
/// as wide). ASCII mode: one pixel per cell through the ramp ` .:-=+*#%@`. Half-block mode
/// (needs 256 colours, else falls back to ASCII): two pixels per cell, '▀' with the upper pixel
/// as foreground grey and the lower as background grey (palette 232–255).
public enum DigitGrid {
    /// Darkest to brightest: value -1 → ' ', 1 → '@'.
    public static let ramp: [Unicode.Scalar] = Array(" .:-=+*#%@".unicodeScalars)
    public static let gridSide = 4
    /// Blank columns between neighbouring images (rows get one gap row only if there is room).
    public static let gapX = 1

    /// Ramp glyph for a pixel in [-1, 1]: the ramp is split into 10 equal intervals of
    /// t = (v + 1) / 2, so -1 → ' ', 0 → '+', 1 → '@'. Non-finite values are blank.
    public static func rampGlyph(_ v: Float) -> Unicode.Scalar {
        guard v.isFinite else { return " " }
        let t = (v + 1) / 2
        return ramp[min(max(Int(t * 10), 0), ramp.count - 1)]
    }

    /// Grey level 0…23 (palette 232 + level) for a pixel in [-1, 1].
    public static func greyLevel(_ v: Float) -> Int {
        guard v.isFinite else { return 0 }
        return min(max(Int(((v + 1) / 2 * 23).rounded()), 0), 23)
    }

    /// Cells for one image in an interior of `width` × `height`: the largest `h` with 4 images of
    /// `2h` × `h` (plus gaps) fitting; returns (2h, h), possibly (0, 0).
    public static func imageSize(fittingWidth width: Int, height: Int) -> (width: Int, height: Int) {
        let byHeight = height / gridSide
        let byWidth = (width - (gridSide - 1) * gapX) / gridSide / 2
        let h = max(0, min(byHeight, byWidth))
        return (2 * h, h)
    }

    /// Width of the boxed panel that shows the largest digits a panel `height` rows tall allows.
    public static func panelWidth(forHeight height: Int) -> Int {
        let h = max(0, (height - 2) / gridSide)
        return gridSide * 2 * h + (gridSide - 1) * gapX + 2
    }

    /// Exact area (box-filter) resampling of a row-major `width` × `height` image.
    public static func areaAverage(_ image: [Float], width: Int, height: Int,
                                   toWidth: Int, toHeight: Int) -> [Float] {
        let wx = weights(from: width, to: toWidth), wy = weights(from: height, to: toHeight)
        return areaAverage(image, width: width, height: height, wx: wx, wy: wy)
    }

    /// The ASCII rows of one image at `width` × `height` cells (for tests and previews).
    public static func asciiRows(_ image: [Float], width: Int, height: Int) -> [String] {
        let side = FrameSnapshot.digitSide
        let small = areaAverage(image, width: side, height: side, toWidth: width, toHeight: height)
        return (0..<height).map { y in
            String(String.UnicodeScalarView((0..<width).map { rampGlyph(small[y * width + $0]) }))
        }
    }

    /// - Parameters:
    ///   - note: shown after the title (e.g. "changed by phase 3"), highlighted, when there is room.
    ///   - historyStep: the digits are a recorded frame of that step (scrubbing), and the title says so.
    public static func render(_ digits: [[Float]], halfBlocks: Bool, into buffer: inout CellBuffer,
                              rect: Rect, theme: Theme, note: String? = nil, historyStep: Int? = nil) {
        let useHalf = halfBlocks && theme.hasGreys
        let name = [Span("Samples G(z)", theme[.title])], tag = Gan1DPanel.historyTag(historyStep, theme: theme)
        // A narrow panel keeps the history tag whole rather than a clipped step number.
        var title = name.width + tag.width <= rect.width - 4 || tag.isEmpty
            ? name + tag : [Span("step \(Fmt.grouped(historyStep ?? 0)) (history)", theme[.warning])]
        if let note, tag.isEmpty, Span(note, theme[.warning]).width + 20 <= rect.width {
            title += [Span(" · ", theme[.title]), Span(note, theme[.warning])]
        }
        let inner = Box.draw(into: &buffer, rect: rect, title: title,
                             legend: [Span(useHalf ? "half-block" : "ascii", theme[.hint])], theme: theme)
        let (iw, ih) = imageSize(fittingWidth: inner.width, height: inner.height)
        guard ih > 0 else { return }
        let n = gridSide
        let gapY = inner.height >= n * ih + (n - 1) ? 1 : 0
        let gridW = n * iw + (n - 1) * gapX, gridH = n * ih + (n - 1) * gapY
        let ox = inner.x + (inner.width - gridW) / 2, oy = inner.y + (inner.height - gridH) / 2
        let side = FrameSnapshot.digitSide
        let pixelRows = useHalf ? 2 * ih : ih
        let wx = weights(from: side, to: iw), wy = weights(from: side, to: pixelRows)
        for k in 0..<min(digits.count, n * n) where digits[k].count == side * side {
            let small = areaAverage(digits[k], width: side, height: side, wx: wx, wy: wy)
            let x0 = ox + (k % n) * (iw + gapX), y0 = oy + (k / n) * (ih + gapY)
            for cy in 0..<ih {
                for cx in 0..<iw {
                    if useHalf {
                        let top = small[(2 * cy) * iw + cx], bottom = small[(2 * cy + 1) * iw + cx]
                        buffer[x0 + cx, y0 + cy] = Cell("▀", fg: .grey(greyLevel(top)),
                                                        bg: .grey(greyLevel(bottom)))
                    } else {
                        buffer[x0 + cx, y0 + cy] = Cell(rampGlyph(small[cy * iw + cx]))
                    }
                }
            }
        }
    }

    // MARK: - Resampling

    /// For each output index, the source indices it overlaps and their normalised weights.
    static func weights(from n: Int, to m: Int) -> [[(index: Int, weight: Float)]] {
        guard n > 0, m > 0 else { return [] }
        let scale = Double(n) / Double(m)
        return (0..<m).map { i in
            let a = Double(i) * scale, b = Double(i + 1) * scale
            var out: [(index: Int, weight: Float)] = []
            var s = Int(a)
            while s < n && Double(s) < b {
                let overlap = min(b, Double(s + 1)) - max(a, Double(s))
                if overlap > 1e-9 { out.append((s, Float(overlap / scale))) }
                s += 1
            }
            return out
        }
    }

    static func areaAverage(_ image: [Float], width: Int, height: Int,
                            wx: [[(index: Int, weight: Float)]], wy: [[(index: Int, weight: Float)]]) -> [Float] {
        let dw = wx.count, dh = wy.count
        guard image.count >= width * height, dw > 0, dh > 0 else { return [] }
        var tmp = [Float](repeating: 0, count: height * dw)
        for y in 0..<height {
            for (i, taps) in wx.enumerated() {
                var s: Float = 0
                for t in taps { s += t.weight * image[y * width + t.index] }
                tmp[y * dw + i] = s
            }
        }
        var out = [Float](repeating: 0, count: dh * dw)
        for (j, taps) in wy.enumerated() {
            for t in taps {
                for i in 0..<dw { out[j * dw + i] += t.weight * tmp[t.index * dw + i] }
            }
        }
        return out
    }
}
