/// A terminal colour: the terminal's default, one of the 8 basic ANSI colours, or an index into
/// the 256-colour palette (16–231 colour cube, 232–255 the 24 greys from dark to light).
public enum TermColor: Sendable, Hashable {
    case `default`
    case black, red, green, yellow, blue, magenta, cyan, white
    case palette(UInt8)

    /// ANSI colour number: 0–7 for the basic colours, the palette index for `.palette`,
    /// nil for `.default` (what curses calls -1).
    public var ansiIndex: Int? {
        switch self {
        case .default: return nil
        case .black: return 0
        case .red: return 1
        case .green: return 2
        case .yellow: return 3
        case .blue: return 4
        case .magenta: return 5
        case .cyan: return 6
        case .white: return 7
        case .palette(let i): return Int(i)
        }
    }

    /// One of the 24 palette greys, `level` clamped to 0 (darkest, 232) … 23 (lightest, 255).
    public static func grey(_ level: Int) -> TermColor {
        .palette(UInt8(232 + min(max(level, 0), 23)))
    }
}

/// Text attributes of a cell.
public struct CellAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = CellAttributes(rawValue: 1 << 0)
    public static let dim = CellAttributes(rawValue: 1 << 1)
    public static let reverse = CellAttributes(rawValue: 1 << 2)
    public static let underline = CellAttributes(rawValue: 1 << 3)
}

/// Colours and attributes, without a glyph.
public struct CellStyle: Sendable, Hashable {
    public var fg: TermColor
    public var bg: TermColor
    public var attributes: CellAttributes

    public init(fg: TermColor = .default, bg: TermColor = .default, attributes: CellAttributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    public static let plain = CellStyle()

    /// This style with `bg` if it has no background of its own.
    public func over(_ background: TermColor) -> CellStyle {
        var s = self
        if s.bg == .default { s.bg = background }
        return s
    }

    public func with(fg: TermColor) -> CellStyle {
        var s = self
        s.fg = fg
        return s
    }

    public func with(bg: TermColor) -> CellStyle {
        var s = self
        s.bg = bg
        return s
    }
}

/// One terminal cell: a single-width glyph (one Unicode scalar) with its style.
public struct Cell: Sendable, Hashable {
    public var glyph: Unicode.Scalar
    public var fg: TermColor
    public var bg: TermColor
    public var attributes: CellAttributes

    public init(_ glyph: Unicode.Scalar = " ", fg: TermColor = .default, bg: TermColor = .default,
                attributes: CellAttributes = []) {
        self.glyph = glyph
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    public init(_ glyph: Unicode.Scalar, style: CellStyle) {
        self.init(glyph, fg: style.fg, bg: style.bg, attributes: style.attributes)
    }

    public static let blank = Cell()

    public var style: CellStyle {
        get { CellStyle(fg: fg, bg: bg, attributes: attributes) }
        set {
            fg = newValue.fg
            bg = newValue.bg
            attributes = newValue.attributes
        }
    }
}

/// A run of text in one style, for titles, legends and status fields.
public struct Span: Sendable, Hashable {
    public var text: String
    public var style: CellStyle
    public init(_ text: String, _ style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }

    /// Width in cells (one per Unicode scalar; wide characters are not supported).
    public var width: Int { text.unicodeScalars.count }
}

extension Array where Element == Span {
    /// Total width in cells.
    public var width: Int { reduce(0) { $0 + $1.width } }
}
