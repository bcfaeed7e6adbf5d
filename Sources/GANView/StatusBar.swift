/// The status line(s) at the top and the key hint line at the bottom.
///
/// Fields flow left to right over the available rows (never wrapping inside a field); when they
/// do not fit, labels are abbreviated, then the least important fields are dropped. The last
/// message takes what is left of the last row, truncated with "…".
public enum StatusBar {
    /// The keys shown in the hint line, in order.
    public static let keyHints: [(key: String, action: String)] = [
        ("space", "pause"), ("n", "step"), ("w", "save"), ("t", "target"),
        ("h", "shade"), ("s", "smooth"), ("?", "help"), ("q", "quit"),
        // Shown where the bar is wide enough (the essentials above fit 80 columns).
        ("e", "explain"), ("[ ]", "rewind"), ("d g", "D/G alone"), ("l o b", "loss/opt/batch"),
    ]

    /// "space pause  n step  w save  t target  h shade  s smooth  ? help  q quit  e explain  …"
    public static var keyHintText: String {
        keyHints.map { "\($0.key) \($0.action)" }.joined(separator: "  ")
    }

    static let separator = "  "

    /// Fields at or below this priority are dropped before the others abbreviate.
    static let optionalPriority = 20

    struct Field {
        var spans: [Span]
        var priority: Int
        var width: Int { spans.width }
    }

    /// Renders the status fields and message into `rect` (one or more rows).
    public static func render(_ s: FrameSnapshot, into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        guard !rect.isEmpty else { return }
        let bar = theme[.statusBar]
        buffer.fill(rect, with: Cell(" ", style: bar))
        // A message (e.g. "saved …", "lr_d … → …") answers the key just pressed, so it keeps
        // some room: fields abbreviate, then the least important go, before it is squeezed out.
        let reserve = min(s.message.unicodeScalars.count, rect.width / 3)
        var fields = makeFields(s, theme: theme, short: false)
        var rows = place(fields, rows: rect.height, width: rect.width, reserve: reserve)
        // Fields that only restate a default (e.g. "model mlp") go before anything abbreviates.
        let essential = { (fields: [Field]) in fields.filter { $0.priority > optionalPriority } }
        if rows == nil {
            fields = essential(fields)
            rows = place(fields, rows: rect.height, width: rect.width, reserve: reserve)
        }
        if rows == nil {
            fields = essential(makeFields(s, theme: theme, short: true))
            rows = place(fields, rows: rect.height, width: rect.width, reserve: reserve)
        }
        while rows == nil && fields.count > 1 {
            let lowest = fields.indices.dropFirst().min { fields[$0].priority < fields[$1].priority }!
            fields.remove(at: lowest)
            rows = place(fields, rows: rect.height, width: rect.width, reserve: reserve)
        }
        let placed = rows ?? [[0]]
        var lastEnd = rect.x
        for (r, indices) in placed.enumerated() {
            var x = rect.x
            for (k, i) in indices.enumerated() {
                if k > 0 { x = buffer.put(separator, x: x, y: rect.y + r, style: bar, maxX: rect.maxX) }
                let spans = fields[i].spans.map { Span($0.text, $0.style.over(bar.bg)) }
                x = buffer.put(spans, x: x, y: rect.y + r, maxX: rect.maxX)
            }
            if r == rect.height - 1 || r == placed.count - 1 { lastEnd = x }
        }
        // The message goes on the last row used: a fresh row if one is free, else after the fields.
        guard !s.message.isEmpty else { return }
        let row: Int
        let x: Int
        if placed.count < rect.height {
            row = placed.count
            x = rect.x
        } else {
            row = rect.height - 1
            x = lastEnd + separator.count
        }
        let room = rect.maxX - x
        guard room >= min(12, s.message.unicodeScalars.count) else { return }
        let lower = s.message.lowercased()
        let role: Role = lower.contains("error") || lower.contains("fail") || lower.contains("diverge")
            ? .warning : .message
        buffer.put(truncate(s.message, to: room), x: x, y: rect.y + row,
                   style: theme[role].over(bar.bg), maxX: rect.maxX)
    }

