import ArgumentParser
import Foundation
import GANView
import RunWatcher
import TerminalUI

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch runs trained elsewhere, live: TensorBoard event files (PyTorch, TF, Lightning…) or gantop run directories.",
        discussion: """
            Every directory under LOGDIR holding *tfevents* files, or gantop's losses.csv or samples-step*.png, \
            is a run, named by its path relative to LOGDIR (as TensorBoard names runs). Started before the \
            training, it waits for the first run. See docs/watch.md.
            """)

    @Argument(help: ArgumentHelp("The directory to watch (a run directory, or one holding several).", valueName: "LOGDIR"))
    var logdir: String

    @Option(name: .customLong("d-tag"), help: ArgumentHelp("The scalar tag holding D's loss (default: picked from the names).", valueName: "tag"))
    var dTag: String?

    @Option(name: .customLong("g-tag"), help: ArgumentHelp("The scalar tag holding G's loss (default: picked from the names).", valueName: "tag"))
    var gTag: String?

    @Option(name: .customLong("run"), help: ArgumentHelp("Show this run first (its path relative to LOGDIR).", valueName: "name"))
    var runName: String?

    @Option(name: .customLong("silent-after"), parsing: .unconditional,
            help: ArgumentHelp("Call a run silent after this many seconds without new events.", valueName: "seconds"))
    var silentAfter: Double = 150

    @Flag(name: .customLong("no-color"), help: "No colours (also: NO_COLOR set): images in ASCII.")
    var noColor = false

    @Option(name: .customLong("time-frames"), parsing: .unconditional,
            help: ArgumentHelp("Instead of the screen: read LOGDIR once, draw N frames of 160×50 off screen (256 colours) and print the time per frame.", valueName: "N"))
    var timeFrames: Int?

    func validate() throws {
        if let n = timeFrames, n < 1 { throw ValidationError("--time-frames must be at least 1 (got \(n))") }
        guard silentAfter > 0, silentAfter.isFinite else { throw ValidationError("--silent-after must be a positive number of seconds (got \(silentAfter))") }
    }

    func run() throws {
        // Not usage mistakes, so one line each rather than ArgumentParser's usage block.
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: logdir, isDirectory: &isDirectory) else {
            throw WatchError("\(logdir): no such directory")
        }
        guard isDirectory.boolValue else { throw WatchError("\(logdir): not a directory (give the directory the run writes into)") }
        if let n = timeFrames { return Self.timeFrames(n, logdir: logdir) }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw WatchError("gantop watch draws a full-screen view: standard input and output must be a terminal")
        }
        let colorsAllowed = !noColor && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let controls = WatchControls(dTag: dTag, gTag: gTag, runName: runName, silenceAfter: silentAfter)
        try WatchApp(worker: WatchWorker(watcher: LogdirWatcher(logdir: logdir)), controls: controls,
                     colorsAllowed: colorsAllowed).run()
        if let signal = TerminationSignal.pending { throw ExitCode(128 + signal) }
    }
}

extension Watch {
    /// `--time-frames N`: what one redraw costs (building the frame from the snapshot and drawing
    /// it, the image decoded once and then cached as on screen), on the first run under LOGDIR.
    static func timeFrames(_ n: Int, logdir: String) {
        let snapshot = LogdirWatcher(logdir: logdir).poll()
        let builder = WatchFrameBuilder()
        var buffer = CellBuffer(width: 160, height: 50)
        var controls = WatchControls()
        for smoothing in [false, true] {
            controls.smoothing = smoothing
            let first = builder.frame(snapshot, controls: controls, now: snapshot.takenAt)
            WatchScreen.render(first, helpVisible: false, halfBlocks: true, colorMode: .palette256, into: &buffer)
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0 ..< n {
                let frame = builder.frame(snapshot, controls: controls, now: snapshot.takenAt)
                WatchScreen.render(frame, helpVisible: false, halfBlocks: true, colorMode: .palette256, into: &buffer)
            }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(n)
            let image = first.image.image.map { "\($0.width)×\($0.height)×\($0.channels)" } ?? "none"
            printLine("\(first.runName.isEmpty ? "(no run)" : first.runName): \(first.series.map { $0.points.count }.reduce(0, +)) points, image \(image), smoothing \(smoothing ? "on" : "off"): \(String(format: "%.3f", ms)) ms per 160×50 frame (\(n) frames)")
        }
    }
}

/// The watch screen's loop: keys and drawing on the main thread, the disk on the worker's.
struct WatchApp {
    let worker: WatchWorker
    var controls: WatchControls
    let colorsAllowed: Bool

    /// Redraw at least this often while nothing changes: the "last event 12s ago" age moves.
    static let ageRefresh = 1.0

