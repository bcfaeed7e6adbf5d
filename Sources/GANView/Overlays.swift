/// The help box drawn over the screen.
public enum HelpOverlay {
    /// Every key the UI understands, as shown in the help box.
    public static let entries: [(keys: String, action: String)] = [
        ("space", "pause / resume training"),
        ("n  .", "single step (while paused; a phase in explain mode)"),
        ("e", "explain mode: one phase per second, explained"),
        ("d  g", "one D / one G update alone (while paused)"),
        ("1 2  3 4", "halve / double the learning rate of D, of G"),
        ("k  K", "fewer / more D steps per G step (0-10)"),
        ("l", "next loss: ns, minimax, least squares"),
        ("o", "optimizer: Adam / SGD"),
        ("b  B", "smaller / larger batch (16-256)"),
        ("-  +", "slower / faster (full, 100, 30, 10, 3, 1 /s)"),
        ("w", "save a checkpoint now"),
        ("t", "cycle the 1-D target distribution"),
        ("h", "toggle ASCII / half-block digits"),
        ("s", "toggle EMA smoothing of the losses"),
        ("[  ]", "digits and 1-D panel: back / forward in time"),
        ("Home  End", "oldest kept step / back to live"),
        ("?", "show / hide this help"),
        ("q  Ctrl-C", "quit"),
    ]

    /// Draws the help box (the trainer's keys, or another screen's `entries`) centred in `rect`,
    /// blanking what is under it.
    public static func render(entries: [(keys: String, action: String)] = entries, into buffer: inout CellBuffer,
                              rect: Rect, theme: Theme) {
        let keyWidth = entries.map { $0.keys.count }.max()! + 3
        let textWidth = keyWidth + entries.map { $0.action.count }.max()!
        let footer = "press ? to close"
        let w = min(textWidth + 6, rect.width), h = min(entries.count + 4, rect.height)
        let box = Rect(x: rect.x + (rect.width - w) / 2, y: rect.y + (rect.height - h) / 2, width: w, height: h)
        buffer.fill(box)
        let inner = Box.draw(into: &buffer, rect: box, title: [Span("Keys", theme[.title])], theme: theme)
        for (i, entry) in entries.enumerated() where 1 + i < inner.height {
            let y = inner.y + 1 + i
            buffer.put(entry.keys, x: inner.x + 2, y: y, style: theme[.key], maxX: inner.maxX)
            buffer.put(entry.action, x: inner.x + 2 + keyWidth, y: y, style: theme[.label], maxX: inner.maxX)
        }
        if inner.height == entries.count + 2 {
            buffer.put(footer, x: inner.maxX - footer.count - 1, y: inner.maxY - 1, style: theme[.hint],
                       maxX: inner.maxX)
        }
    }
}

/// What is shown instead of the UI when the terminal is below the minimum size.
public enum TooSmall {
    public static func message(width: Int, height: Int) -> String {
        "terminal too small (need at least \(Screen.minimumWidth)×\(Screen.minimumHeight), have \(width)×\(height))"
    }

    /// Blanks the buffer and centres the message (split over two lines when it is too wide).
    public static func render(into buffer: inout CellBuffer) {
        buffer.clear()
        let text = message(width: buffer.width, height: buffer.height)
        let bounds = buffer.bounds
        if text.unicodeScalars.count <= buffer.width {
            Box.centered(text, in: bounds, into: &buffer)
            return
        }
        let cut = text.firstIndex(of: "(")!
        let first = String(text[..<cut].dropLast()), second = String(text[cut...])
        let y = bounds.y + (bounds.height - 2) / 2
        Box.centered(first, in: Rect(x: 0, y: y, width: bounds.width, height: 1), into: &buffer)
        Box.centered(second, in: Rect(x: 0, y: y + 1, width: bounds.width, height: 1), into: &buffer)
    }
}
