/// Where each panel of the watch screen goes.
public struct WatchLayout: Sendable, Hashable {
    public var tooSmall: Bool
    public var status: Rect
    public var chart: Rect
    public var scalars: Rect
    /// The run list: beside the scalar table when there is more than one run, else empty.
    public var runs: Rect
    public var image: Rect
    public var keyHints: Rect
}

/// The `gantop watch` screen: status (2 rows) on top, key hints at the bottom; between them the
/// chart over the scalar table (and the run list) on the left, the sample image on the right,
/// sized for a square image as tall as the body (at most half the width).
public enum WatchScreen {
    public static let runListWidth = 34

    public static func layout(width: Int, height: Int, runCount: Int) -> WatchLayout {
        guard width >= Screen.minimumWidth, height >= Screen.minimumHeight else {
            return WatchLayout(tooSmall: true, status: .zero, chart: .zero, scalars: .zero, runs: .zero,
                               image: .zero, keyHints: .zero)
        }
        let body = height - 3, top = 2
        let imageWidth = min(2 * (body - 2) + 2, width / 2)
        let left = width - imageWidth
        let tableHeight = min(max(body * 30 / 100, 6), 14)
        let chartHeight = body - tableHeight
        let runsWidth = runCount > 1 ? min(runListWidth, left * 2 / 5) : 0
        return WatchLayout(
            tooSmall: false,
            status: Rect(x: 0, y: 0, width: width, height: 2),
            chart: Rect(x: 0, y: top, width: left, height: chartHeight),
            scalars: Rect(x: 0, y: top + chartHeight, width: left - runsWidth, height: tableHeight),
            runs: Rect(x: left - runsWidth, y: top + chartHeight, width: runsWidth, height: runsWidth > 0 ? tableHeight : 0),
            image: Rect(x: left, y: top, width: imageWidth, height: body),
            keyHints: Rect(x: 0, y: height - 1, width: width, height: 1))
    }

    /// Keys of the watch screen, in the help box.
    public static let helpEntries: [(keys: String, action: String)] = [
        ("space", "pause / resume the view (reading goes on)"),
        ("[  ]", "sample image: older / newer (past the newest: live)"),
        ("Home  End", "oldest image kept / back to live"),
        ("z  arrows", "zoom the image 2×, 4×, back; arrows pan while zoomed"),
        ("i", "next image tag (a run logging several)"),
        ("Tab  r R", "next / previous run"),
        ("o", "overlay every run's loss curves"),
        ("p", "scalar picker: ↑ ↓ move, Enter puts a scalar on the chart"),
        ("s", "toggle EMA smoothing of the curves"),
        ("h", "toggle ASCII / half-block image"),
        ("?", "show / hide this help"),
        ("q  Ctrl-C", "quit"),
    ]

    public static let keyHints: [(key: String, action: String)] = [
        ("space", "pause"), ("[ ]", "images"), ("Tab", "run"), ("o", "overlay"), ("p", "scalars"),
        ("s", "smooth"), ("?", "help"), ("q", "quit"), ("z", "zoom"), ("h", "shade"),
    ]

    public static func render(_ frame: WatchFrame, helpVisible: Bool, halfBlocks: Bool, colorMode: ColorMode,
                              into buffer: inout CellBuffer) {
        let l = layout(width: buffer.width, height: buffer.height, runCount: frame.runs.count)
        if l.tooSmall {
            TooSmall.render(into: &buffer)
            return
        }
        buffer.clear()
        let theme = Theme(mode: colorMode)
        WatchStatusBar.render(frame, into: &buffer, rect: l.status, theme: theme)
        var chartTitle = [Span(frame.runs.contains { $0.isOverlaid } ? "Losses · all runs" : "Losses", theme[.title])]
        if frame.smoothed { chartTitle.append(Span(" EMA", theme[.hint])) }
        let placeholder = frame.state == .waiting ? "waiting for scalars…"
            : (frame.dTag == nil && frame.gTag == nil ? "no D/G loss tags found: p picks scalars" : "no points yet")
        ScalarChart.render(frame.series, title: chartTitle, placeholder: placeholder, into: &buffer, rect: l.chart, theme: theme)
        WatchTables.renderScalars(frame, into: &buffer, rect: l.scalars, theme: theme)
        if !l.runs.isEmpty { WatchTables.renderRuns(frame.runs, into: &buffer, rect: l.runs, theme: theme) }
        let shown = frame.image.image.map { $0.zoomed(frame.image.zoom, centerX: frame.image.centerX, centerY: frame.image.centerY) }
        ImagePanel.render(shown, title: imageTitle(frame.image, theme: theme),
                          placeholder: frame.image.placeholder, halfBlocks: halfBlocks, into: &buffer, rect: l.image, theme: theme)
        StatusBar.renderKeyHints(keyHints, into: &buffer, rect: l.keyHints, theme: theme)
        if helpVisible { HelpOverlay.render(entries: helpEntries, into: &buffer, rect: buffer.bounds, theme: theme) }
    }