    func run() throws {
        let terminal = try Terminal(colorsAllowed: colorsAllowed)
        defer { terminal.close() }
        TerminationSignal.install()
        worker.start()
        defer { worker.stop() }
        var controls = self.controls
        var halfBlocks = terminal.colorMode == .palette256
        var help = false
        let builder = WatchFrameBuilder()
        var size = terminal.size
        var buffer = CellBuffer(width: size.width, height: size.height)
        var frozen: WatchSnapshot?
        var drawn: (version: Int, controls: WatchControls, help: Bool, half: Bool, at: Double)?

        while TerminationSignal.pending == nil {
            let live = worker.snapshot()
            let snapshot = frozen ?? live
            if let key = terminal.readKey() {
                let run = snapshot.runs.isEmpty ? nil : snapshot.runs[controls.runIndex(in: snapshot.runs)]
                let records = run.map { WatchFrameBuilder.imageRecords(of: $0, controls: controls) } ?? []
                switch WatchKeys.action(for: key, picking: controls.pickerCursor != nil, zoomed: controls.zoom > 1) {
                case .quit: return
                case .togglePause:
                    controls.paused.toggle()
                    frozen = controls.paused ? live : nil
                case .toggleSmoothing: controls.smoothing.toggle()
                case .toggleHalfBlocks: halfBlocks = terminal.colorMode == .palette256 ? !halfBlocks : false
                case .toggleHelp: help.toggle()
                case .escape:
                    if help { help = false } else { controls.pickerCursor = nil }
                case .scrubBack: controls.scrubBack(in: records)
                case .scrubForward: controls.scrubForward(in: records)
                case .scrubOldest: controls.scrubOldest(in: records)
                case .scrubLive: controls.imageStep = nil
                case .nextRun: controls.switchRun(by: 1, in: snapshot.runs)
                case .previousRun: controls.switchRun(by: -1, in: snapshot.runs)
                case .toggleOverlay: controls.overlay.toggle()
                case .togglePicker: controls.togglePicker()
                case .cycleZoom: controls.cycleZoom()
                case .cycleImageTag: if let run { controls.cycleImageTag(in: run) }
                case .pan(let dx, let dy): controls.pan(dx: dx, dy: dy)
                case .pickerMove(let offset): controls.movePicker(by: offset, rows: run?.scalarTags.count ?? 0)
                case .pickerToggle:
                    if let run, let cursor = controls.pickerCursor {
                        let rows = builder.frame(snapshot, controls: controls, now: Date().timeIntervalSince1970).scalars
                        if cursor < rows.count {
                            controls.toggleTag(rows[cursor].tag, lossTags: WatchFrameBuilder.lossTags(of: run, controls: controls))
                        }
                    }
                case .resize:
                    size = terminal.size
                    buffer.resize(width: size.width, height: size.height)
                    terminal.invalidate()
                    drawn = nil
                case .none: break
                }
            }
            let now = Date().timeIntervalSince1970
            if let d = drawn, d.version == snapshot.version, d.controls == controls, d.help == help, d.half == halfBlocks,
               now - d.at < Self.ageRefresh { continue }
            let frame = builder.frame(snapshot, controls: controls, now: now)
            WatchScreen.render(frame, helpVisible: help, halfBlocks: halfBlocks, colorMode: terminal.colorMode, into: &buffer)
            terminal.draw(buffer)
            drawn = (snapshot.version, controls, help, halfBlocks, now)
        }
    }
}

/// What each key does on the watch screen (the help box lists the same keys).
enum WatchKeys {
    enum Action: Equatable {
        case quit, togglePause, toggleSmoothing, toggleHalfBlocks, toggleHelp, escape
        case scrubBack, scrubForward, scrubOldest, scrubLive
        case nextRun, previousRun, toggleOverlay
        case togglePicker, pickerMove(Int), pickerToggle
        case cycleZoom, pan(dx: Int, dy: Int), cycleImageTag
        case resize, none
    }

    /// While the image is zoomed the arrows pan it (else ← → switch runs and ↑ ↓ move the picker).
    static func action(for key: Key, picking: Bool, zoomed: Bool = false) -> Action {
        if zoomed && !picking {
            switch key {
            case .left: return .pan(dx: -1, dy: 0)
            case .right: return .pan(dx: 1, dy: 0)
            case .up: return .pan(dx: 0, dy: -1)
            case .down: return .pan(dx: 0, dy: 1)
            default: break
            }
        }
        return switch key {
        case .character("q"), .character("Q"), .interrupt: .quit
        case .character(" "): .togglePause
        case .character("s"): .toggleSmoothing
        case .character("h"): .toggleHalfBlocks
        case .character("?"): .toggleHelp
        case .escape: .escape
        case .character("["): .scrubBack
        case .character("]"): .scrubForward
        case .home: .scrubOldest
        case .end: .scrubLive
        case .character("\t"), .character("r"), .right: .nextRun
        case .character("R"), .left: .previousRun
        case .character("o"): .toggleOverlay
        case .character("p"): .togglePicker
        case .character("z"): .cycleZoom
        case .character("i"): .cycleImageTag
        case .up, .character("k"): picking ? .pickerMove(-1) : .none
        case .down, .character("j"): picking ? .pickerMove(1) : .none
        case .character("\r"), .character("\n"), .character("+"): picking ? .pickerToggle : .none
        case .resize: .resize
        default: .none
        }
    }
}
