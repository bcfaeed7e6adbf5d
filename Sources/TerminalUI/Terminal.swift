import CNcursesw
import Foundation
import GANView

/// The ncurses screen: puts a `CellBuffer` on the terminal and reads keys (and, asked to, records
/// what it sends: see `RecordingRelay`). Nothing else.
///
/// It keeps the last buffer it drew and sends only the cells that changed, so a frame where
/// little moves costs few bytes; ncurses' own diff then works on top of that.
/// ncurses is not thread-safe: create, use and close a `Terminal` on one thread only.
public final class Terminal {
    public let colorMode: ColorMode
    private var previous: CellBuffer?
    private var pairs: [ColorPairKey: Int16] = [:]
    private var nextPair: Int16 = 1
    /// A cell asked for a pair past the terminal's limit this frame (see `draw`).
    private var pairsRanOut = false
    private let maxPairs: Int
    private var closed = false
    private let screen: OpaquePointer
    /// While recording: the pseudo-terminal ncurses draws on, and the FILE it writes through.
    private let relay: RecordingRelay?
    private let relayOutput: UnsafeMutablePointer<FILE>?
    /// Why the recording stopped early (a full disk, say), once the terminal is closed.
    public private(set) var recordingFailure: String?

    public enum OpenError: Error, CustomStringConvertible {
        case notATerminal, unusableTerm(String)
        public var description: String {
            switch self {
            case .notATerminal:
                "standard input and output must be a terminal for the full-screen UI; run `gantop train --headless` instead"
            case .unusableTerm(let term):
                "the terminal type TERM=\(term) cannot show the full-screen UI; run `gantop train --headless` instead"
            }
        }
    }