    /// "samples · step 1,200 · 3/64 (history)".
    static func imageTitle(_ v: ImageView, theme: Theme) -> [Span] {
        var out = [Span(v.tag ?? "Samples", theme[.title])]
        if let step = v.step { out.append(Span(" · step \(Fmt.grouped(step))", theme[.label])) }
        if let position = v.position {
            out.append(Span(" · \(position)/\(v.count)", v.scrubbed ? theme[.warning] : theme[.label]))
            if v.scrubbed { out.append(Span(" (history)", theme[.warning])) }
        }
        if v.zoom > 1 { out.append(Span(" · zoom \(v.zoom)×", theme[.warning])) }
        return out
    }
}

/// The scalar table (the picker) and the run list.
enum WatchTables {
    static func renderScalars(_ frame: WatchFrame, into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        let picking = frame.pickerCursor != nil
        let title = [Span(picking ? "Scalars · ↑↓ Enter: on/off chart · p: done" : "Scalars", theme[picking ? .warning : .title])]
        let inner = Box.draw(into: &buffer, rect: rect, title: title, theme: theme)
        guard inner.height >= 1, inner.width >= 16 else { return }
        guard !frame.scalars.isEmpty else {
            Box.centered("no scalars yet", in: inner, into: &buffer, style: theme[.hint])
            return
        }
        // Mark, tag, value, step; a narrow table gives up the step column before the tag shrinks below 8.
        let valueWidth = 8
        var stepWidth = 7
        if inner.width - 2 - valueWidth - stepWidth < 8 { stepWidth = 0 }
        let tagWidth = max(1, inner.width - 2 - valueWidth - stepWidth - 1)
        // Keep the cursor in view: scroll so it sits on the last visible row when it is below.
        let cursor = frame.pickerCursor ?? 0
        let first = max(0, min(cursor - inner.height + 1, frame.scalars.count - inner.height))
        for (row, i) in (first..<frame.scalars.count).prefix(inner.height).enumerated() {
            let s = frame.scalars[i], y = inner.y + row
            let highlighted = picking && i == cursor
            let base = highlighted ? CellStyle(attributes: .reverse) : theme[.label]
            if highlighted { buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), with: Cell(" ", style: base)) }
            let mark = s.lossRole ?? (s.onChart ? "+" : " ")
            buffer.put(mark, x: inner.x, y: y, style: s.onChart ? theme.series(s.lossRole == "G" ? 1 : 0).over(base.bg) : base)
            buffer.put(StatusBar.truncate(s.tag, to: tagWidth), x: inner.x + 2, y: y, style: base, maxX: inner.x + 2 + tagWidth)
            let value = shortValue(s.value)
            let valueX = inner.x + 2 + tagWidth + 1 + valueWidth - value.count
            buffer.put(value, x: valueX, y: y, style: highlighted ? base : theme[.value], maxX: inner.maxX)
            if stepWidth > 0 {
                let step = "@" + Fmt.compact(Double(s.step))
                buffer.put(step, x: inner.maxX - step.count, y: y, style: highlighted ? base : theme[.hint], maxX: inner.maxX)
            }
        }
    }

    /// A scalar in at most 8 cells: 0.6931, 12.345, 1234.5, 1.23M.
    static func shortValue(_ v: Float) -> String {
        guard v.isFinite else { return Fmt.fixed(v, 0) }
        let a = abs(v)
        if a < 10 { return Fmt.fixed(v, 4) }
        if a < 100 { return Fmt.fixed(v, 3) }
        if a < 10_000 { return Fmt.fixed(v, 1) }
        return Fmt.compact(Double(v))
    }

    static func renderRuns(_ runs: [RunRow], into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        let inner = Box.draw(into: &buffer, rect: rect, title: [Span("Runs \(runs.count)", theme[.title])], theme: theme)
        guard inner.height >= 1, inner.width >= 10 else { return }
        let current = runs.firstIndex { $0.isCurrent } ?? 0
        let first = max(0, min(current - inner.height + 1, runs.count - inner.height))
        for (row, i) in (first..<runs.count).prefix(inner.height).enumerated() {
            let r = runs[i], y = inner.y + row
            let style = r.isCurrent ? theme[.value] : theme[.label]
            buffer.put(r.isCurrent ? "▶" : (r.isOverlaid ? "+" : " "), x: inner.x, y: y, style: theme[.key])
            let state = r.state == .live ? (r.step.map { "@" + Fmt.compact(Double($0)) } ?? "") : r.state.rawValue
            let room = inner.width - 3 - state.count
            buffer.put(StatusBar.truncate(r.name, to: max(1, room)), x: inner.x + 2, y: y, style: style, maxX: inner.maxX)
            buffer.put(state, x: inner.maxX - state.count, y: y,
                       style: r.state == .live ? theme[.hint] : theme[.warning], maxX: inner.maxX)
        }
    }
}

