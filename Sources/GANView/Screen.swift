/// What the user toggled in the UI.
public struct ViewOptions: Sendable, Hashable {
    public var helpVisible: Bool
    /// Half-block grey digits (needs 256 colours; ASCII otherwise).
    public var unicodeDigits: Bool
    /// EMA-smoothed loss curves.
    public var smoothing: Bool

    public init(helpVisible: Bool = false, unicodeDigits: Bool = true, smoothing: Bool = false) {
        self.helpVisible = helpVisible
        self.unicodeDigits = unicodeDigits
        self.smoothing = smoothing
    }
}

/// Where each panel goes for a terminal size.
public struct ScreenLayout: Sendable, Hashable {
    public var tooSmall: Bool
    public var status: Rect
    public var lossChart: Rect
    public var gan1D: Rect
    public var digits: Rect
    /// The quality meter's panel: beside the 1-D panel on wide terminals, absent (zero) otherwise.
    public var quality: Rect = .zero
    public var keyHints: Rect
}

/// Composes the whole screen: status (2 rows) on top, key hints on the bottom row, and between
/// them — wide terminals (≥ 120 columns): loss chart and digit grid side by side over a
/// full-width 1-D panel; narrower ones: loss chart over 1-D panel on the left, digits on the
/// right. The digit panel is sized to the largest digits its height allows (≤ half the width).
public enum Screen {
    public static let minimumWidth = 80
    public static let minimumHeight = 24
    public static let wideWidth = 120
    /// From this width on, the quality panel sits beside the 1-D panel.
    public static let qualityMinimumScreenWidth = 140

    public static func layout(width: Int, height: Int) -> ScreenLayout {
        guard width >= minimumWidth, height >= minimumHeight else {
            return ScreenLayout(tooSmall: true, status: .zero, lossChart: .zero, gan1D: .zero,
                                digits: .zero, keyHints: .zero)
        }
        let status = Rect(x: 0, y: 0, width: width, height: 2)
        let keyHints = Rect(x: 0, y: height - 1, width: width, height: 1)
        let top = status.maxY, bodyHeight = height - 3
        if width >= wideWidth {
            let g1dHeight = min(max(bodyHeight * 32 / 100, 12), 18)
            let upper = bodyHeight - g1dHeight
            let digitsWidth = min(DigitGrid.panelWidth(forHeight: upper), width / 2)
            // The quality panel takes the bottom-right corner once the 1-D panel can spare it.
            let qualityWidth = width >= qualityMinimumScreenWidth ? QualityPanel.preferredWidth : 0
            return ScreenLayout(
                tooSmall: false, status: status,
                lossChart: Rect(x: 0, y: top, width: width - digitsWidth, height: upper),
                gan1D: Rect(x: 0, y: top + upper, width: width - qualityWidth, height: g1dHeight),
                digits: Rect(x: width - digitsWidth, y: top, width: digitsWidth, height: upper),
                quality: Rect(x: width - qualityWidth, y: top + upper, width: qualityWidth, height: qualityWidth > 0 ? g1dHeight : 0),
                keyHints: keyHints)
        }
        let digitsWidth = min(DigitGrid.panelWidth(forHeight: bodyHeight), width / 2)
        let left = width - digitsWidth
        let lossHeight = bodyHeight * 45 / 100
        return ScreenLayout(
            tooSmall: false, status: status,
            lossChart: Rect(x: 0, y: top, width: left, height: lossHeight),
            gan1D: Rect(x: 0, y: top + lossHeight, width: left, height: bodyHeight - lossHeight),
            digits: Rect(x: left, y: top, width: digitsWidth, height: bodyHeight),
            keyHints: keyHints)
    }

    /// The bin count the 1-D panel draws exactly at this terminal size (0 when too small).
    /// The model side should sample `Gan1DPanelData` on this many bins.
    public static func gan1DBinCount(width: Int, height: Int) -> Int {
        let l = layout(width: width, height: height)
        return l.tooSmall ? 0 : Gan1DPanel.binCount(forWidth: l.gan1D.width)
    }

    /// Renders a fresh buffer of `width` × `height`.
    public static func render(_ snapshot: FrameSnapshot, options: ViewOptions, width: Int, height: Int,
                              colorMode: ColorMode) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        render(snapshot, options: options, colorMode: colorMode, into: &buffer)
        return buffer
    }

    /// Renders into an existing buffer at its current size (no reallocation). Resize it with
    /// `CellBuffer.resize(width:height:)` when the terminal changes size.
    public static func render(_ snapshot: FrameSnapshot, options: ViewOptions, colorMode: ColorMode,
                              into buffer: inout CellBuffer) {
        let l = layout(width: buffer.width, height: buffer.height)
        if l.tooSmall {
            TooSmall.render(into: &buffer)
            return
        }
        buffer.clear()
        let theme = themes[colorMode] ?? Theme(mode: colorMode)
        StatusBar.render(snapshot, into: &buffer, rect: l.status, theme: theme)
        LossChart.render(snapshot.history, smoothing: options.smoothing, into: &buffer, rect: l.lossChart, theme: theme)
        // Scrubbed back: the grid and the 1-D panel show a recorded step, titled as such.
        let past = snapshot.shownFrame
        DigitGrid.render(past?.digits ?? snapshot.digits, halfBlocks: options.unicodeDigits, into: &buffer,
                         rect: l.digits, theme: theme, note: past == nil ? snapshot.digitsNote : nil, historyStep: past?.step)
        Gan1DPanel.render(past.map(\.gan1d) ?? snapshot.gan1d, into: &buffer, rect: l.gan1D, theme: theme,
                          historyStep: past?.step)
        if !l.quality.isEmpty { QualityPanel.render(snapshot.quality, into: &buffer, rect: l.quality, theme: theme) }
        StatusBar.renderKeyHints(into: &buffer, rect: l.keyHints, theme: theme)
        if options.helpVisible { HelpOverlay.render(into: &buffer, rect: buffer.bounds, theme: theme) }
    }

    private static let themes: [ColorMode: Theme] = Dictionary(
        uniqueKeysWithValues: ColorMode.allCases.map { ($0, Theme(mode: $0)) })
}