    /// Opens the full-screen UI. Fails (without touching the terminal) when stdin/stdout are not
    /// a tty or TERM cannot address the cursor. With `recordingPath`, the session is also written
    /// there as an asciinema v2 recording (a path that cannot be written fails first).
    public init(colorsAllowed: Bool, frameTimeoutMilliseconds: Int32 = 33, recordingPath: String? = nil) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw OpenError.notATerminal }
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        guard !term.isEmpty, term != "dumb" else { throw OpenError.unusableTerm(term.isEmpty ? "(unset)" : term) }
        let writer = try recordingPath.map { path throws(RecordingError) in try AsciicastWriter(creatingFileAt: path) }
        // Wide characters render blank in the "C" locale; Debian always has C.UTF-8.
        if let locale = setlocale(LC_ALL, ""), String(cString: locale) == "C" || String(cString: locale) == "POSIX" {
            setlocale(LC_ALL, "C.UTF-8")
        }
        let relay: RecordingRelay?
        do {
            relay = try writer.map { writer throws(RecordingError) in try RecordingRelay(writer: writer) }
        } catch {
            writer?.discard()
            throw error
        }
        let relayOutput = relay.flatMap { fdopen($0.slaveDescriptor, "w") }
        guard relay == nil || relayOutput != nil, let output = relayOutput ?? fdopen(STDOUT_FILENO, "w"),
              let input = fdopen(STDIN_FILENO, "r"), let screen = newterm(nil, output, input) else {
            Self.endRelay(relay, output: relayOutput, discarding: writer)
            throw OpenError.unusableTerm(term)
        }
        guard gt_has_cursor_addressing() else {
            endwin()
            delscreen(screen)
            Self.endRelay(relay, output: relayOutput, discarding: writer)
            throw OpenError.unusableTerm(term)
        }
        self.screen = screen
        self.relay = relay
        self.relayOutput = relayOutput
        if relay != nil { WindowSizeSignal.install() }
        // raw, not cbreak: Ctrl-C, Ctrl-\ and Ctrl-Z arrive as keys (Ctrl-C quits cleanly) instead of
        // signals that would kill or stop gantop without giving the terminal back.
        raw()
        noecho()
        nonl()
        keypad(gt_stdscr(), true)
        // Home and End differ between terminals (xterm \EOH \EOF, tmux and screen \E[1~ \E[4~,
        // rxvt \E[7~ \E[8~, some \E[H \E[F) and TERM names only one; tmux with TERM=xterm-256color
        // sends \E[4~. Unknown, they would arrive as Esc, `[`, a digit: keys of their own.
        for (sequence, code) in [("\u{1B}[1~", gt_key_home()), ("\u{1B}[7~", gt_key_home()), ("\u{1B}[H", gt_key_home()),
                                 ("\u{1B}OH", gt_key_home()), ("\u{1B}[4~", gt_key_end()), ("\u{1B}[8~", gt_key_end()),
                                 ("\u{1B}[F", gt_key_end()), ("\u{1B}OF", gt_key_end())] {
            define_key(sequence, code)
        }
        curs_set(0)
        timeout(frameTimeoutMilliseconds)
        set_escdelay(25)
        var mode = ColorMode.none
        if colorsAllowed && has_colors() {
            start_color()
            use_default_colors()
            mode = gt_colors() >= 256 ? .palette256 : (gt_colors() >= 8 ? .basic8 : .none)
        }
        colorMode = mode
        maxPairs = mode == .none ? 0 : Int(min(gt_color_pairs(), 32767))
    }

    deinit { close() }

    /// Gives the terminal back: idempotent, safe to call on every exit path.
    public func close() {
        guard !closed else { return }
        closed = true
        curs_set(1)
        endwin()
        delscreen(screen)
        if relay != nil { WindowSizeSignal.uninstall() }
        recordingFailure = Self.endRelay(relay, output: relayOutput)
    }

    /// Closes ncurses' end of the pseudo-terminal, which lets the relay drain and stop; with
    /// `discarding`, the session never started and the recording file is removed.
    @discardableResult
    private static func endRelay(_ relay: RecordingRelay?, output: UnsafeMutablePointer<FILE>?,
                                 discarding writer: AsciicastWriter? = nil) -> String? {
        guard let relay else { return nil }
        if let output { fclose(output) } else { Glibc.close(relay.slaveDescriptor) }
        let failure = relay.finish()
        if let writer { unlink(writer.path) }
        return failure
    }

    public var size: (width: Int, height: Int) { (Int(gt_cols()), Int(gt_lines())) }

    /// Draws `buffer`, sending only the cells that differ from the last frame.
    public func draw(_ buffer: CellBuffer) {
        if let previous, previous.width == buffer.width, previous.height == buffer.height {
            for change in buffer.changes(from: previous) { put(change.cell, x: change.x, y: change.y) }
        } else {
            drawAll(buffer)
        }
        // Colour pairs are never freed, and pictures in colour (`gantop watch` scrubbing through RGB
        // grids) use thousands: once they run out, start the table afresh and repaint this frame
        // with it, rather than leave cells in the default colours.
        if pairsRanOut {
            pairs.removeAll(keepingCapacity: true)
            nextPair = 1
            drawAll(buffer)
            pairsRanOut = false  // a frame needing more than the terminal has keeps its default-colour cells
        }
        previous = buffer
        refresh()
    }

    private func drawAll(_ buffer: CellBuffer) {
        erase()
        for y in 0 ..< buffer.height {
            for x in 0 ..< buffer.width { put(buffer[x, y], x: x, y: y) }
        }
    }

    /// Forgets the last frame (after a resize) so the next draw repaints everything.
    public func invalidate() {
        previous = nil
        clearok(gt_stdscr(), true)
    }

    private func put(_ cell: Cell, x: Int, y: Int) {
        var glyph: [wchar_t] = [wchar_t(bitPattern: cell.glyph.value), 0]
        _ = gt_put_cell(Int32(y), Int32(x), &glyph, attributes(cell.attributes), pair(fg: cell.fg, bg: cell.bg))
    }

    private func attributes(_ a: CellAttributes) -> attr_t {
        var result = gt_a_normal()
        if a.contains(.bold) { result |= gt_a_bold() }
        if a.contains(.dim) { result |= gt_a_dim() }
        if a.contains(.reverse) { result |= gt_a_reverse() }
        if a.contains(.underline) { result |= gt_a_underline() }
        return result
    }

    /// Colour pairs are made on first use; past the terminal's limit, cells fall back to default.
    private func pair(fg: TermColor, bg: TermColor) -> Int16 {
        guard colorMode != .none, fg != .default || bg != .default else { return 0 }
        let key = ColorPairKey(fg: fg.ansiIndex ?? -1, bg: bg.ansiIndex ?? -1)
        if let existing = pairs[key] { return existing }
        guard Int(nextPair) < maxPairs else {
            pairsRanOut = true
            return 0
        }
        let number = nextPair
        nextPair += 1
        init_pair(number, Int16(key.fg), Int16(key.bg))
        pairs[key] = number
        return number
    }

    /// The next key, or nil after the frame timeout.
    public func readKey() -> Key? {
        // While recording, a resize reaches ncurses through the relay: resizeterm then queues
        // the KEY_RESIZE that get_wch returns below.
        if let relay, WindowSizeSignal.take(), let size = relay.followWindowSize() {
            resizeterm(Int32(size.height), Int32(size.width))
        }
        var wide: wint_t = 0
        let status = get_wch(&wide)
        if status == gt_err() { return nil }
        if status == KEY_CODE_YES {
            switch Int32(wide) {
            case gt_key_resize(): return .resize
            case gt_key_end(): return .end
            case gt_key_home(): return .home
            case gt_key_left(): return .left
            case gt_key_right(): return .right
            case gt_key_up(): return .up
            case gt_key_down(): return .down
            default: return .other
            }
        }
        guard let scalar = Unicode.Scalar(UInt32(wide)) else { return .other }
        switch scalar {
        case "\u{1B}": return .escape
        case "\u{03}": return .interrupt
        default: return .character(Character(scalar))
        }
    }
}

private struct ColorPairKey: Hashable {
    let fg: Int
    let bg: Int
}

/// A key press, decoded.
public enum Key: Equatable, Sendable {
    case character(Character)
    case resize, end, home, left, right, up, down, escape, interrupt, other
}
