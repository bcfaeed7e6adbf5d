/// A canvas of braille dots: each cell is 2 dots wide and 4 dots tall (U+2800–U+28FF).
/// Dot (0, 0) is the top-left dot of cell (0, 0). Each dot also records which layers
/// (up to 8 series, bit `1 << layer`) touched its cell, so panels can colour shared cells.
public struct BrailleCanvas: Sendable {
    public let width: Int
    public let height: Int
    public var dotWidth: Int { width * 2 }
    public var dotHeight: Int { height * 4 }

    private var bits: [UInt8]
    private var layerMasks: [UInt8]

    /// Bit for dot (column, row) inside a cell: dots 1,2,3,7 are the left column top→bottom
    /// (0x01, 0x02, 0x04, 0x40); dots 4,5,6,8 the right column (0x08, 0x10, 0x20, 0x80).
    public static let dotBits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        bits = Array(repeating: 0, count: self.width * self.height)
        layerMasks = bits
    }

    /// The braille character with exactly the dots in `bits`.
    public static func glyph(_ bits: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(0x2800 + UInt32(bits))!
    }

    /// Sets dot (x, y); dots outside the canvas are ignored.
    public mutating func set(x: Int, y: Int, layer: Int = 0) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let i = (y >> 2) * width + (x >> 1)
        bits[i] |= Self.dotBits[x & 1][y & 3]
        layerMasks[i] |= UInt8(1 << (layer & 7))
    }

    /// Whether dot (x, y) is set.
    public func isSet(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return false }
        return bits[(y >> 2) * width + (x >> 1)] & Self.dotBits[x & 1][y & 3] != 0
    }

    /// Bresenham line from (x0, y0) to (x1, y1), both ends included. With a `dash`, dots are
    /// drawn only while the pattern is "on"; the pattern carries on across calls (polylines).
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, layer: Int = 0,
                              dash: inout DashPattern) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            if dash.advance() { set(x: x, y: y, layer: layer) }
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Solid Bresenham line.
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, layer: Int = 0) {
        var solid = DashPattern.solid
        line(x0, y0, x1, y1, layer: layer, dash: &solid)
    }

    /// Connects consecutive points; a nil point breaks the line. The pattern runs across the
    /// whole polyline, and the shared end point of two segments is drawn only once.
    public mutating func polyline(_ points: [(x: Int, y: Int)?], layer: Int = 0,
                                  dash: DashPattern = .solid) {
        var pattern = dash
        var previous: (x: Int, y: Int)? = nil
        for p in points {
            guard let p else { previous = nil; continue }
            if let q = previous {
                if q.x != p.x || q.y != p.y {
                    // Start one step past q so q is not counted twice by the dash pattern.
                    let (sx, sy) = Self.firstStep(from: q, to: p)
                    line(sx, sy, p.x, p.y, layer: layer, dash: &pattern)
                }
            } else if pattern.advance() {
                set(x: p.x, y: p.y, layer: layer)
            }
            previous = p
        }
    }

    /// The cell's glyph, or nil when it has no dots.
    public func glyph(column: Int, row: Int) -> Unicode.Scalar? {
        let b = bits[row * width + column]
        return b == 0 ? nil : Self.glyph(b)
    }

    /// Bit set of the layers that put dots into the cell.
    public func layers(column: Int, row: Int) -> UInt8 { layerMasks[row * width + column] }

    /// Calls `body` for every cell that has dots: (column, row, glyph, layer mask).
    public func forEachCell(_ body: (Int, Int, Unicode.Scalar, UInt8) -> Void) {
        for row in 0..<height {
            for column in 0..<width {
                let b = bits[row * width + column]
                if b != 0 { body(column, row, Self.glyph(b), layerMasks[row * width + column]) }
            }
        }
    }

    /// Rows of glyphs, blank cells as spaces (for tests).
    public func rows() -> [String] {
        (0..<height).map { row in
            String(String.UnicodeScalarView((0..<width).map { glyph(column: $0, row: row) ?? " " }))
        }
    }

    private static func firstStep(from q: (x: Int, y: Int), to p: (x: Int, y: Int)) -> (Int, Int) {
        let dx = abs(p.x - q.x), dy = -abs(p.y - q.y)
        let e2 = 2 * (dx + dy)
        var x = q.x, y = q.y
        if e2 >= dy { x += q.x < p.x ? 1 : -1 }
        if e2 <= dx { y += q.y < p.y ? 1 : -1 }
        return (x, y)
    }
}

/// An on/off dot pattern for dashed lines: `on` dots drawn, then `off` dots skipped.
public struct DashPattern: Sendable, Hashable {
    public var on: Int
    public var off: Int
    private var counter = 0

    public init(on: Int, off: Int) {
        self.on = max(1, on)
        self.off = max(0, off)
    }

    public static let solid = DashPattern(on: 1, off: 0)

    /// Whether the next dot is drawn; advances the pattern.
    public mutating func advance() -> Bool {
        let drawn = counter < on
        counter += 1
        if counter >= on + off { counter = 0 }
        return drawn
    }
}
