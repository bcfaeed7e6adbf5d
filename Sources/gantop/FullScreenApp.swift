import Foundation
import GANView
import TerminalUI
import TrainingSession

/// The full-screen UI: the main thread reads keys and draws; the trainer runs on its worker.
///
/// The loop never waits for the trainer: it reads the latest published snapshot, so a key acts
/// within one frame however busy the worker is.
struct FullScreenApp {
    let worker: TrainingWorker
    let colorsAllowed: Bool
    /// Where to write an asciinema recording of the session, if anywhere.
    var recordingPath: String?
    /// Shown in the status line from the quit key until the worker has finished: the last step
    /// and the save on quit (checkpoint, samples, a Fréchet distance over 10,000 samples) can take
    /// seconds, and a screen still saying RUNNING would look hung.
    var quitMessage = "quitting…"

    struct Ending {
        /// Why the recording (`--record`) is incomplete, if it is.
        var recordingFailure: String?
    }

    /// Runs until `q`, Ctrl-C, SIGTERM or SIGHUP, then stops the worker (which saves on quit). The
    /// terminal is restored (and a recording closed on a whole line) on every path.
    func run() throws -> Ending {
        let terminal = try Terminal(colorsAllowed: colorsAllowed, recordingPath: recordingPath)
        defer { terminal.close() }
        TerminationSignal.install()
        worker.start()
        showUntilQuit(on: terminal)
        worker.channel.send(.quit)
        worker.waitUntilFinished()
        terminal.close()
        return Ending(recordingFailure: terminal.recordingFailure)
    }

    /// The key and draw loop; never waits for the trainer.
    private func showUntilQuit(on terminal: Terminal) {
        var options = ViewOptions(unicodeDigits: terminal.colorMode == .palette256)
        var size = terminal.size
        var buffer = CellBuffer(width: size.width, height: size.height)
        var drawnVersion = -1
        var drawnOptions = options
        var cursor = HistoryCursor()
        var drawnCursor = cursor
        worker.channel.send(.setPanelBins(Screen.gan1DBinCount(width: size.width, height: size.height)))

        while TerminationSignal.pending == nil {
            if let key = terminal.readKey() {
                switch KeyBindings.action(for: key) {
                case .quit:
                    var farewell = worker.channel.latest().snapshot.showing(cursor)
                    farewell.message = quitMessage
                    Screen.render(farewell, options: options, colorMode: terminal.colorMode, into: &buffer)
                    terminal.draw(buffer)
                    return
                case .command(let command): worker.channel.send(command)
                case .toggleHelp: options.helpVisible.toggle()
                case .closeHelp: options.helpVisible = false
                case .toggleDigitShading:
                    options.unicodeDigits = terminal.colorMode == .palette256 ? !options.unicodeDigits : false
                case .toggleSmoothing: options.smoothing.toggle()
                case .scrub(let move):
                    // Against the latest history the UI already holds: never waits for the trainer.
                    let latest = worker.channel.latest().snapshot
                    move.apply(to: &cursor, history: latest.panelHistory, liveStep: latest.step)
                case .resize:
                    size = terminal.size
                    buffer.resize(width: size.width, height: size.height)
                    terminal.invalidate()
                    drawnVersion = -1
                    worker.channel.send(.setPanelBins(Screen.gan1DBinCount(width: size.width, height: size.height)))
                case .none: break
                }
            }
            let (snapshot, version) = worker.channel.latest()
            guard version != drawnVersion || options != drawnOptions || cursor != drawnCursor else { continue }
            Screen.render(snapshot.showing(cursor), options: options, colorMode: terminal.colorMode, into: &buffer)
            terminal.draw(buffer)
            drawnVersion = version
            drawnOptions = options
            drawnCursor = cursor
        }
    }
}

/// What each key does, in one table (the help overlay and the README list the same keys).
enum KeyBindings {
    enum Action: Equatable {
        case quit, toggleHelp, closeHelp, toggleDigitShading, toggleSmoothing, resize, none
        case command(SessionCommand)
        case scrub(ScrubMove)
    }

    /// Moves through the grid's and 1-D panel's history (keys `[`, `]`, Home, End).
    enum ScrubMove: Equatable {
        case back, forward, oldest, live

        func apply(to cursor: inout HistoryCursor, history: PanelHistory, liveStep: Int) {
            switch self {
            case .back: cursor.back(in: history, liveStep: liveStep)
            case .forward: cursor.forward(in: history, liveStep: liveStep)
            case .oldest: cursor.oldest(in: history, liveStep: liveStep)
            case .live: cursor.returnToLive()
            }
        }
    }

    static func action(for key: Key) -> Action {
        switch key {
        case .character(" "): .command(.togglePause)
        case .character("n"), .character("."): .command(.step)
        case .character("d"): .command(.stepDiscriminator)
        case .character("g"): .command(.stepGenerator)
        case .character("1"): .command(.scaleLearningRateD(0.5))
        case .character("2"): .command(.scaleLearningRateD(2))
        case .character("3"): .command(.scaleLearningRateG(0.5))
        case .character("4"): .command(.scaleLearningRateG(2))
        case .character("k"): .command(.adjustDSteps(-1))
        case .character("K"): .command(.adjustDSteps(1))
        case .character("e"): .command(.toggleExplain)
        case .character("l"): .command(.cycleLoss)
        case .character("o"): .command(.cycleOptimizer)
        case .character("b"): .command(.stepBatchSize(-1))
        case .character("B"): .command(.stepBatchSize(1))
        case .character("-"), .character("_"): .command(.adjustSpeed(1))
        case .character("+"), .character("="): .command(.adjustSpeed(-1))
        case .character("w"): .command(.save)
        case .character("t"): .command(.cycleTarget)
        case .character("q"), .character("Q"), .interrupt: .quit
        case .character("?"): .toggleHelp
        case .escape: .closeHelp
        case .character("h"): .toggleDigitShading
        case .character("s"): .toggleSmoothing
        case .character("["): .scrub(.back)
        case .character("]"): .scrub(.forward)
        case .home: .scrub(.oldest)
        case .end: .scrub(.live)
        case .resize: .resize
        default: .none
        }
    }
}
