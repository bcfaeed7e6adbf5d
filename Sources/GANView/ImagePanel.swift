/// A picture of any size (a torch `make_grid` of 64 digits, an RGB CIFAR grid, gantop's own
/// 4×4 sheet) as the view draws it: 8 bits per channel, 1 (grey) or 3 (RGB) channels.
public struct SampleImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    /// Row-major, `channels` bytes per pixel.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "a sample image has 1 or 3 channels")
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * channels,
                     "sample image pixel count does not match its size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The part a `zoom`× magnifier shows: 1/zoom of each side, centred on (`centerX`, `centerY`)
    /// (fractions of the width and height, kept inside the image). zoom ≤ 1: the whole image.
    public func zoomed(_ zoom: Int, centerX: Double, centerY: Double) -> SampleImage {
        guard zoom > 1, width >= zoom, height >= zoom else { return self }
        let w = max(1, width / zoom), h = max(1, height / zoom)
        let x0 = min(max(Int((centerX * Double(width)).rounded()) - w / 2, 0), width - w)
        let y0 = min(max(Int((centerY * Double(height)).rounded()) - h / 2, 0), height - h)
        var out: [UInt8] = []
        out.reserveCapacity(w * h * channels)
        for y in y0..<y0 + h {
            let start = ((y * width) + x0) * channels
            out.append(contentsOf: pixels[start..<start + w * channels])
        }
        return SampleImage(width: w, height: h, channels: channels, pixels: out)
    }

    /// Every `factor` × `factor` block averaged into one pixel (partial blocks at the right and bottom
    /// edges average what they hold): a huge image made small enough to resample every frame.
    public func reduced(by factor: Int) -> SampleImage {
        guard factor > 1 else { return self }
        let w = (width + factor - 1) / factor, h = (height + factor - 1) / factor
        var sums = [UInt32](repeating: 0, count: w * h * channels), counts = [UInt32](repeating: 0, count: w * h)
        for y in 0..<height {
            let row = (y / factor) * w
            for x in 0..<width {
                let cell = row + x / factor, source = (y * width + x) * channels
                counts[cell] += 1
                for c in 0..<channels { sums[cell * channels + c] += UInt32(pixels[source + c]) }
            }
        }
        var out = [UInt8](repeating: 0, count: w * h * channels)
        for i in 0..<w * h {
            for c in 0..<channels { out[i * channels + c] = UInt8((sums[i * channels + c] + counts[i] / 2) / counts[i]) }
        }
        return SampleImage(width: w, height: h, channels: channels, pixels: out)
    }

    /// The image as one plane per channel in 0…255, for resampling.
    func planes() -> [[Float]] {
        (0..<channels).map { c in
            var plane = [Float](repeating: 0, count: width * height)
            for i in 0..<width * height { plane[i] = Float(pixels[i * channels + c]) }
            return plane
        }
    }
}

/// Draws a `SampleImage` scaled to fit its panel, keeping its aspect ratio (a cell is about twice
/// as tall as wide). With 256 colours: half blocks, two pixels per cell ('▀', upper pixel as the
/// foreground, lower as the background), each pixel the nearest xterm palette colour (greys stay
/// grey). Without: one pixel per cell through the ASCII ramp ` .:-=+*#%@` by luminance.
/// Terminal cells cannot show 24-bit colour through ncurses' colour pairs, so the palette's 240
/// colours are the ceiling.
public enum ImagePanel {
    /// The cells `image` covers inside `width` × `height` cells: the largest size that fits.
    /// Images may be enlarged, but at most `maxUpscale` times (a 28×28 digit need not fill a wall).
    public static let maxUpscale = 4.0

    public static func fittedSize(imageWidth: Int, imageHeight: Int, width: Int, height: Int) -> (width: Int, height: Int) {
        guard imageWidth > 0, imageHeight > 0, width > 0, height > 0 else { return (0, 0) }
        // One cell: 1 pixel wide, 2 pixels tall (half blocks), so image pixels stay square.
        let scale = min(Double(width) / Double(imageWidth), Double(2 * height) / Double(imageHeight), maxUpscale)
        let w = max(1, min(width, Int((Double(imageWidth) * scale).rounded())))
        let h = max(1, min(height, Int((Double(imageHeight) * scale / 2).rounded())))
        return (w, h)
    }