    /// Renders the key hint line (the trainer's, or another screen's `hints`) into the first row of `rect`.
    public static func renderKeyHints(_ hints: [(key: String, action: String)] = keyHints, into buffer: inout CellBuffer,
                                      rect: Rect, theme: Theme) {
        guard !rect.isEmpty else { return }
        let bar = theme[.statusBar]
        buffer.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), with: Cell(" ", style: bar))
        var x = rect.x
        for (i, hint) in hints.enumerated() {
            let w = (i > 0 ? separator.count : 0) + hint.key.count + 1 + hint.action.count
            if x + w > rect.maxX { break }
            if i > 0 { x = buffer.put(separator, x: x, y: rect.y, style: bar) }
            x = buffer.put(hint.key, x: x, y: rect.y, style: theme[.key].over(bar.bg))
            x = buffer.put(" " + hint.action, x: x, y: rect.y, style: theme[.hint].over(bar.bg))
        }
    }

    /// A learning rate as short as it reads: 2e-4, 1e-4, 5e-5, 2.5e-5 (halving and doubling
    /// from the default only ever needs a few significant digits).
    static func learningRate(_ x: Float) -> String {
        guard x.isFinite && x > 0 else { return Fmt.fixed(x, 1) }
        var exponent = 0, mantissa = Double(x)
        while mantissa >= 10 { mantissa /= 10; exponent += 1 }
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        mantissa = (mantissa * 100).rounded() / 100
        if mantissa >= 10 { mantissa /= 10; exponent += 1 }
        var digits = String(mantissa)
        if digits.hasSuffix(".0") { digits.removeLast(2) }
        return exponent == 0 ? digits : "\(digits)e\(exponent)"
    }

    /// `text` cut to `width` cells, ending in "…" when cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > width else { return text }
        guard width > 1 else { return width == 1 ? "…" : "" }
        return String(String.UnicodeScalarView(scalars.prefix(width - 1))) + "…"
    }

    /// Greedy row filling; nil when the fields need more rows than available, or fill them all
    /// and leave less than `reserve` cells (after a separator) at the end of the last row.
    static func place(_ fields: [Field], rows: Int, width: Int, reserve: Int = 0) -> [[Int]]? {
        var result: [[Int]] = [[]]
        var used = 0
        for (i, f) in fields.enumerated() {
            let need = (result[result.count - 1].isEmpty ? 0 : separator.count) + f.width
            if used + need <= width {
                result[result.count - 1].append(i)
                used += need
            } else {
                guard result.count < rows, f.width <= width else { return nil }
                result.append([i])
                used = f.width
            }
        }
        if reserve > 0 && result.count == rows && width - used - separator.count < reserve { return nil }
        return result
    }

    /// RUNNING / PAUSED / STEPPING / DIVERGED, or where explain mode stands ("EXPLAIN 2/3").
    static func stateWord(_ s: FrameSnapshot, _ theme: Theme) -> Span {
        if let e = s.explain, s.state == .running || s.state == .stepping {
            return Span(" EXPLAIN \(e.index)/\(e.count) ", theme.style(for: .stepping))
        }
        return Span(" \(s.state.word) ", theme.style(for: s.state))
    }

    /// "viewing step 1,200 · End: live", or "viewing 1,200" when short.
    static func historySpans(shown: Int, short: Bool, theme: Theme) -> [Span] {
        let label = theme[.label], step = Span(Fmt.grouped(shown), theme[.warning])
        if short { return [Span("viewing ", label), step] }
        return [Span("viewing step ", label), step, Span(" · ", label), Span("End", theme[.key]), Span(": live", label)]
    }

    static func makeFields(_ s: FrameSnapshot, theme: Theme, short: Bool) -> [Field] {
        let label = theme[.label], value = theme[.value], warn = theme[.warning]
        // NaN outside divergence means "not computed" (before the first step, or the other
        // network's loss after a lone `d`/`g` update): a dash, not an alarming "nan".
        func num(_ v: Float, _ d: Int) -> Span {
            if v.isNaN && s.state != .diverged { return Span("–", label) }
            return Span(Fmt.fixed(v, d), v.isFinite ? value : warn)
        }
        func field(_ name: String, _ v: Span, _ priority: Int) -> Field {
            Field(spans: [Span(name + " ", label), v], priority: priority)
        }
        var out: [Field] = [
            Field(spans: [stateWord(s, theme)], priority: 1000),
            field(short ? "ep" : "epoch", Span(String(s.epoch), value), 60),
            field(s.shownFrame == nil ? "step" : "live step", Span(Fmt.grouped(s.step), value), 90),
        ]
        if let past = s.shownFrame {
            // Scrubbed back: which step the panels show. After the live step, so that the first
            // "step N" on the bar is always the live one (for readers and scripts alike).
            out.append(Field(spans: historySpans(shown: past.step, short: short, theme: theme), priority: 95))
        }
        let rate = s.stepsPerSecond
        let rateText = Fmt.fixed(rate, rate < 100 ? 1 : 0)
        out.append(Field(spans: [Span(rateText, value), Span(short ? "/s" : " steps/s", label)], priority: 50))
        if let limit = s.settings?.speedLimit {
            out.append(field(short ? "max" : "limit", Span("\(limit)/s", warn), 70))
        }
        out.append(field("D", num(s.dLoss, 3), 80))
        out.append(field("G", num(s.gLoss, 3), 80))
        out.append(field(short ? "Dx" : "D(x)", num(s.dReal, 2), 55))
        out.append(field(short ? "DGz" : "D(G(z))", num(s.dFake, 2), 55))
        if let g = s.gan1d { out.append(field("KS", num(g.ks, 3), 45)) }
        if let t = s.settings {
            out.append(field(short ? "lrD" : "lr_D", Span(learningRate(t.learningRateD), value), 40))
            out.append(field(short ? "lrG" : "lr_G", Span(learningRate(t.learningRateG), value), 40))
            out.append(field(short ? "k" : "D:G", Span(short ? "\(t.dStepsPerGStep)" : "\(t.dStepsPerGStep):1", value), 40))
            out.append(field("B", Span("\(t.batchSize)", value), 36))
            out.append(field("loss", Span(t.loss, t.loss == "ns" ? value : warn), 35))
            out.append(field("opt", Span(t.optimizer, t.optimizer == "adam" ? value : warn), 34))
            // The DCGAN's name matters more than most fields; the MLP's, the default, goes first when space is short.
            if let model = t.model { out.append(field("model", Span(model, value), model == "mlp" ? optionalPriority : 85)) }
        }
        out.append(field("seed", Span(String(s.seed), value), 30))
        return out
    }
}
