/// What the terminal can show.
public enum ColorMode: Sendable, Hashable, CaseIterable {
    /// No colours: everything in the default colours, emphasis through attributes only.
    case none
    /// The 8 basic ANSI colours.
    case basic8
    /// The 256-colour palette (needed for grey half-block digits).
    case palette256
}

/// Semantic roles; panels ask the theme for a role, never for a colour.
public enum Role: Int, Sendable, CaseIterable {
    case title, border, axis, label, value
    case dLoss, gLoss, bothLosses
    case generated, generatedUnder, data, discriminator, mapping
    /// The 1-D panel's arrows: which way G's gradient moves a sample.
    case push
    case running, paused, stepping, diverged
    case warning, message, key, hint, statusBar
}

/// Maps roles to styles for one `ColorMode`. Lookups are an array index.
public struct Theme: Sendable {
    public let mode: ColorMode
    private let styles: [CellStyle]

    public init(mode: ColorMode) {
        self.mode = mode
        styles = Role.allCases.map { Theme.style(for: $0, mode: mode) }
    }

    public subscript(role: Role) -> CellStyle { styles[role.rawValue] }

    /// The style of line `index` on a chart of several series: 0 is D's loss colour, 1 G's, then
    /// others (cycling). Without colours: plain and bold alternate (dashes tell overlays apart).
    public func series(_ index: Int) -> CellStyle {
        let i = max(index, 0)
        if i == 0 { return self[.dLoss] }
        if i == 1 { return self[.gLoss] }
        switch mode {
        case .none: return i % 2 == 0 ? .plain : CellStyle(attributes: .bold)
        case .basic8:
            let colours: [TermColor] = [.magenta, .yellow, .red, .cyan, .white]
            return CellStyle(fg: colours[(i - 2) % colours.count], attributes: .bold)
        case .palette256:
            let colours: [UInt8] = [213, 221, 203, 117, 250, 141]
            return CellStyle(fg: .palette(colours[(i - 2) % colours.count]))
        }
    }

    /// True when the 24 palette greys are available (half-block digits).
    public var hasGreys: Bool { mode == .palette256 }

    /// Style for a trainer state word.
    public func style(for state: TrainerState) -> CellStyle {
        switch state {
        case .running: return self[.running]
        case .paused: return self[.paused]
        case .stepping: return self[.stepping]
        case .diverged: return self[.diverged]
        }
    }

    private static func style(for role: Role, mode: ColorMode) -> CellStyle {
        switch mode {
        case .none: return mono(role)
        case .basic8: return basic(role)
        case .palette256: return rich(role)
        }
    }

    private static func mono(_ role: Role) -> CellStyle {
        switch role {
        case .title, .value, .gLoss, .bothLosses, .key, .warning, .push: return CellStyle(attributes: .bold)
        case .discriminator, .hint: return CellStyle(attributes: .dim)
        case .running, .diverged: return CellStyle(attributes: [.reverse, .bold])
        case .paused, .stepping: return CellStyle(attributes: .reverse)
        default: return .plain
        }
    }

    private static func basic(_ role: Role) -> CellStyle {
        switch role {
        case .title, .value: return CellStyle(attributes: .bold)
        case .dLoss, .discriminator: return CellStyle(fg: .blue, attributes: .bold)
        case .gLoss: return CellStyle(fg: .green, attributes: .bold)
        case .bothLosses: return CellStyle(fg: .cyan, attributes: .bold)
        case .generated, .mapping: return CellStyle(fg: .green)
        case .push: return CellStyle(fg: .magenta, attributes: .bold)
        case .generatedUnder: return CellStyle(bg: .green)
        case .running: return CellStyle(fg: .black, bg: .green, attributes: .bold)
        case .paused: return CellStyle(fg: .black, bg: .yellow, attributes: .bold)
        case .stepping: return CellStyle(fg: .black, bg: .cyan, attributes: .bold)
        case .diverged: return CellStyle(fg: .white, bg: .red, attributes: .bold)
        case .warning: return CellStyle(fg: .red, attributes: .bold)
        case .key: return CellStyle(fg: .yellow, attributes: .bold)
        default: return .plain
        }
    }

    private static func rich(_ role: Role) -> CellStyle {
        func p(_ i: UInt8) -> TermColor { .palette(i) }
        switch role {
        case .title: return CellStyle(fg: p(255), attributes: .bold)
        case .border: return CellStyle(fg: p(240))
        case .axis: return CellStyle(fg: p(244))
        case .label: return CellStyle(fg: p(250))
        case .value: return CellStyle(fg: p(255), attributes: .bold)
        case .dLoss: return CellStyle(fg: p(39))
        case .gLoss: return CellStyle(fg: p(77))
        case .bothLosses: return CellStyle(fg: p(51))
        case .generated: return CellStyle(fg: p(71))
        case .generatedUnder: return CellStyle(bg: p(71))
        case .data: return .plain
        case .discriminator: return CellStyle(fg: p(33), attributes: .bold)
        case .mapping: return CellStyle(fg: p(108))
        case .push: return CellStyle(fg: p(213), attributes: .bold)
        case .running: return CellStyle(fg: p(16), bg: p(77), attributes: .bold)
        case .paused: return CellStyle(fg: p(16), bg: p(220), attributes: .bold)
        case .stepping: return CellStyle(fg: p(16), bg: p(45), attributes: .bold)
        case .diverged: return CellStyle(fg: p(231), bg: p(160), attributes: .bold)
        case .warning: return CellStyle(fg: p(203), attributes: .bold)
        case .message: return CellStyle(fg: p(250))
        case .key: return CellStyle(fg: p(221), attributes: .bold)
        case .hint: return CellStyle(fg: p(245))
        case .statusBar: return CellStyle(bg: p(235))
        }
    }
}