    /// - Parameters:
    ///   - title: the panel's title (tag, step, position while scrubbing).
    ///   - placeholder: what to say when there is no image (yet).
    public static func render(_ image: SampleImage?, title: [Span], placeholder: String, halfBlocks: Bool,
                              into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        let useHalf = halfBlocks && theme.hasGreys
        let legend = image.map { [Span("\($0.width)×\($0.height) \(useHalf ? "half-block" : "ascii")", theme[.hint])] } ?? []
        let inner = Box.draw(into: &buffer, rect: rect, title: title, legend: legend, theme: theme)
        guard !inner.isEmpty else { return }
        guard let image, image.width > 0, image.height > 0 else {
            Box.centered(placeholder, in: inner, into: &buffer, style: theme[.hint])
            return
        }
        let (cw, ch) = fittedSize(imageWidth: image.width, imageHeight: image.height,
                                  width: inner.width, height: inner.height)
        let ox = inner.x + (inner.width - cw) / 2, oy = inner.y + (inner.height - ch) / 2
        let pixelRows = useHalf ? 2 * ch : ch
        let wx = DigitGrid.weights(from: image.width, to: cw), wy = DigitGrid.weights(from: image.height, to: pixelRows)
        let small = image.planes().map {
            DigitGrid.areaAverage($0, width: image.width, height: image.height, wx: wx, wy: wy)
        }
        func colour(_ i: Int) -> TermColor {
            small.count == 3 ? .palette(Palette256.nearest(small[0][i], small[1][i], small[2][i]))
                : .palette(Palette256.nearestGrey(small[0][i]))
        }
        for cy in 0..<ch {
            for cx in 0..<cw {
                if useHalf {
                    buffer[ox + cx, oy + cy] = Cell("▀", fg: colour(2 * cy * cw + cx), bg: colour((2 * cy + 1) * cw + cx))
                } else {
                    let i = cy * cw + cx
                    let luma = small.count == 3 ? 0.299 * small[0][i] + 0.587 * small[1][i] + 0.114 * small[2][i] : small[0][i]
                    buffer[ox + cx, oy + cy] = Cell(DigitGrid.rampGlyph(luma / 127.5 - 1))
                }
            }
        }
    }
}

/// The xterm 256-colour palette's colour cube (16–231) and grey ramp (232–255), and the nearest
/// entry to an 8-bit colour.
public enum Palette256 {
    /// The cube's six levels per channel.
    public static let cubeLevels: [Float] = [0, 95, 135, 175, 215, 255]

    /// Grey ramp entry k (palette 232 + k) is 8 + 10k.
    static func rampGrey(_ k: Int) -> Float { Float(8 + 10 * k) }

    /// The palette index nearest to (r, g, b), each in 0…255, by squared distance.
    public static func nearest(_ r: Float, _ g: Float, _ b: Float) -> UInt8 {
        let ri = cubeIndex(r), gi = cubeIndex(g), bi = cubeIndex(b)
        let cube = UInt8(16 + 36 * ri + 6 * gi + bi)
        let cubeError = square(r - cubeLevels[ri]) + square(g - cubeLevels[gi]) + square(b - cubeLevels[bi])
        let mean = (r + g + b) / 3
        let k = greyIndex(mean)
        let grey = rampGrey(k)
        let greyError = square(r - grey) + square(g - grey) + square(b - grey)
        return greyError < cubeError ? UInt8(232 + k) : cube
    }

    /// The palette index nearest to grey `v` (0…255): the ramp, or the cube's black and white.
    public static func nearestGrey(_ v: Float) -> UInt8 { nearest(v, v, v) }

    static func cubeIndex(_ v: Float) -> Int {
        var best = 0
        for (i, level) in cubeLevels.enumerated() where abs(v - level) < abs(v - cubeLevels[best]) { best = i }
        return best
    }

    static func greyIndex(_ v: Float) -> Int {
        guard v.isFinite else { return 0 }
        return min(max(Int(((v - 8) / 10).rounded()), 0), 23)
    }

    private static func square(_ x: Float) -> Float { x * x }
}