/// The watch screen's status bar: state, run, step, age of the newest event, losses, note.
enum WatchStatusBar {
    static func render(_ f: WatchFrame, into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        let bar = theme[.statusBar]
        buffer.fill(rect, with: Cell(" ", style: bar))
        let label = theme[.label], value = theme[.value]
        func field(_ name: String, _ text: String, _ priority: Int, _ style: CellStyle? = nil) -> StatusBar.Field {
            StatusBar.Field(spans: [Span(name + " ", label), Span(text, style ?? value)], priority: priority)
        }
        var fields = [StatusBar.Field(spans: [Span(" \(f.state.word) ", stateStyle(f.state, theme))], priority: 1000)]
        if !f.runName.isEmpty {
            let position = f.runCount > 1 ? " (\(f.runIndex + 1)/\(f.runCount))" : ""
            fields.append(field("run", StatusBar.truncate(f.runName, to: 40) + position, 95))
        }
        if let step = f.step { fields.append(field("step", Fmt.grouped(step), 90)) }
        if let seconds = f.lastEventAge {
            let silent = f.state == .silent
            fields.append(field("last event", Fmt.age(seconds) + " ago", 85, silent ? theme[.warning] : value))
        }
        if let d = f.dValue { fields.append(field("D", Fmt.fixed(d, 3), 80)) }
        if let g = f.gValue { fields.append(field("G", Fmt.fixed(g, 3), 80)) }
        if !f.sourceKind.isEmpty { fields.append(field("from", f.sourceKind, 30, label)) }
        if !f.logdir.isEmpty { fields.append(field("in", StatusBar.truncate(f.logdir, to: 40), 20, label)) }
        var rows = StatusBar.place(fields, rows: 1, width: rect.width)
        while rows == nil && fields.count > 1 {
            let lowest = fields.indices.dropFirst().min { fields[$0].priority < fields[$1].priority }!
            fields.remove(at: lowest)
            rows = StatusBar.place(fields, rows: 1, width: rect.width)
        }
        var x = rect.x
        for (k, i) in (rows?.first ?? [0]).enumerated() {
            if k > 0 { x = buffer.put(StatusBar.separator, x: x, y: rect.y, style: bar, maxX: rect.maxX) }
            x = buffer.put(fields[i].spans.map { Span($0.text, $0.style.over(bar.bg)) }, x: x, y: rect.y, maxX: rect.maxX)
        }
        // Second row: why the state is what it is, then the newest warning.
        guard rect.height > 1 else { return }
        var second: [Span] = []
        if !f.note.isEmpty {
            second.append(Span(f.note, (f.state == .live ? theme[.message] : theme[.warning]).over(bar.bg)))
        }
        if !f.message.isEmpty {
            if !second.isEmpty { second.append(Span("  ", bar)) }
            second.append(Span(f.message, theme[.warning].over(bar.bg)))
        }
        var cx = rect.x
        for span in second {
            cx = buffer.put(StatusBar.truncate(span.text, to: max(0, rect.maxX - cx)), x: cx, y: rect.y + 1,
                            style: span.style, maxX: rect.maxX)
        }
    }

    static func stateStyle(_ state: WatchState, _ theme: Theme) -> CellStyle {
        switch state {
        case .live: theme.style(for: .running)
        case .paused, .silent: theme.style(for: .paused)
        case .waiting, .restarted: theme.style(for: .stepping)
        case .error: theme.style(for: .diverged)
        }
    }
}

extension Fmt {
    /// "4s", "2m 05s", "1h 03m", "2d 4h".
    public static func age(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.isFinite ? seconds : 0))
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(two(s % 60))s" }
        if s < 86400 { return "\(s / 3600)h \(two(s % 3600 / 60))m" }
        return "\(s / 86400)d \(s % 86400 / 3600)h"
    }
}
