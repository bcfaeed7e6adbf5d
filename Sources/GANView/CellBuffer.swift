/// A rectangle of cells; `x`, `y` is the top-left corner.
public struct Rect: Sendable, Hashable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public var description: String { "(\(x),\(y) \(width)×\(height))" }

    /// Shrunk by `n` on every side (a box's interior for n = 1).
    public func inset(_ n: Int) -> Rect {
        Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n)
    }

    public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }
}

/// One changed cell reported by `CellBuffer.changes(from:)`.
public struct CellChange: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var cell: Cell
    public init(x: Int, y: Int, cell: Cell) {
        self.x = x
        self.y = y
        self.cell = cell
    }
}

/// A width × height grid of cells, row-major. All drawing clips to the buffer (and to an
/// optional right edge), so panels can never write outside their screen.
public struct CellBuffer: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Reading outside the buffer gives a blank cell; writing outside is ignored.
    public subscript(x: Int, y: Int) -> Cell {
        get {
            guard x >= 0, x < width, y >= 0, y < height else { return .blank }
            return cells[y * width + x]
        }
        set {
            guard x >= 0, x < width, y >= 0, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Makes the buffer `width` × `height`, reusing its storage, and blanks it.
    public mutating func resize(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        let n = self.width * self.height
        if cells.count > n { cells.removeLast(cells.count - n) }
        clear()
        if cells.count < n { cells.append(contentsOf: repeatElement(.blank, count: n - cells.count)) }
    }

    /// Blanks every cell.
    public mutating func clear(with cell: Cell = .blank) {
        for i in cells.indices { cells[i] = cell }
    }

    /// Sets every cell of `rect` (clipped) to `cell`.
    public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        let x0 = max(rect.x, 0), x1 = min(rect.maxX, width)
        let y0 = max(rect.y, 0), y1 = min(rect.maxY, height)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            let row = y * width
            for x in x0..<x1 { cells[row + x] = cell }
        }
    }

    /// Writes `string` from (`x`, `y`), one cell per Unicode scalar, clipped to the buffer and
    /// to `maxX` (exclusive). Control characters become spaces. Returns the x after the text.
    @discardableResult
    public mutating func put(_ string: String, x: Int, y: Int, style: CellStyle = .plain,
                             maxX: Int? = nil) -> Int {
        let limit = min(maxX ?? width, width)
        var cx = x
        guard y >= 0, y < height else { return x + string.unicodeScalars.count }
        for scalar in string.unicodeScalars {
            if cx >= limit { break }
            if cx >= 0 {
                let glyph: Unicode.Scalar = scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar
                cells[y * width + cx] = Cell(glyph, style: style)
            }
            cx += 1
        }
        return cx
    }

    /// Writes styled spans one after another; same clipping as `put(_:x:y:style:maxX:)`.
    @discardableResult
    public mutating func put(_ spans: [Span], x: Int, y: Int, maxX: Int? = nil) -> Int {
        var cx = x
        for span in spans { cx = put(span.text, x: cx, y: y, style: span.style, maxX: maxX) }
        return cx
    }

    /// Sets one glyph with a style (clipped).
    public mutating func set(_ glyph: Unicode.Scalar, x: Int, y: Int, style: CellStyle = .plain) {
        self[x, y] = Cell(glyph, style: style)
    }

    /// Row `y` as plain glyphs, exactly `width` characters.
    public func row(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = String.UnicodeScalarView()
        for x in 0..<width { s.append(cells[y * width + x].glyph) }
        return String(s)
    }

    /// The glyphs as text, rows joined by "\n" (no trailing newline). By default every row keeps
    /// its trailing spaces (exactly `width` characters); `trimmingTrailingSpaces` strips them,
    /// which is what golden strings in tests use.
    public func text(trimmingTrailingSpaces: Bool = false) -> String {
        var lines: [String] = []
        lines.reserveCapacity(height)
        for y in 0..<height {
            var line = row(y)
            if trimmingTrailingSpaces {
                while line.unicodeScalars.last == " " { line.unicodeScalars.removeLast() }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The cells that differ from `previous`, in row-major order. If the sizes differ every
    /// cell is reported (the backend must redraw everything after a resize).
    public func changes(from previous: CellBuffer) -> [CellChange] {
        var out: [CellChange] = []
        let sameSize = previous.width == width && previous.height == height
        for y in 0..<height {
            let row = y * width
            for x in 0..<width {
                let cell = cells[row + x]
                if !sameSize || previous.cells[row + x] != cell {
                    out.append(CellChange(x: x, y: y, cell: cell))
                }
            }
        }
        return out
    }
}
